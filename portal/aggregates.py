"""Aggregates do not reveal rows (DESIGN.md, convention 13).

An aggregate shown to a reader who may not read every row under it withholds each cell built from
fewer than ``settings.AGGREGATE_MIN_NATIONS`` nations, and the page says how many it withheld. A
cell is counted by the distinct nations whose rows make it up, never by its rows: a hundred
deliveries to one nation are still that nation's figure.

Readers are taken to know their own nation's figures (a director files them), so a cell counts the
nations besides the reader's own: a total less the reader's own share would otherwise give away the
others. Readers who may read every row of the underlying models see every cell.

The rule runs on rows already aggregated. ``NationIds`` (ORM) and ``nation_ids_sql`` (hand-written
SQL) collect each group's distinct nations in the same GROUP BY that sums the group, and
``nation_ids`` reads them back, so applying the rule costs no query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.conf import settings
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, LessThan

from portal.permissions import reads_all

T = TypeVar("T")

# Each backend's way to list a group's distinct values in one text column ("4,17,23").
_NATION_IDS_SQL = {
    "postgresql": "STRING_AGG(DISTINCT CAST({} AS TEXT), ',')",
    "sqlite": "GROUP_CONCAT(DISTINCT {})",
}


def minimum() -> int:
    """The fewest nations a withheld-from cell must be built from; read per call so tests can change it."""
    return settings.AGGREGATE_MIN_NATIONS


def nation_ids_sql(column: str, vendor: str) -> str:
    """SQL collecting the distinct values of ``column`` (nation ids) of each group as text."""
    try:
        return _NATION_IDS_SQL[vendor].format(column)
    except KeyError:
        raise NotImplementedError(f"No nation-id aggregate for the {vendor} backend") from None


class NationIds(Aggregate):
    """The distinct nation ids of each group, as text for ``nation_ids``; takes ``filter=`` like
    any aggregate."""

    name = "NationIds"
    output_field = CharField()
    empty_result_set_value = None

    def as_sql(self, compiler, connection, **extra_context):
        # On the template, not passed in: Aggregate.as_sql passes its own template with a filter.
        clone = self.copy()
        clone.template = nation_ids_sql("%(expressions)s", connection.vendor)
        return super(NationIds, clone).as_sql(compiler, connection, **extra_context)


# The same list without DISTINCT, for groups that hold each nation once (a unique constraint says
# so): the sort DISTINCT does in every group was most of aggregated demand's query.
_NATION_LIST_SQL = {
    "postgresql": "STRING_AGG(CAST({} AS TEXT), ',')",
    "sqlite": "GROUP_CONCAT({})",
}


class NationIdList(Aggregate):
    """Each group's nation ids as text for ``nation_ids``, like ``NationIds`` but not made
    distinct: only for groups in which each nation has one row (a unique constraint on the
    group's keys and the nation, as on the per-year running totals)."""

    name = "NationIdList"
    output_field = CharField()
    empty_result_set_value = None

    def as_sql(self, compiler, connection, **extra_context):
        clone = self.copy()
        try:
            clone.template = _NATION_LIST_SQL[connection.vendor].format("%(expressions)s")
        except KeyError:
            raise NotImplementedError(f"No nation-id aggregate for the {connection.vendor} backend") from None
        return super(NationIdList, clone).as_sql(compiler, connection, **extra_context)


class SignedNationIds(NationIdList):
    """Each group's nation ids, negated on the rows where ``negative`` holds, as text for
    ``signed_nation_ids``: two nation sets (say, firm demand and the rest) in one aggregate.

    Only for groups in which each nation has one row (a unique constraint on the group's keys
    and the nation): the list is not made distinct."""

    name = "SignedNationIds"

    def __init__(self, nation: str, *, negative: Q, **extra):
        signed = Case(When(negative, then=-F(nation)), default=F(nation), output_field=IntegerField())
        super().__init__(signed, **extra)


@functools.lru_cache(maxsize=8192)
def signed_nation_ids(value: str | None) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """What ``SignedNationIds`` collected: every nation, those on the positive rows, and those on
    the negative ones."""
    if not value:
        return frozenset(), frozenset(), frozenset()
    ids = [int(part) for part in value.split(",")]
    positive = frozenset(i for i in ids if i > 0)
    negative = frozenset(-i for i in ids if i < 0)
    return positive | negative, positive, negative


@functools.lru_cache(maxsize=8192)
def nation_ids(value: str | None) -> frozenset[int]:
    """The nation ids collected by ``NationIds`` or ``nation_ids_sql``. Remembered: an Alliance
    aggregate repeats a few lists ("every Ally") in thousands of cells, and parsing them again took
    a fifth of the capacity view's time (bench/boards.py)."""
    return frozenset(map(int, value.split(","))) if value else frozenset()


@dataclass(frozen=True)
class Audience:
    """Who reads an aggregate: ``exempt`` when they may read every row under it, ``known`` the
    nations whose figures they are taken to know already (their own)."""

    exempt: bool
    known: frozenset[int] = frozenset()

    def hides(self, nations: Collection[int], least: int | None = None) -> bool:
        """Whether a cell built from ``nations`` is withheld from this reader. An empty cell (no
        nation) reveals nobody's figure and is shown. ``least``: ``minimum()``, when the caller
        has read it already."""
        if self.exempt or not nations:
            return False
        least = minimum() if least is None else least
        if len(nations) - len(self.known) >= least:  # enough nations whoever they are: no set work
            return False
        unknown = len(frozenset(nations) - self.known)
        return 0 < unknown < least

    def keep(self, value: T, *nation_sets: Collection[int], least: int | None = None) -> T | None:
        """``value``, or None when any of the cells it is derived from is withheld. ``least`` as
        for ``hides``: a caller keeping thousands of cells reads the setting once."""
        if self.exempt:
            return value
        least = minimum() if least is None else least
        for nations in nation_sets:
            if self.hides(nations, least):
                return None
        return value


EXEMPT = Audience(exempt=True)


def audience(user, *models: type[Model]) -> Audience:
    """``user`` as the reader of an aggregate over rows of ``models``: exempt when they may read
    every row of each (``portal.permissions.reads_all``)."""
    exempt = all(reads_all(user, model) for model in models)
    own = getattr(user, "nation_id", None)
    return Audience(exempt=exempt, known=frozenset({own}) if own else frozenset())


@dataclass(frozen=True)
class Partition(Generic[T]):
    """Cells split for one reader: ``shown`` one by one; ``merged``, hidden alone but shown summed
    together (the caller adds them up into one remainder); ``suppressed``, not shown in any form."""

    shown: list[T]
    merged: list[T] = field(default_factory=list)
    suppressed: list[T] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether a total over every cell may be shown: with a cell suppressed, the total less the
        cells shown would give it back."""
        return not self.suppressed


def partition(
    cells: Iterable[T],
    *,
    nations: Callable[[T], Collection[int]],
    audience: Audience,
    merge: bool = False,
) -> Partition[T]:
    """Split ``cells`` for ``audience``; ``nations(cell)`` gives the nations a cell is built from.

    Without ``merge``, a cell is shown unless ``audience.hides`` it. With ``merge``, the cells are
    labelled by nation (one slice per nation): a reader who is not exempt sees apart only the cells
    of nations they know, and the others summed into one remainder, kept when the nations in it
    together pass the rule, else suppressed. Order is preserved.
    """
    shown: list[T] = []
    hidden: list[T] = []
    for cell in cells:
        if merge:
            alone = audience.exempt or frozenset(nations(cell)) <= audience.known
        else:
            alone = not audience.hides(nations(cell))
        (shown if alone else hidden).append(cell)
    if merge and hidden:
        together = frozenset().union(*(nations(cell) for cell in hidden))
        if not audience.hides(together):
            return Partition(shown, merged=hidden)
    return Partition(shown, suppressed=hidden)


def hides_sql(rows: QuerySet, *, group: str, nation: str, audience: Audience) -> Expression:
    """``Audience.hides`` as SQL, to annotate rows that carry a stored aggregate (a framework's
    committed value): true when the cell made of ``rows`` is withheld from ``audience``.

    ``rows`` is correlated to the annotated row with ``OuterRef`` on ``group`` (the path back to
    it); ``nation`` is the path from ``rows``' model to the nation. One subquery in the annotated
    query, no query of its own."""
    if audience.exempt:
        return Value(False, output_field=BooleanField())
    unknown = rows.exclude(**{f"{nation}__in": sorted(audience.known)}) if audience.known else rows
    count = Coalesce(
        Subquery(unknown.order_by().values(group).annotate(n=Count(nation, distinct=True)).values("n")[:1]),
        0,
    )
    return ExpressionWrapper(
        Q(GreaterThan(count, 0)) & Q(LessThan(count, minimum())), output_field=BooleanField()
    )
