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
from fractions import Fraction

from django.db.models import BigIntegerField, F, Func, Max, OuterRef, QuerySet, Subquery

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
    """Output of one capacity line in ``year`` under the rule in the module docstring; a year
    between two whole outputs rounds half to even, exactly (``PlannedOutput`` is the same rule
    in SQL, and the two must agree on every line: floats would round 31.5 down to 31)."""
    start = max(cycle_year, line.baseline_year)
    if year <= start or line.target_year <= start:
        return line.current_output if year < line.target_year else line.target_output
    if year >= line.target_year:
        return line.target_output
    share = Fraction(year - start, line.target_year - start)
    return round(line.current_output + share * (line.target_output - line.current_output))


# Outputs up to this take PostgreSQL's bigint arithmetic in PlannedOutput (2**40).
SMALL_OUTPUT = 1_099_511_627_776


class PlannedOutput(Func):
    """``planned_output`` of each ``CapacityLine`` row in ``year`` (for a plan of ``cycle_year``),
    as SQL, so that planned capacity is summed in the database: ``Sum(PlannedOutput(...))``.

    The same rule, the same rounding (half to even, exact): the target from the target year on;
    the current output up to the start (the later of the cycle year and the baseline year); between
    them ``(current * (target_year - year) + target * (year - start)) / (target_year - start)``,
    its remainder rounded. Each column is compiled once and the years are written in as integers,
    so the expression costs Django nothing to build for every year of a view. Outputs reach
    2**63 - 1, so PostgreSQL takes the products in exact decimals rather than overflow a bigint.
    """

    # Whole numbers: PostgreSQL answers an exact decimal (its sums may pass 2**63), read with int();
    # a DecimalField would pass SQLite's integers through a 15-digit float.
    output_field = BigIntegerField()

    def __init__(self, year: int, cycle_year: int):
        super().__init__(F("current_output"), F("target_output"), F("baseline_year"), F("target_year"))
        self.year, self.cycle_year = int(year), int(cycle_year)

    def as_sql(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        (current, target, baseline, target_year), params = zip(*compiled, strict=True)
        if any(params):  # each column's SQL is written several times: it must carry no parameter
            raise NotImplementedError("PlannedOutput reads plain columns only")
        if connection.vendor != "postgresql":
            return self._rule(current, target, baseline, target_year), []
        # Exact decimals cost PostgreSQL twice the time of bigints (bench/boards.py). Outputs within
        # 2**40 cannot overflow a bigint here (years are small integers, below 2**15, so every
        # product stays below 2**56): those lines take the bigint arithmetic, the rest the decimal
        # one. Both give the same whole numbers.
        exact = self._rule(f"CAST({current} AS NUMERIC)", f"CAST({target} AS NUMERIC)", baseline, target_year)
        fast = self._rule(current, target, baseline, target_year)
        small = " AND ".join(f"{col} BETWEEN -{SMALL_OUTPUT} AND {SMALL_OUTPUT}" for col in (current, target))
        return f"(CASE WHEN {small} THEN {fast} ELSE {exact} END)", []

    def _rule(self, current: str, target: str, baseline: str, target_year: str) -> str:
        year, cycle_year = self.year, self.cycle_year
        if year <= cycle_year:  # the start is never before the cycle year: no year between the ends
            return f"(CASE WHEN {target_year} <= {year} THEN {target} ELSE {current} END)"
        start = f"(CASE WHEN {baseline} > {cycle_year} THEN {baseline} ELSE {cycle_year} END)"
        whole = f"({current} * ({target_year} - {year}) + {target} * ({year} - {start}))"
        span = f"({target_year} - {start})"
        remainder = f"({whole} %% {span})"
        quotient = f"(({whole} - {remainder}) / {span})"
        half_even = f"2 * {remainder} > {span} OR (2 * {remainder} = {span} AND {quotient} %% 2 = 1)"
        return (
            f"(CASE WHEN {target_year} <= {year} THEN {target} WHEN {baseline} >= {year} THEN {current} "
            f"ELSE {quotient} + CASE WHEN {half_even} THEN 1 ELSE 0 END END)"
        )


def submitted_versions(cycle: PlanCycle) -> QuerySet:
    """The ids of each plan's latest submitted (frozen) version in ``cycle``: where planned capacity
    is read from. A draft, even one newer than the submitted version, is never among them."""
    latest = (
        PlanVersion.objects.filter(plan=OuterRef("plan"), frozen=True)
        .values("plan")
        .annotate(last=Max("number"))
        .values("last")
    )
    return PlanVersion.objects.filter(plan__cycle=cycle, frozen=True, number=Subquery(latest)).values("pk")


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
    versions = submitted_versions(cycle)
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
