"""Boards' entries in the main menu, each shown to the roles that may use its page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem, granted, register
from portal.permissions import VIEW


def register_menu() -> None:
    """Called from BoardsConfig.ready()."""
    for label, url_name, model, order in (
        (_("Board and working groups"), "boards:body-list", "boards.Membership", 400),
        (_("Meetings"), "boards:meeting-list", "boards.Meeting", 410),
        (_("Action tracker"), "boards:action-list", "boards.ActionItem", 420),
        (_("Recommendations to CNAD"), "boards:recommendation-list", "boards.Recommendation", 430),
        (_("Supply-chain risks"), "boards:risk-list", "boards.Risk", 440),
    ):
        register(NavItem(label, url_name, granted(model, VIEW), order=order, group="board"))
    register(NavItem(_("Industrial capacity"), "boards:capacity", _reads_capacity, order=450, group="board"))


def _reads_capacity(user) -> bool:
    from boards.selectors.capacity import may_read

    return may_read(user)
