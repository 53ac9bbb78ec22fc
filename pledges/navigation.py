"""Pledges' entries in the main menu."""

from django.utils.translation import gettext_lazy as _

from portal.choices import Role
from portal.navigation import NavItem, register


def register_menu() -> None:
    from pledges.capacity import may_read
    from pledges.models_dip import DipMetric
    from portal.permissions import VIEW, may

    def reads_dip(user) -> bool:
        return may(user, DipMetric, VIEW)

    register(NavItem(_("Defence investment"), "pledges:dip-dashboard", reads_dip, order=30))
    register(NavItem(_("Expenditure data"), "pledges:dip-datasets", reads_dip, order=31))

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
