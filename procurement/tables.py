"""Sortable tables of the procurement lists; the same columns make the CSV and XLSX exports."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from portal.exports import Kind
from portal.formats import amount
from portal.tables import PortalTable
from procurement.models import CallOff, Delivery, DemandSignal, FrameworkContract, Item, Programme, Supplier


class PlainManyToManyColumn(tables.ManyToManyColumn):
    """Related names joined with commas; the export gets plain text, not HTML."""

    def value(self, value):
        return ", ".join(str(item) for item in self.filter(value))


class MoneyColumn(tables.Column):
    """An amount (its currency is another column): grouped, two decimals, in the reader's language
    on the page (``portal.formats.amount``); a number with a money format in the export."""

    export_kind = Kind.MONEY

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return amount(value)


class YearColumn(tables.Column):
    """A year: exported as a number that never takes a thousands separator."""

    export_kind = Kind.YEAR


def link(name: str, accessor: str = "pk"):
    return (f"procurement:{name}", {"pk": tables.A(accessor)})


class ItemTable(PortalTable):
    code = tables.Column(linkify=link("item-detail"))
    name = tables.Column(linkify=link("item-detail"))

    class Meta(PortalTable.Meta):
        model = Item
        fields = ["code", "name", "capability_area", "unit", "nato_stock_number"]


class ProgrammeTable(PortalTable):
    name = tables.Column(linkify=link("programme-detail"))
    members = tables.Column(
        accessor="memberships", verbose_name=_("Members"), orderable=False, empty_values=()
    )

    class Meta(PortalTable.Meta):
        model = Programme
        fields = ["code", "name", "kind", "members"]

    def render_members(self, value):
        return ", ".join(m.nation.code for m in value.all())

    def value_members(self, value):
        return self.render_members(value)


class SupplierTable(PortalTable):
    name = tables.Column(linkify=link("supplier-detail"))

    class Meta(PortalTable.Meta):
        model = Supplier
        fields = ["name", "country"]


class DemandSignalTable(PortalTable):
    nation = tables.Column(accessor="nation__code", order_by=("nation__code",), verbose_name=_("Nation"))
    item = tables.Column(
        verbose_name=_("Item"),
        accessor="item__name",
        order_by=("item__name",),
        linkify=link("item-detail", "item_id"),
    )
    filed_by = tables.Column(accessor="filed_by__username", verbose_name=_("Filed by"))
    year = YearColumn()

    class Meta(PortalTable.Meta):
        model = DemandSignal
        fields = ["item", "nation", "year", "quantity", "firmness", "filed_by", "updated_at"]


class FrameworkTable(PortalTable):
    reference = tables.Column(linkify=link("framework-detail"))
    programme = tables.Column(
        accessor="programme__name", order_by=("programme__name",), verbose_name=_("Programme")
    )
    suppliers = PlainManyToManyColumn(orderable=False)
    # What the reader is shown: empty where the figure would reveal too few nations' orders.
    ceiling_value = MoneyColumn()
    firm_order_value = MoneyColumn()
    committed_value = MoneyColumn(
        accessor="committed_shown", order_by=("committed_value",), verbose_name=_("Committed value")
    )
    remaining_value = MoneyColumn(accessor="remaining_shown", verbose_name=_("Remaining"), orderable=False)

    class Meta(PortalTable.Meta):
        model = FrameworkContract
        fields = [
            "reference",
            "title",
            "programme",
            "suppliers",
            "status",
            "currency",
            "ceiling_value",
            "firm_order_value",
            "committed_value",
            "remaining_value",
            "period_start",
            "period_end",
        ]


class CallOffTable(PortalTable):
    reference = tables.Column(linkify=link("call-off-detail"))
    framework = tables.Column(
        accessor="framework__reference",
        order_by=("framework__reference",),
        verbose_name=_("Framework"),
        linkify=link("framework-detail", "framework_id"),
    )
    nation = tables.Column(accessor="nation__code", order_by=("nation__code",), verbose_name=_("Nation"))
    currency = tables.Column(accessor="framework__currency", orderable=False, verbose_name=_("Currency"))
    total_value = MoneyColumn()

    class Meta(PortalTable.Meta):
        model = CallOff
        fields = ["reference", "framework", "nation", "order_date", "total_value", "currency", "illustrative"]


class DeliveryTable(PortalTable):
    lot_number = tables.Column(linkify=link("delivery-detail"))
    call_off = tables.Column(
        accessor="call_off_line__call_off__reference",
        order_by=("call_off_line__call_off__reference",),
        verbose_name=_("Call-off"),
        linkify=link("call-off-detail", "call_off_line__call_off_id"),
    )
    framework = tables.Column(
        accessor="call_off_line__call_off__framework__reference",
        order_by=("call_off_line__call_off__framework__reference",),
        verbose_name=_("Framework"),
    )
    nation = tables.Column(
        accessor="call_off_line__call_off__nation__code",
        order_by=("call_off_line__call_off__nation__code",),
        verbose_name=_("Nation"),
    )
    item = tables.Column(
        accessor="call_off_line__framework_line__item__name",
        order_by=("call_off_line__framework_line__item__name",),
        verbose_name=_("Item"),
    )

    class Meta(PortalTable.Meta):
        model = Delivery
        fields = [
            "lot_number",
            "call_off",
            "framework",
            "nation",
            "item",
            "delivered_on",
            "accepted_on",
            "quantity_delivered",
            "quantity_accepted",
            "quantity_rejected",
            "rejection_reason",
            "location",
        ]
