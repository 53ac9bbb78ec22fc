"""Pledges' entries in the main menu."""

from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem, register


def register_menu() -> None:
    from pledges.models import DipMetric, NationalPlan
    from pledges.rules import REVIEW
    from pledges.selectors.capacity import may_read
    from portal.permissions import ADD, VIEW, may

    def reads_dip(user) -> bool:
        return may(user, DipMetric, VIEW)

    register(NavItem(_("Defence investment"), "pledges:dip-dashboard", reads_dip, order=30))
    register(NavItem(_("Expenditure data"), "pledges:dip-datasets", reads_dip, order=31))

    register(NavItem(_("Capacity vs demand"), "pledges:capacity-vs-demand", may_read, order=40))
    register(NavItem(_("National plan"), "pledges:plan-home", lambda u: may(u, NationalPlan, ADD), order=10))
    register(
        NavItem(_("Plan reviews"), "pledges:plan-list", lambda u: may(u, NationalPlan, REVIEW), order=10)
    )
