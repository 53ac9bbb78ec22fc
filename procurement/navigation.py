"""Procurement's entries in the main menu, each shown to the roles that may use its page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem, granted, register
from portal.permissions import ADD, VIEW, scope_label


def _files_own_demand(user) -> bool:
    """Filing their own nation's demand is a main task for whoever may only do that; NSPA (who may
    file for any nation) reaches the grid from the demand list."""
    from procurement.models import DemandSignal

    return scope_label(user, DemandSignal, ADD) == "own_nation"


def _alliance_reader(user) -> bool:
    from procurement.analytics import may_read_alliance_aggregates

    return may_read_alliance_aggregates(user)


def register_menu() -> None:
    """Called from ProcurementConfig.ready()."""
    for label, url_name, visible, order in (
        (_("Frameworks"), "procurement:framework-list", granted("procurement.FrameworkContract", VIEW), 200),
        (_("Call-offs"), "procurement:call-off-list", granted("procurement.CallOff", VIEW), 210),
        (_("Deliveries"), "procurement:delivery-list", granted("procurement.Delivery", VIEW), 220),
        (_("Demand"), "procurement:demand-list", granted("procurement.DemandSignal", VIEW), 230),
        (_("Enter demand"), "procurement:demand-entry", _files_own_demand, 235),
        (_("Aggregated demand"), "procurement:demand-aggregate", _alliance_reader, 240),
        (_("Delivery performance"), "procurement:delivery-performance", _alliance_reader, 250),
        (_("Catalogue"), "procurement:item-list", granted("procurement.Item", VIEW), 260),
    ):
        register(NavItem(label, url_name, visible, order=order, group="procurement"))
