"""Planned national capacity against aggregated demand, per item and year.

Capacity comes from the capacity lines of each nation's latest *submitted* version for the cycle
(drafts never count). A line's output in a year follows a stated rule: its current output up to the
cycle year, rising in a straight line to the target output in the target year, and flat after it.

Aggregates do not reveal rows (``portal.aggregates``): capacity is summed only from lines the reader
may read (through ``restrict``), and demand comes from ``aggregated_demand``, which withholds the
figures the reader may not see; a gap is shown only where its demand is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Subquery

from pledges.models import CapacityLine, PlanCycle, PlanVersion
from pledges.rules import READ_CAPACITY
from portal.exceptions import Forbidden
from portal.permissions import may, restrict
from procurement.analytics import aggregated_demand
from procurement.models import Item

YEARS_AHEAD = 5


def may_read(user) -> bool:
    return may(user, CapacityLine, READ_CAPACITY)


def planned_output(line: CapacityLine, year: int, cycle_year: int) -> int:
    """Output of one capacity line in ``year`` under the rule in the module docstring."""
    start = max(cycle_year, line.baseline_year)
    if year <= start or line.target_year <= start:
        return line.current_output if year < line.target_year else line.target_output
    if year >= line.target_year:
        return line.target_output
    share = (year - start) / (line.target_year - start)
    return round(line.current_output + share * (line.target_output - line.current_output))


@dataclass
class CapacityRow:
    item: Item
    year: int
    capacity: int
    surge: int
    # None: withheld from this reader by aggregated_demand.
    demanded: int | None
    firm: int | None
    nations: int

    @property
    def gap(self) -> int | None:
        """Demand not covered by planned capacity (negative: spare capacity)."""
        return None if self.demanded is None else self.demanded - self.capacity


def capacity_vs_demand(*, user, cycle: PlanCycle) -> list[CapacityRow]:
    """Rows per item and year for the cycle year and the following years, in a constant number of
    queries: latest submitted versions (1), their capacity lines with items (1), demand (cached)."""
    if not may_read(user):
        raise Forbidden("Capacity against demand is for the secretariat and NSPA.")
    latest = (
        PlanVersion.objects.filter(plan=OuterRef("plan"), frozen=True)
        .values("plan")
        .annotate(last=Max("number"))
        .values("last")
    )
    versions = PlanVersion.objects.filter(plan__cycle=cycle, frozen=True, number=Subquery(latest)).values(
        "pk"
    )
    # The page's own grant: its readers' scope covers every submitted line, never a draft's.
    lines = list(
        restrict(CapacityLine.objects.filter(plan_version__in=versions), user, READ_CAPACITY).select_related(
            "item", "plan_version__plan"
        )
    )
    years = range(cycle.year, cycle.year + YEARS_AHEAD)
    capacity: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    nations: dict[tuple[int, int], set[int]] = defaultdict(set)
    items = {}
    for line in lines:
        items[line.item_id] = line.item
        for year in years:
            totals = capacity[(line.item_id, year)]
            totals[0] += planned_output(line, year, cycle.year)
            totals[1] += line.surge_capacity
            nations[(line.item_id, year)].add(line.plan_version.plan.nation_id)
    demand = {
        (row.item_id, row.year): row
        for row in aggregated_demand(user=user, year_from=years.start, year_to=years.stop - 1)
    }
    missing = {item_id for item_id, _ in demand} - set(items)
    if missing:
        items.update(Item.objects.in_bulk(missing))
    rows = []
    for item_id, item in sorted(items.items(), key=lambda pair: pair[1].name):
        for year in years:
            row = demand.get((item_id, year))
            total, surge = capacity.get((item_id, year), (0, 0))
            rows.append(
                CapacityRow(
                    item=item,
                    year=year,
                    capacity=total,
                    surge=surge,
                    demanded=row.demanded if row else 0,
                    firm=row.firm if row else 0,
                    nations=len(nations.get((item_id, year), ())),
                )
            )
    return rows
