"""Working group 1's industrial capacity view (issue 13): per item and year, what the Alliance
demands, what it has contracted and received, and what the nations' plans say it can produce.

Nothing here computes a figure another selector already computes:

- demand, the contracted maxima of frameworks, call-off (ordered) and delivered quantities come
  from ``procurement.analytics.aggregated_demand``, with its own disclosure rule applied;
- planned national capacity comes from the capacity lines of each nation's latest *submitted*
  version for the cycle (``pledges.selectors.capacity.submitted_versions``: a draft never counts,
  not even one newer than a submitted version), each line's output in a year under the pledges rule
  (``planned_output``), summed in SQL (``PlannedOutput``) in one GROUP BY.

Who reads it is the named grant ``READ_CAPACITY_VIEW`` (boards/rules.py). Aggregates do not reveal
rows (DESIGN convention 13, ``portal.aggregates``): a reader who may not read the capacity lines
(pledges' ``READ_CAPACITY``, a board member) sees no capacity cell built from fewer than
``AGGREGATE_MIN_NATIONS`` nations besides their own, and the demand figures withheld by
``aggregated_demand``; a gap is shown only where both its demand and its capacity are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boards.models import Body
from boards.rules import READ_CAPACITY_VIEW
from pledges.models import CapacityLine, PlanCycle
from pledges.rules import READ_CAPACITY
from pledges.selectors import capacity as pledges_capacity
from pledges.selectors import cycle_list
from portal import aggregates
from portal.aggregates import NationIds, nation_ids
from portal.exceptions import Forbidden
from portal.permissions import VIEW, may, restrict
from procurement.analytics import aggregated_demand
from procurement.models import Item

# The years a view covers unless told: the cycle's year and the following ones, as pledges' own
# capacity page shows them.
YEARS_AHEAD = pledges_capacity.YEARS_AHEAD
# Each year is a column of the capacity query; a view wider than this is a mistake, not a chart.
MAX_YEARS = 30
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years plans and demand may name (year_validators)

# The chart's series names (the lead's page draws them; sent through json_script with the data).
SERIES = {
    "demand": gettext_lazy("Aggregated demand"),
    "capacity": gettext_lazy("Planned national capacity"),
    "gap": gettext_lazy("Gap (demand less capacity)"),
}


def may_read(user) -> bool:
    """Whether ``user`` may open the capacity view (for menus and the view's 403)."""
    return may(user, Body, READ_CAPACITY_VIEW)


@dataclass(frozen=True, slots=True)
class CapacityViewRow:
    """One item in one year. None: withheld from this reader (built from too few nations)."""

    item: Item
    year: int
    demanded: int | None
    firm: int | None
    # The maxima of the item's lines in active or expired frameworks whose period covers the year:
    # framework terms, never withheld.
    contracted_max: int
    # Quantities called off under those frameworks (by order year) and delivered (by delivery year).
    ordered: int | None
    delivered: int | None
    capacity: int | None
    surge: int | None
    # How many nations filed demand or placed call-offs; how many planned capacity.
    nations: int
    capacity_nations: int

    @property
    def gap(self) -> int | None:
        """Demand not covered by planned capacity (negative: spare capacity); shown only where
        both are."""
        if self.demanded is None or self.capacity is None:
            return None
        return self.demanded - self.capacity

    @property
    def withheld(self) -> int:
        """How many of this row's figures are withheld (the gap, derived from two, not counted)."""
        figures = (self.demanded, self.firm, self.ordered, self.delivered, self.capacity, self.surge)
        return sum(value is None for value in figures)


@dataclass(frozen=True)
class CapacityView:
    """The view for one reader: its cycle (None when there is none yet), its years, and a row for
    every year of every item with demand, a contract, an order, a delivery or planned capacity,
    ordered by item name then year."""

    cycle: PlanCycle | None
    years: range
    rows: list[CapacityViewRow] = field(default_factory=list)

    @property
    def withheld(self) -> int:
        """How many figures are withheld: the page says so with ``portal/_withheld_note.html``
        (``withheld`` and ``minimum``)."""
        return sum(row.withheld for row in self.rows)

    @property
    def minimum(self) -> int:
        return aggregates.minimum()

    def chart(self) -> dict:
        """The chart's data (for ``json_script``; Chart.js draws None as a break in the line): the
        series names, then per item its years and, year by year, demand, capacity and gap."""
        items: dict[int, dict] = {}
        for row in self.rows:
            entry = items.setdefault(
                row.item.pk,
                {
                    "item": row.item.pk,
                    "name": row.item.name,
                    "unit": row.item.unit,
                    "years": [],
                    "demand": [],
                    "capacity": [],
                    "gap": [],
                },
            )
            entry["years"].append(row.year)
            entry["demand"].append(row.demanded)
            entry["capacity"].append(row.capacity)
            entry["gap"].append(row.gap)
        return {"series": {key: str(label) for key, label in SERIES.items()}, "items": list(items.values())}


def _years(cycle: PlanCycle | None, year_from: int | None, year_to: int | None) -> range:
    """The view's years: from the cycle's year (this year without a cycle), ``YEARS_AHEAD`` of them
    unless ``year_to`` says otherwise. Bad bounds are a field error, never a 500."""
    start = year_from if year_from is not None else (cycle.year if cycle else timezone.localdate().year)
    end = year_to if year_to is not None else start + YEARS_AHEAD - 1
    errors = {}
    for name, value in (("year_from", start), ("year_to", end)):
        if not FIRST_YEAR <= value <= LAST_YEAR:
            errors[name] = _("Give a year from %(first)s to %(last)s.") % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
    if not errors and end < start:
        errors["year_to"] = _("The range must end on or after its start.")  # as procurement's filters say
    elif not errors and end - start + 1 > MAX_YEARS:
        errors["year_to"] = _("Show at most %(count)s years at once.") % {"count": MAX_YEARS}
    if errors:
        raise ValidationError(errors)
    return range(start, end + 1)


def _capacity_lines(user, cycle: PlanCycle, item) -> tuple[QuerySet, aggregates.Audience]:
    """The capacity lines summed for ``user``, and who reads their sums.

    A reader holding pledges' ``READ_CAPACITY`` reads the lines themselves: their sums come from
    the lines that grant lets them read, and every cell is shown. Any other reader of the view
    (``READ_CAPACITY_VIEW``) gets the Alliance's sums of the same submitted lines, as
    ``aggregated_demand`` gives everyone the Alliance's demand, under the disclosure rule."""
    lines = CapacityLine.objects.filter(plan_version__in=pledges_capacity.submitted_versions(cycle))
    if item is not None:
        lines = lines.filter(item=item)
    if pledges_capacity.may_read(user):
        return restrict(lines, user, READ_CAPACITY), aggregates.EXEMPT
    return lines, aggregates.audience(user, CapacityLine)


def _planned_capacity(lines: QuerySet, cycle: PlanCycle, years: range) -> dict[int, dict]:
    """Per item: planned output in each year (``y<year>``), surge capacity and the nations behind
    them (``ids``), in one GROUP BY. Every line counts in every year, so an item's nations are the
    same in each."""
    per_year = {f"y{year}": Sum(pledges_capacity.PlannedOutput(year, cycle.year)) for year in years}
    return {
        row["item_id"]: row
        for row in lines.order_by()
        .values("item_id")
        .annotate(surge=Sum("surge_capacity"), ids=NationIds("plan_version__plan__nation"), **per_year)
    }


def capacity_view(
    *,
    user,
    cycle: PlanCycle | None = None,
    item=None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> CapacityView:
    """Per item and year: aggregated demand (and its firm part), contracted maxima, ordered and
    delivered quantities, planned national capacity (and surge) and the gap, for ``cycle`` (the
    latest one when None) over ``year_from``-``year_to``, optionally of one ``item``.

    Raises ``Forbidden`` for readers without ``READ_CAPACITY_VIEW`` (directors, partners), and
    ``ValidationError`` (by field) for bad years. A constant number of queries whatever the data:
    the cycle (when not given), demand's (``aggregated_demand``; one when its cache is warm), the
    capacity GROUP BY and the items."""
    if not may_read(user):
        raise Forbidden(_("The industrial capacity view is for the DIPB, the secretariat and NSPA."))
    if cycle is None:
        cycle = cycle_list(user=user).first()
    years = _years(cycle, year_from, year_to)
    demand = {
        (row.item_id, row.year): row
        for row in aggregated_demand(user=user, year_from=years.start, year_to=years.stop - 1, item=item)
    }
    planned: dict[int, dict] = {}
    audience = aggregates.EXEMPT
    if cycle is not None:
        lines, audience = _capacity_lines(user, cycle, item)
        planned = _planned_capacity(lines, cycle, years)
    items = restrict(Item.objects.all(), user, VIEW).in_bulk(
        {item_id for item_id, _year in demand} | set(planned)
    )
    rows = []
    for found in sorted(items.values(), key=lambda i: (i.name, i.pk)):
        capacity = planned.get(found.pk)
        nations = nation_ids(capacity["ids"]) if capacity else frozenset()
        # Every line counts in every year: the item's capacity cells stand on the same nations.
        hidden = audience.hides(nations)
        for year in years:
            figures = demand.get((found.pk, year))
            rows.append(
                CapacityViewRow(
                    item=found,
                    year=year,
                    demanded=figures.demanded if figures else 0,
                    firm=figures.firm if figures else 0,
                    contracted_max=figures.contracted_max if figures else 0,
                    ordered=figures.ordered if figures else 0,
                    delivered=figures.delivered if figures else 0,
                    capacity=None if hidden else int(capacity[f"y{year}"]) if capacity else 0,
                    surge=None if hidden else int(capacity["surge"]) if capacity else 0,
                    nations=figures.nations if figures else 0,
                    capacity_nations=len(nations),
                )
            )
    return CapacityView(cycle=cycle, years=years, rows=rows)
