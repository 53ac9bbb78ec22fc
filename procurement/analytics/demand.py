"""Aggregated demand (all nations summed, against contracted capacity) and its per-nation
drill-down."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from portal import aggregates
from portal.aggregates import NationIdList, SignedNationIds, nation_ids, signed_nation_ids
from portal.exceptions import NotFound
from portal.permissions import VIEW, reads_all, restrict
from procurement.analytics.common import (
    CONTRACTED_STATUSES,
    cached,
    ensure_alliance_reader,
    year_bounds,
)
from procurement.choices import Firmness
from procurement.models import (
    CallOffLine,
    DeliveredPerYear,
    Delivery,
    DemandSignal,
    FrameworkLine,
    OrderedPerYear,
)
from procurement.rules import may_drill_down

# --- Aggregated demand --------------------------------------------------------------------------


@dataclass(slots=True)
class DemandRow:
    """One item in one year, summed over every nation."""

    item_id: int
    year: int
    # None: withheld from this reader (built from too few nations, see portal.aggregates).
    demanded: int | None = 0
    firm: int | None = 0
    contracted_max: int = 0
    ordered: int | None = 0
    delivered: int | None = 0
    nations: int = 0
    withheld: int = 0
    # The nations behind each figure. Firm is also checked against the non-firm nations: demanded
    # less firm is their total.
    demand_nations: frozenset[int] = frozenset()
    firm_nations: frozenset[int] = frozenset()
    nonfirm_nations: frozenset[int] = frozenset()
    order_nations: frozenset[int] = frozenset()
    delivery_nations: frozenset[int] = frozenset()


@dataclass
class NationDemandRow:
    """One nation's figures for one item in one year (the drill-down)."""

    code: str
    name: str
    demanded: int = 0
    firm: int = 0
    ordered: int = 0
    delivered: int = 0


@dataclass
class _Sources:
    """The querysets every demand figure is summed from, already filtered by item and years."""

    demand: QuerySet
    orders: QuerySet
    deliveries: QuerySet


def _sources(demand, orders, deliveries, *, year_from, year_to, item) -> _Sources:
    demand = demand.filter(
        **({"year__gte": year_from} if year_from is not None else {}),
        **({"year__lte": year_to} if year_to is not None else {}),
    )
    orders = orders.filter(year_bounds("call_off__order_date", year_from, year_to))
    deliveries = deliveries.filter(year_bounds("delivered_on", year_from, year_to))
    if item is not None:
        demand = demand.filter(item=item)
        orders = orders.filter(framework_line__item=item)
        deliveries = deliveries.filter(call_off_line__framework_line__item=item)
    return _Sources(demand, orders, deliveries)


def _sum_into(sources: _Sources, row, *, demand: dict, orders: dict, deliveries: dict) -> None:
    """Demanded and firm, ordered and delivered, each grouped by its source's keys (the same names
    in the three dicts), added to ``row(entry)``: a GROUP BY query per source. (The Alliance
    aggregate reads demand with its nations, and ordered and delivered from the running totals,
    ``_per_item_year``.)"""
    firm = Q(firmness=Firmness.FIRM)
    for entry in (
        sources.demand.values(**demand)
        .annotate(demanded=Sum("quantity"), firm=Sum("quantity", filter=firm))
        .order_by()
    ):
        target = row(entry)
        target.demanded, target.firm = entry["demanded"] or 0, entry["firm"] or 0
    for entry in sources.orders.values(**orders).annotate(total=Sum("quantity")).order_by():
        row(entry).ordered = entry["total"] or 0
    delivered = sources.deliveries.values(**deliveries).annotate(total=Sum("quantity_delivered"))
    for entry in delivered.order_by():
        row(entry).delivered = entry["total"] or 0


def _per_item_year(model, *, year_from: int | None, year_to: int | None, item) -> list[tuple]:
    """``(item id, year, quantity, nation ids)`` per item and year, in one query over a running
    total table the services keep (``DeliveredPerYear``, ``OrderedPerYear``): one row per item,
    nation and year instead of every delivery or call-off line (at a million deliveries, 5-10 ms
    against 600 ms for the GROUP BY over the deliveries themselves; bench/boards.py). Each nation
    is once in a group, so its list needs no DISTINCT."""
    totals = model.objects.filter(
        **({"year__gte": year_from} if year_from is not None else {}),
        **({"year__lte": year_to} if year_to is not None else {}),
        **({"item": item} if item is not None else {}),
    )
    return list(
        totals.order_by()
        .values_list("item_id", "year")
        .annotate(total=Sum("quantity"), ids=NationIdList("nation_id"))
    )


def _contracted_spans(*, item) -> list[dict]:
    """Sum of framework lines' maxima per (item, first year, last year) of the framework period."""
    lines = FrameworkLine.objects.filter(framework__status__in=CONTRACTED_STATUSES)
    if item is not None:
        lines = lines.filter(item=item)
    return list(
        lines.values(
            "item_id",
            first_year=ExtractYear("framework__period_start"),
            last_year=ExtractYear("framework__period_end"),
        )
        .annotate(maximum=Sum("max_quantity"))
        .order_by()
    )


def aggregated_demand(
    *, user, year_from: int | None = None, year_to: int | None = None, item=None
) -> list[DemandRow]:
    """Item x year across the Alliance: demanded, firm, contracted maximum, ordered, delivered and
    nations participating, ordered by item id then year.

    ``contracted_max`` sums the maximum quantities of the lines of every active or expired framework
    whose period overlaps the calendar year. A framework running 2024-2027 counts in each of those
    four years: it is what could be called off in the year, not an amount to add up across years.
    Years appear where there is demand, an order or a delivery (or within the filter's range when
    one is given); contracted maxima alone do not open a year without a filter.
    """
    ensure_alliance_reader(user)
    # Alliance totals are the same for every reader: one cache entry for all of them.
    rows = cached(
        "aggregated_demand",
        "alliance",
        (year_from, year_to, getattr(item, "pk", None)),
        lambda: _aggregated_demand(year_from=year_from, year_to=year_to, item=item),
    )
    return _withhold_demand(rows, user)


def _withhold_demand(rows: list[DemandRow], user) -> list[DemandRow]:
    """``rows`` as ``user`` may see them: each figure built from too few nations, for a reader who
    may not read its source rows, becomes None. Contracted maxima are framework terms, not a
    nation's figures, and stay."""
    demand = aggregates.audience(user, DemandSignal)
    orders = aggregates.audience(user, CallOffLine)
    deliveries = aggregates.audience(user, Delivery)
    if demand.exempt and orders.exempt and deliveries.exempt:
        return rows
    least = aggregates.minimum()
    # Thousands of cells stand on a few nation sets ("every Ally"), each parsed once into one
    # frozenset (``nation_ids``): each set's verdict is taken once per audience.
    verdicts: dict[tuple[int, frozenset], bool] = {}

    def keep(audience, value, *nation_sets):
        if audience.exempt:
            return value
        for nations in nation_sets:
            key = (id(audience), nations)
            hidden = verdicts.get(key)
            if hidden is None:
                hidden = verdicts[key] = audience.hides(nations, least)
            if hidden:
                return None
        return value

    shown = []
    for row in rows:
        figures = {
            "demanded": keep(demand, row.demanded, row.demand_nations),
            "firm": keep(demand, row.firm, row.demand_nations, row.firm_nations, row.nonfirm_nations),
            "ordered": keep(orders, row.ordered, row.order_nations),
            "delivered": keep(deliveries, row.delivered, row.delivery_nations),
        }
        withheld = sum(value is None for value in figures.values())
        shown.append(replace(row, **figures, withheld=withheld) if withheld else row)
    return shown


def _aggregated_demand(*, year_from: int | None, year_to: int | None, item) -> list[DemandRow]:
    sources = _sources(
        DemandSignal.objects.all(),
        CallOffLine.objects.all(),
        Delivery.objects.all(),
        year_from=year_from,
        year_to=year_to,
        item=item,
    )
    rows: dict[tuple[int, int], DemandRow] = {}

    def row(item_id: int, year: int) -> DemandRow:
        key = (item_id, year)
        target = rows.get(key)
        if target is None:
            target = rows[key] = DemandRow(item_id=item_id, year=year)
        return target

    firm = Q(firmness=Firmness.FIRM)
    # One signal per nation, item and year (demand_one_per_nation_item_year): each nation is in an
    # (item, year) group once, firm or not, so one signed list holds both sets.
    demand = (
        sources.demand.order_by()
        .values_list("item_id", "year")
        .annotate(
            demanded=Sum("quantity"),
            firm=Sum("quantity", filter=firm),
            ids=SignedNationIds("nation_id", negative=~firm),
        )
    )
    for item_id, year, demanded, firm_total, ids in demand:
        target = row(item_id, year)
        target.demanded, target.firm = demanded or 0, firm_total or 0
        target.demand_nations, target.firm_nations, target.nonfirm_nations = signed_nation_ids(ids)
    bounds = {"year_from": year_from, "year_to": year_to, "item": item}
    for item_id, year, total, ids in _per_item_year(OrderedPerYear, **bounds):
        target = row(item_id, year)
        target.ordered, target.order_nations = int(total or 0), nation_ids(ids)
    for item_id, year, total, ids in _per_item_year(DeliveredPerYear, **bounds):
        target = row(item_id, year)
        target.delivered, target.delivery_nations = int(total or 0), nation_ids(ids)
    # Nations participating: those with demand or call-offs, already collected with the figures.
    for target in rows.values():
        target.nations = len(target.demand_nations | target.order_nations)

    # Contracted maxima open the years of the filter's range, else only the years already shown.
    spans = _contracted_spans(item=item)
    if year_from is not None and year_to is not None:
        years_by_item: dict[int, Iterable[int]] = defaultdict(lambda: range(year_from, year_to + 1))
    else:
        seen: dict[int, set[int]] = defaultdict(set)
        for item_id, year in rows:
            seen[item_id].add(year)
        years_by_item = seen
    for span in spans:
        first, last = int(span["first_year"]), int(span["last_year"])
        for year in years_by_item[span["item_id"]]:
            if first <= year <= last:
                row(span["item_id"], year).contracted_max += span["maximum"] or 0
    return [rows[key] for key in sorted(rows)]


def demand_drilldown(*, user, item, year: int) -> list[NationDemandRow]:
    """Per-nation demanded, firm, ordered and delivered for one item and year, ordered by nation name.

    Raises ``NotFound`` for roles that may not see national rows; a director gets only their own.
    """
    if not may_drill_down(user):
        raise NotFound("Not found.")
    # restrict() decides the rows: every nation, or (a director) their own nation only.
    reads_every_nation = all(reads_all(user, model) for model in (DemandSignal, CallOffLine, Delivery))
    scope = "alliance" if reads_every_nation else f"nation:{user.nation_id}"
    return cached(
        "demand_drilldown",
        scope,
        (item.pk, year),
        lambda: _demand_drilldown(user=user, item=item, year=year),
    )


def _demand_drilldown(*, user, item, year: int) -> list[NationDemandRow]:
    sources = _sources(
        restrict(DemandSignal.objects.all(), user, VIEW),
        restrict(CallOffLine.objects.all(), user, VIEW),
        restrict(Delivery.objects.all(), user, VIEW),
        year_from=year,
        year_to=year,
        item=item,
    )
    rows: dict[str, NationDemandRow] = {}

    def row(code: str, name: str) -> NationDemandRow:
        return rows.setdefault(code, NationDemandRow(code=code, name=name))

    _sum_into(
        sources,
        lambda entry: row(entry["k_a"], entry["k_b"]),
        demand={"k_a": F("nation__code"), "k_b": F("nation__name")},
        orders={"k_a": F("call_off__nation__code"), "k_b": F("call_off__nation__name")},
        deliveries={
            "k_a": F("call_off_line__call_off__nation__code"),
            "k_b": F("call_off_line__call_off__nation__name"),
        },
    )
    return sorted(rows.values(), key=lambda r: (r.name, r.code))
