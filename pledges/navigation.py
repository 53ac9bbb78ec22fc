"""Pledges' entries in the main menu."""

from django.utils.translation import gettext_lazy as _

from portal.choices import Role
from portal.navigation import NavItem, register


def register_menu() -> None:
    from pledges.capacity import may_read

    register(NavItem(_("Capacity vs demand"), "pledges:capacity-vs-demand", may_read, order=40))
    register(NavItem(_("National plan"), "pledges:plan-home", lambda u: u.role == Role.DIRECTOR, order=10))
    register(
        NavItem(
            _("Plan reviews"),
            "pledges:plan-list",
            lambda u: u.is_superuser or u.role == Role.SECRETARIAT,
            order=10,
        )
    )
