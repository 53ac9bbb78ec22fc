"""Delivery performance: on-time share and lead times per item, framework and quarter, the
backlog of open lines, and the lead-time trend."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Count, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Cast, ExtractQuarter, ExtractYear

from portal import aggregates
from portal.aggregates import NationIds, nation_ids
from portal.permissions import VIEW, may, reads_all, restrict
from procurement.analytics.common import (
    DaysBetween,
    cached,
    ensure_alliance_reader,
    fetch,
    percentile_cont,
    sql_has_percentile,
)
from procurement.models import (
    CallOffLine,
    Delivery,
    FrameworkContract,
    ScheduledDelivery,
)

P90 = 0.9


# --- Delivery performance -----------------------------------------------------------------------


@dataclass
class PerformanceRow:
    """Deliveries of one item under one framework (None: every framework, for a reader who may not
    read frameworks), accepted in one quarter."""

    item_id: int
    framework_id: int | None
    year: int
    quarter: int
    deliveries: int
    accepted: int
    on_time_quantity: int
    scheduled_quantity: int
    average_lead_days: float | None
    p90_lead_days: float | None
    nation_ids: frozenset[int] = frozenset()

    @property
    def period(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def on_time_share(self) -> float | None:
        """Share of the delivered quantity (on scheduled lines) that came on time, 0-1."""
        if not self.scheduled_quantity:
            return None
        return self.on_time_quantity / self.scheduled_quantity


@dataclass
class BacklogRow:
    """What is still owed on open call-off lines of one item under one framework."""

    item_id: int
    framework_id: int | None
    open_lines: int
    backlog: int
    nation_ids: frozenset[int] = frozenset()


@dataclass
class LeadTimePoint:
    period: str
    average_lead_days: float | None
    p90_lead_days: float | None
    nation_ids: frozenset[int] = frozenset()


@dataclass
class DeliveryPerformance:
    rows: list[PerformanceRow]
    backlog: list[BacklogRow]
    # Per item id: lead time by quarter across all frameworks (the chart).
    trend: dict[int, list[LeadTimePoint]] = field(default_factory=dict)
    # Rows summed over every framework: the reader may not read frameworks.
    frameworks_merged: bool = False
    # Table rows (figures and backlog) withheld from this reader: built from too few nations.
    withheld: int = 0


def _performance_scope(queryset: QuerySet, user) -> QuerySet:
    """The rows the user may read (a director: their own nation's call-offs), via ``restrict``. An
    Alliance reader without a grant on these rows (a board member) reads figures over every row,
    which ``_withhold_performance`` then thins."""
    ensure_alliance_reader(user)
    if may(user, queryset.model, VIEW):
        return restrict(queryset, user, VIEW)
    return queryset


def frameworks_named(user) -> bool:
    """Whether delivery performance is shown per framework (and may be filtered by supplier): not
    to readers who may not read frameworks."""
    return may(user, FrameworkContract, VIEW)


def _framework_key(path: str, merged: bool):
    """The framework a figure is grouped by; merged, one NULL group for every framework."""
    return Cast(Value(None), IntegerField()) if merged else F(path)


def delivery_performance(*, user, item=None, supplier=None) -> DeliveryPerformance:
    """On-time share, average and p90 lead time by quarter of acceptance, and backlog, per item and
    framework (its suppliers), ordered by item, framework and quarter.

    - A delivery counts once it has an acceptance date and accepted something.
    - Lead time: days from the call-off's order date to the delivery's acceptance.
    - On time: delivered on or before the last scheduled due date of its call-off line, measured on
      delivered quantity; lines without a schedule are left out of the on-time share.
    - p90 is PostgreSQL's ``percentile_cont(0.9)``; on SQLite it is computed from a per-quarter
      histogram of lead days (aggregated in SQL) with the same interpolation.
    """
    ensure_alliance_reader(user)
    merged = not frameworks_named(user)
    if merged:
        # A supplier picks frameworks: the difference of two pages would give a withheld cell back.
        supplier = None
    if may(user, Delivery, VIEW) and not reads_all(user, Delivery):
        scope = f"nation:{user.nation_id}"
    else:
        scope = "alliance:merged" if merged else "alliance"
    performance = cached(
        "delivery_performance",
        scope,
        (getattr(item, "pk", None), getattr(supplier, "pk", None)),
        lambda: _delivery_performance(user=user, item=item, supplier=supplier, merged=merged),
    )
    return _withhold_performance(performance, user)


def _withhold_performance(performance: DeliveryPerformance, user) -> DeliveryPerformance:
    """Drop the rows, backlog rows and chart points built from too few nations for ``user``."""
    reader = aggregates.audience(user, Delivery, CallOffLine)
    rows = aggregates.partition(performance.rows, nations=lambda r: r.nation_ids, audience=reader)
    backlog = aggregates.partition(performance.backlog, nations=lambda r: r.nation_ids, audience=reader)
    trend = {
        item_id: kept
        for item_id, points in performance.trend.items()
        if (kept := [p for p in points if not reader.hides(p.nation_ids)])
    }
    return replace(
        performance,
        rows=rows.shown,
        backlog=backlog.shown,
        trend=trend,
        withheld=len(rows.suppressed) + len(backlog.suppressed),
    )


def _delivery_performance(*, user, item, supplier, merged: bool) -> DeliveryPerformance:
    deliveries = _performance_scope(Delivery.objects.all(), user).filter(
        accepted_on__isnull=False, quantity_accepted__gt=0
    )
    lines = _performance_scope(CallOffLine.objects.all(), user)
    if item is not None:
        deliveries = deliveries.filter(call_off_line__framework_line__item=item)
        lines = lines.filter(framework_line__item=item)
    if supplier is not None:
        frameworks = FrameworkContract.objects.filter(suppliers=supplier).values("pk")
        deliveries = deliveries.filter(call_off_line__call_off__framework__in=frameworks)
        lines = lines.filter(call_off__framework__in=frameworks)

    # Each delivery's keys, scoped by the ORM (restrict); the SQL below only groups them.
    keyed = deliveries.values(
        k_line=F("call_off_line_id"),
        k_item=F("call_off_line__framework_line__item_id"),
        k_framework=_framework_key("call_off_line__call_off__framework_id", merged),
        k_nation=F("call_off_line__call_off__nation_id"),
        k_year=ExtractYear("accepted_on"),
        k_quarter=ExtractQuarter("accepted_on"),
        k_lead=DaysBetween("call_off_line__call_off__order_date", "accepted_on"),
        k_delivered_on=F("delivered_on"),
        k_delivered=F("quantity_delivered"),
        k_accepted=F("quantity_accepted"),
    ).order_by()
    keyed_sql, params = keyed.query.sql_with_params()
    # The last due date per line, joined once (a correlated subquery per delivery is ~100x slower).
    schedule = ScheduledDelivery._meta.db_table
    source = (
        f"({keyed_sql}) d LEFT JOIN (SELECT call_off_line_id AS line_id, MAX(due_date) AS last_due "  # noqa: S608
        f"FROM {schedule} GROUP BY call_off_line_id) due ON due.line_id = d.k_line"
    )
    postgres = sql_has_percentile()
    p90 = f"PERCENTILE_CONT({P90!r}) WITHIN GROUP (ORDER BY d.k_lead)" if postgres else "NULL"
    nations = aggregates.nation_ids_sql("d.k_nation", connection.vendor)
    grouped = fetch(
        f"SELECT d.k_item, d.k_framework, d.k_year, d.k_quarter, COUNT(*), SUM(d.k_accepted), "  # noqa: S608
        f"SUM(CASE WHEN d.k_delivered_on <= due.last_due THEN d.k_delivered ELSE 0 END), "
        f"SUM(CASE WHEN due.last_due IS NOT NULL THEN d.k_delivered ELSE 0 END), "
        f"AVG(d.k_lead), {p90}, {nations} FROM {source} "
        f"GROUP BY d.k_item, d.k_framework, d.k_year, d.k_quarter "
        f"ORDER BY d.k_item, d.k_framework, d.k_year, d.k_quarter",
        params,
    )
    rows = [
        PerformanceRow(
            item_id=entry[0],
            framework_id=entry[1],
            year=int(entry[2]),
            quarter=int(entry[3]),
            deliveries=entry[4],
            accepted=int(entry[5] or 0),
            on_time_quantity=int(entry[6] or 0),
            scheduled_quantity=int(entry[7] or 0),
            average_lead_days=None if entry[8] is None else float(entry[8]),
            p90_lead_days=None if entry[9] is None else float(entry[9]),
            nation_ids=nation_ids(entry[10]),
        )
        for entry in grouped
    ]
    # A chart point sums an item's quarter over frameworks: its nations are those of its rows.
    point_nations: dict[tuple[int, str], frozenset[int]] = defaultdict(frozenset)
    for row in rows:
        point_nations[(row.item_id, row.period)] |= row.nation_ids

    trend: dict[int, list[LeadTimePoint]] = defaultdict(list)
    if postgres:
        for item_id, year, quarter, average, p90_value in fetch(
            f"SELECT d.k_item, d.k_year, d.k_quarter, AVG(d.k_lead), {p90} FROM ({keyed_sql}) d "  # noqa: S608
            f"GROUP BY d.k_item, d.k_year, d.k_quarter ORDER BY d.k_item, d.k_year, d.k_quarter",
            params,
        ):
            period = f"{int(year)}-Q{int(quarter)}"
            trend[item_id].append(
                LeadTimePoint(period, float(average), float(p90_value), point_nations[(item_id, period)])
            )
    else:
        # SQLite has no percentile aggregate: fetch each group's histogram of lead days instead.
        histograms: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        trend_histograms: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for item_id, framework_id, year, quarter, lead, count in fetch(
            "SELECT d.k_item, d.k_framework, d.k_year, d.k_quarter, d.k_lead, COUNT(*) "  # noqa: S608
            f"FROM ({keyed_sql}) d GROUP BY d.k_item, d.k_framework, d.k_year, d.k_quarter, d.k_lead",
            params,
        ):
            histograms[(item_id, framework_id, int(year), int(quarter))][lead] += count
            trend_histograms[(item_id, int(year), int(quarter))][lead] += count
        for row in rows:
            row.p90_lead_days = percentile_cont(
                histograms[(row.item_id, row.framework_id, row.year, row.quarter)], P90
            )
        for item_id, year, quarter in sorted(trend_histograms):
            counts = trend_histograms[(item_id, year, quarter)]
            average = sum(lead * n for lead, n in counts.items()) / sum(counts.values())
            period = f"{year}-Q{quarter}"
            trend[item_id].append(
                LeadTimePoint(period, average, percentile_cont(counts, P90), point_nations[(item_id, period)])
            )

    backlog = [
        BacklogRow(
            item_id=entry["k_item"],
            framework_id=entry["k_framework"],
            open_lines=entry["open_lines"],
            backlog=entry["backlog"] or 0,
            nation_ids=nation_ids(entry["nations"]),
        )
        for entry in lines.filter(delivered_quantity__lt=F("quantity"))
        .values(
            k_item=F("framework_line__item_id"),
            k_framework=_framework_key("call_off__framework_id", merged),
        )
        .annotate(
            open_lines=Count("pk"),
            backlog=Sum(F("quantity") - F("delivered_quantity")),
            nations=NationIds("call_off__nation"),
        )
        .order_by("k_item", "k_framework")
    ]
    return DeliveryPerformance(rows=rows, backlog=backlog, trend=dict(trend), frameworks_merged=merged)
