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

    plans, investment = "plans", "investment"
    register(
        NavItem(_("2% and 20% dashboard"), "pledges:dip-dashboard", reads_dip, order=30, group=investment)
    )
    register(NavItem(_("Expenditure data"), "pledges:dip-datasets", reads_dip, order=31, group=investment))
    register(NavItem(_("Capacity vs demand"), "pledges:capacity-vs-demand", may_read, order=40, group=plans))
    may_file = lambda u: may(u, NationalPlan, ADD)  # noqa: E731
    may_review = lambda u: may(u, NationalPlan, REVIEW)  # noqa: E731
    register(NavItem(_("National plan"), "pledges:plan-home", may_file, order=10, group=plans))
    register(NavItem(_("Plan reviews"), "pledges:plan-list", may_review, order=10, group=plans))
