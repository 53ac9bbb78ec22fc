"""What procurement's analytics share: the SQL helpers and the cache of computed figures.

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
from collections.abc import Mapping

from django.core.cache import cache
from django.db import connection
from django.db.models import Func, IntegerField, Q

from portal.exceptions import Forbidden
from portal.models import ObjectChange
from procurement.choices import FrameworkStatus
from procurement.models import (
    CallOffLine,
    Delivery,
    DemandSignal,
    FrameworkContract,
    FrameworkLine,
)
from procurement.rules import may_read_alliance_aggregates

# Frameworks whose maxima count as contracted: drafts were never signed, terminated ones ended early.
CONTRACTED_STATUSES = (FrameworkStatus.ACTIVE, FrameworkStatus.EXPIRED)


# Computed figures are kept this long at most; any procurement write invalidates them sooner.
CACHE_SECONDS = 600


# Part of every cache key: rows cached in an older shape (without the nations behind each figure)
# would read as built from no nation and be shown to everyone. 3: the rows have slots.
CACHE_FORMAT = 3


# Tells processes apart where the database has no identity of its own (SQLite: local-memory cache).
_PROCESS_TOKEN = uuid.uuid4().hex


def ensure_alliance_reader(user) -> None:
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


def year_bounds(field_name: str, year_from: int | None, year_to: int | None) -> Q:
    """A date range condition on whole years (keeps an index on the date column usable)."""
    condition = Q()
    if year_from is not None:
        condition &= Q(**{f"{field_name}__gte": dt.date(year_from, 1, 1)})
    if year_to is not None:
        condition &= Q(**{f"{field_name}__lte": dt.date(year_to, 12, 31)})
    return condition


def fetch(sql: str, params) -> list[tuple]:
    """Run SQL composed from ORM-compiled, already scoped subqueries (never from user input)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def data_stamp() -> tuple:
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
    return (connection.settings_dict["NAME"], *fetch("SELECT " + ", ".join(parts), [])[0])


def cached(name: str, scope: str, params: tuple, compute):
    """``compute()`` once per data version, scope and parameters; figures at 1M deliveries take
    seconds to aggregate, a cache hit one query. Rows in different scopes never share a key."""
    raw = repr((CACHE_FORMAT, name, scope, params, data_stamp()))
    key = "procurement-analytics:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
