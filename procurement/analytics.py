"""Procurement analytics: aggregated demand, delivery performance and framework burn-down.

Every figure is computed by a fixed number of GROUP BY queries whatever the data size; Python only
walks the aggregated rows. Who sees what:

- Alliance aggregates (all nations summed): directors, NSPA, the secretariat, board members and
  administrators. Partners and users without a role see none.
- Per-nation figures (the drill-down): NSPA, the secretariat and administrators see every nation; a
  director sees only their own nation's row. The rows come through ``restrict`` so the matrix in
  ``procurement/rules.py`` decides.
- Delivery performance: a director's figures cover only their own nation's call-offs; NSPA, the
  secretariat and board members see the whole Alliance.

Aggregates do not reveal rows (``portal.aggregates``): a reader who may not read every row under a
figure (a director, a board member) sees no figure built from fewer than ``AGGREGATE_MIN_NATIONS``
nations besides their own, and no framework they may not read. The cached figures carry the nations
behind each cell; the rule is applied per reader after the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, ExtractQuarter, ExtractYear
from django.utils.translation import gettext

from portal import aggregates
from portal.aggregates import NationIds, nation_ids
from portal.choices import Role
from portal.exceptions import Forbidden, NotFound
from portal.models import ObjectChange
from portal.permissions import VIEW, may, reads_all, restrict
from procurement.choices import Firmness, FrameworkStatus
from procurement.models import (
    CallOff,
    CallOffLine,
    Delivery,
    DemandSignal,
    FrameworkContract,
    FrameworkLine,
    ScheduledDelivery,
)
from procurement.money import money

ALLIANCE_READERS = frozenset({Role.DIRECTOR, Role.NSPA, Role.SECRETARIAT, Role.BOARD_MEMBER})
# A director is in this set too, but ``restrict`` narrows their rows to their own nation.
NATION_READERS = frozenset({Role.DIRECTOR, Role.NSPA, Role.SECRETARIAT})
# Frameworks whose maxima count as contracted: drafts were never signed, terminated ones ended early.
CONTRACTED_STATUSES = (FrameworkStatus.ACTIVE, FrameworkStatus.EXPIRED)
P90 = 0.9
# Computed figures are kept this long at most; any procurement write invalidates them sooner.
CACHE_SECONDS = 600
# Part of every cache key: rows cached in an older shape (without the nations behind each figure)
# would read as built from no nation and be shown to everyone.
CACHE_FORMAT = 2
# Tells processes apart where the database has no identity of its own (SQLite: local-memory cache).
_PROCESS_TOKEN = uuid.uuid4().hex


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_read_alliance_aggregates(user) -> bool:
    return _signed_in(user) and (user.is_superuser or user.role in ALLIANCE_READERS)


def may_drill_down(user) -> bool:
    """Whether the user may see per-nation rows at all (a director: only their own)."""
    return _signed_in(user) and (user.is_superuser or user.role in NATION_READERS)


def _ensure_alliance_reader(user) -> None:
    if not may_read_alliance_aggregates(user):
        raise Forbidden("Alliance aggregates are not released to your role.")


# --- SQL helpers --------------------------------------------------------------------------------


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (two date expressions), on PostgreSQL and SQLite."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        # date - date is an integer number of days in PostgreSQL.
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def sql_has_percentile() -> bool:
    """PostgreSQL computes percentiles itself; SQLite (the embedded default) has no such aggregate."""
    return connection.vendor == "postgresql"


def percentile_cont(counts: Mapping[float, int], fraction: float) -> float | None:
    """The continuous percentile of a histogram ``{value: how many}``, as PostgreSQL's
    ``percentile_cont`` computes it: linear interpolation at position ``fraction * (n - 1)``."""
    ordered = sorted((value, n) for value, n in counts.items() if n > 0)
    total = sum(n for _, n in ordered)
    if total == 0:
        return None
    position = fraction * (total - 1)
    lower_index, upper_index = math.floor(position), math.ceil(position)

    def value_at(index: int) -> float:
        seen = 0
        for value, n in ordered:
            seen += n
            if index < seen:
                return float(value)
        return float(ordered[-1][0])

    lower = value_at(lower_index)
    upper = value_at(upper_index)
    return lower + (upper - lower) * (position - lower_index)


def _year_bounds(field_name: str, year_from: int | None, year_to: int | None) -> Q:
    """A date range condition on whole years (keeps an index on the date column usable)."""
    condition = Q()
    if year_from is not None:
        condition &= Q(**{f"{field_name}__gte": dt.date(year_from, 1, 1)})
    if year_to is not None:
        condition &= Q(**{f"{field_name}__lte": dt.date(year_to, 12, 31)})
    return condition


# --- Aggregated demand --------------------------------------------------------------------------


@dataclass
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
    orders = orders.filter(_year_bounds("call_off__order_date", year_from, year_to))
    deliveries = deliveries.filter(_year_bounds("delivered_on", year_from, year_to))
    if item is not None:
        demand = demand.filter(item=item)
        orders = orders.filter(framework_line__item=item)
        deliveries = deliveries.filter(call_off_line__framework_line__item=item)
    return _Sources(demand, orders, deliveries)


def _sum_into(
    sources: _Sources, row, *, demand: dict, orders: dict, deliveries: dict, nations: bool = False
) -> None:
    """Demanded and firm, ordered and delivered, each grouped by its source's keys (the same names
    in the three dicts), added to ``row(entry)``: three GROUP BY queries. With ``nations``, each
    figure's nations are collected in the same queries (into ``DemandRow``'s ``*_nations``)."""
    firm = Q(firmness=Firmness.FIRM)
    demand_ids = (
        {
            "d_ids": NationIds("nation"),
            "f_ids": NationIds("nation", filter=firm),
            "n_ids": NationIds("nation", filter=~firm),
        }
        if nations
        else {}
    )
    for entry in (
        sources.demand.values(**demand)
        .annotate(demanded=Sum("quantity"), firm=Sum("quantity", filter=firm), **demand_ids)
        .order_by()
    ):
        target = row(entry)
        target.demanded, target.firm = entry["demanded"] or 0, entry["firm"] or 0
        if nations:
            target.demand_nations = nation_ids(entry["d_ids"])
            target.firm_nations = nation_ids(entry["f_ids"])
            target.nonfirm_nations = nation_ids(entry["n_ids"])
    order_ids = {"ids": NationIds("call_off__nation")} if nations else {}
    for entry in sources.orders.values(**orders).annotate(total=Sum("quantity"), **order_ids).order_by():
        target = row(entry)
        target.ordered = entry["total"] or 0
        if nations:
            target.order_nations = nation_ids(entry["ids"])
    delivery_ids = {"ids": NationIds("call_off_line__call_off__nation")} if nations else {}
    for entry in (
        sources.deliveries.values(**deliveries)
        .annotate(total=Sum("quantity_delivered"), **delivery_ids)
        .order_by()
    ):
        target = row(entry)
        target.delivered = entry["total"] or 0
        if nations:
            target.delivery_nations = nation_ids(entry["ids"])


def _fetch(sql: str, params) -> list[tuple]:
    """Run SQL composed from ORM-compiled, already scoped subqueries (never from user input)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _data_stamp() -> tuple:
    """Moves whenever the data behind the figures may have changed, in one cheap query (max of
    primary keys: index lookups). Every service write records an ObjectChange in its own
    transaction; the other tables' ids also catch rows loaded in bulk without the services. On
    PostgreSQL the database's oid tells a recreated database (tests) from the old one."""
    tables = [ObjectChange, Delivery, CallOffLine, DemandSignal, FrameworkLine, FrameworkContract]
    parts = [f"(SELECT MAX(id) FROM {model._meta.db_table})" for model in tables]  # noqa: S608
    if connection.vendor == "postgresql":
        parts.append("(SELECT oid FROM pg_database WHERE datname = current_database())")
    else:
        parts.append(f"'{_PROCESS_TOKEN}'")
    return (connection.settings_dict["NAME"], *_fetch("SELECT " + ", ".join(parts), [])[0])


def _cached(name: str, scope: str, params: tuple, compute):
    """``compute()`` once per data version, scope and parameters; figures at 1M deliveries take
    seconds to aggregate, a cache hit one query. Rows in different scopes never share a key."""
    raw = repr((CACHE_FORMAT, name, scope, params, _data_stamp()))
    key = "procurement-analytics:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _nations_participating(sources: _Sources) -> dict[tuple[int, int], int]:
    """Distinct nations with demand or call-offs, per (item, year): one UNION + GROUP BY query."""
    demand = sources.demand.annotate(k_item=F("item_id"), k_year=F("year"), k_nation=F("nation_id"))
    orders = sources.orders.annotate(
        k_item=F("framework_line__item_id"),
        k_year=ExtractYear("call_off__order_date"),
        k_nation=F("call_off__nation_id"),
    )
    union = (
        demand.values_list("k_item", "k_year", "k_nation")
        .order_by()
        .union(orders.values_list("k_item", "k_year", "k_nation").order_by())
    )
    sql, params = union.query.sql_with_params()
    return {
        (item_id, int(year)): count
        for item_id, year, count in _fetch(
            f"SELECT u.k_item, u.k_year, COUNT(*) FROM ({sql}) u GROUP BY u.k_item, u.k_year",  # noqa: S608
            params,
        )
    }


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
    _ensure_alliance_reader(user)
    # Alliance totals are the same for every reader: one cache entry for all of them.
    rows = _cached(
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
    shown = []
    for row in rows:
        figures = {
            "demanded": demand.keep(row.demanded, row.demand_nations),
            "firm": demand.keep(row.firm, row.demand_nations, row.firm_nations, row.nonfirm_nations),
            "ordered": orders.keep(row.ordered, row.order_nations),
            "delivered": deliveries.keep(row.delivered, row.delivery_nations),
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
        key = (item_id, int(year))
        if key not in rows:
            rows[key] = DemandRow(item_id=item_id, year=int(year))
        return rows[key]

    _sum_into(
        sources,
        lambda entry: row(entry["k_a"], entry["k_b"]),
        demand={"k_a": F("item_id"), "k_b": F("year")},
        orders={"k_a": F("framework_line__item_id"), "k_b": ExtractYear("call_off__order_date")},
        deliveries={"k_a": F("call_off_line__framework_line__item_id"), "k_b": ExtractYear("delivered_on")},
        nations=True,
    )
    for (item_id, year), count in _nations_participating(sources).items():
        row(item_id, year).nations = count

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
    scope = "alliance" if user.is_superuser or user.role != Role.DIRECTOR else f"nation:{user.nation_id}"
    return _cached(
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
    _ensure_alliance_reader(user)
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
    _ensure_alliance_reader(user)
    merged = not frameworks_named(user)
    if merged:
        # A supplier picks frameworks: the difference of two pages would give a withheld cell back.
        supplier = None
    if may(user, Delivery, VIEW) and not reads_all(user, Delivery):
        scope = f"nation:{user.nation_id}"
    else:
        scope = "alliance:merged" if merged else "alliance"
    performance = _cached(
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
    grouped = _fetch(
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
        for item_id, year, quarter, average, p90_value in _fetch(
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
        for item_id, framework_id, year, quarter, lead, count in _fetch(
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


# --- Framework burn-down ------------------------------------------------------------------------


def framework_burndown(*, framework: FrameworkContract, user=None) -> dict:
    """Committed value against the ceiling, per nation, for the framework page's chart.

    ``share_pct`` is a nation's committed value as a percentage of the ceiling. With ``user`` given,
    the nations whose call-offs the user may not read (for a director, every other nation) are summed
    into one "Other nations" slice, shown only when it holds at least ``AGGREGATE_MIN_NATIONS``
    nations. Else it is withheld, and so are the framework's committed and remaining value: either,
    less the reader's own slice, gives it back. The lines' ordered quantities are withheld, all of
    them, when any line has orders from too few such nations: with the committed value shown, the
    lines shown would give the others back.
    One query (call-off lines grouped by nation and framework line); the totals come from the row.
    """
    reader = aggregates.EXEMPT if user is None else aggregates.audience(user, CallOff, CallOffLine)
    ceiling = framework.ceiling_value
    slices: dict[int, dict] = {}
    line_nations: dict[int, set[int]] = defaultdict(set)
    for entry in (
        CallOffLine.objects.filter(call_off__framework=framework)
        .values(
            "framework_line_id",
            nation=F("call_off__nation_id"),
            code=F("call_off__nation__code"),
            name=F("call_off__nation__name"),
        )
        .annotate(committed=Sum("value"))
        .order_by()
    ):
        part = slices.setdefault(
            entry["nation"],
            {
                "nation": entry["nation"],
                "code": entry["code"],
                "name": entry["name"],
                "committed": Decimal("0"),
            },
        )
        part["committed"] += entry["committed"] or Decimal("0")
        line_nations[entry["framework_line_id"]].add(entry["nation"])

    def share(value: Decimal) -> float:
        return round(float(value / ceiling * 100), 2) if ceiling else 0.0

    split = aggregates.partition(
        sorted(slices.values(), key=lambda part: (-part["committed"], part["name"])),
        nations=lambda part: {part["nation"]},
        audience=reader,
        merge=True,
    )
    nations = []
    for part in split.shown:
        # SQLite's SUM drops trailing zeros; cents as on the framework row, whatever the database.
        value = money(part["committed"])
        nations.append(
            {"code": part["code"], "name": part["name"], "committed": value, "share_pct": share(value)}
        )
    if split.merged:
        others = money(sum((part["committed"] for part in split.merged), Decimal("0")))
        nations.append(
            {"code": "", "name": gettext("Other nations"), "committed": others, "share_pct": share(others)}
        )
    committed = framework.committed_value
    return {
        "chart_id": f"burndown-{framework.pk}",
        "currency": framework.currency,
        "ceiling": ceiling,
        "committed": committed if split.complete else None,
        "remaining": ceiling - committed if split.complete else None,
        "nations": nations,
        "others_withheld": not split.complete,
        "ordered_withheld": any(reader.hides(ordering) for ordering in line_nations.values()),
        "minimum": aggregates.minimum(),
    }
