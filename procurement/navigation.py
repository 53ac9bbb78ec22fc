"""Procurement's entries in the main menu, each shown to the roles that may use its page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem, register
from portal.permissions import ADD, VIEW, may, scope_label


def _may(model_name: str, action: str):
    """A visibility test on a procurement model, resolved when the menu is drawn (models load late)."""

    def visible(user) -> bool:
        from procurement import models

        return may(user, getattr(models, model_name), action)

    return visible


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
        (_("Frameworks"), "procurement:framework-list", _may("FrameworkContract", VIEW), 200),
        (_("Call-offs"), "procurement:call-off-list", _may("CallOff", VIEW), 210),
        (_("Deliveries"), "procurement:delivery-list", _may("Delivery", VIEW), 220),
        (_("Demand"), "procurement:demand-list", _may("DemandSignal", VIEW), 230),
        (_("Enter demand"), "procurement:demand-entry", _files_own_demand, 235),
        (_("Aggregated demand"), "procurement:demand-aggregate", _alliance_reader, 240),
        (_("Delivery performance"), "procurement:delivery-performance", _alliance_reader, 250),
        (_("Catalogue"), "procurement:item-list", _may("Item", VIEW), 260),
    ):
        register(NavItem(label, url_name, visible, order=order))
