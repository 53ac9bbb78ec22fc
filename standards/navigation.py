"""Standards' entries in the main menu, each shown to the roles that may use its page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem, granted, register
from portal.permissions import ADD, VIEW, scope_label


def _records_own_responses(user) -> bool:
    """Recording their own nation's responses is a main task for whoever may only do that; the
    secretariat (who may record any nation's) reaches the form from the matrix and nation pages."""
    from standards.models import NationalResponse

    return scope_label(user, NationalResponse, ADD) == "own_nation"


def register_menu() -> None:
    """Called from StandardsConfig.ready()."""
    for label, url_name, visible, order in (
        (_("STANAG catalogue"), "standards:standard-list", granted("standards.Standard", VIEW), 300),
        (_("Ratification matrix"), "standards:matrix", granted("standards.NationalResponse", VIEW), 310),
        (_("Record responses"), "standards:response-form", _records_own_responses, 315),
        (
            _("Interoperability alerts"),
            "standards:alert-list",
            granted("standards.NationalResponse", VIEW),
            320,
        ),
    ):
        register(NavItem(label, url_name, visible, order=order, group="standards"))
