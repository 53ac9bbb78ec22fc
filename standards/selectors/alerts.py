"""Interoperability alerts: a nation orders, or firmly demands, an item whose required standard it
has not ratified, has ratified with reservations, or has not implemented.

Alerts are never stored. Each read joins the open sources (call-off lines with a quantity still to
deliver, firm demand for this year or later) to what their item requires and, with a LEFT JOIN, to
the ordering nation's response to that edition; a CASE names the kind. So an alert appears and
goes the moment a response, a requirement or a delivery changes, with nothing to recompute.

Scope: the sources are read through ``restrict`` (a director sees their own nation's orders and
demand), and the reader must hold VIEW on national responses, since an alert tells what a nation
has ratified (partners hold none).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import (
    Case,
    CharField,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from portal.models import Nation
from portal.permissions import VIEW, may, restrict
from procurement.choices import Firmness
from procurement.models import CallOffLine, DemandSignal
from standards.choices import RESPONDABLE, AlertKind, AlertSource, Implementation, Ratification
from standards.models import NationalResponse, Standard

# The keys of every alert row, in the order of the SELECT (both halves of the UNION share it).
FIELDS = (
    "kind",
    "source",
    "source_id",
    "line_id",
    "source_label",
    "nation_id",
    "nation_code",
    "nation_name",
    "item_id",
    "item_name",
    "standard_id",
    "standard_doc_type",
    "standard_number",
    "standard_edition",
    "domain_id",
    "domain_name",
    "ratification",
    "implementation",
    "reservations",
)
# A total order: the last keys break ties between two editions of one number and between two
# lines of one call-off, so pages never repeat or skip a row.
ORDERING = (
    "nation_name",
    "item_name",
    "standard_number",
    "standard_edition",
    "standard_id",
    "source",
    "source_id",
    "line_id",
)
# "%(year)s demand" is split around the year so the label is built in SQL, in the reader's language.
DEMAND_LABEL = pgettext_lazy("alert source", "%(year)s demand")


def _kind(response: str) -> Case:
    """The alert's kind from the nation's response (``response`` is the joined relation's name);
    NULL when the response raises no alert. The WHEN order is the kinds' precedence."""
    ratification = f"{response}__ratification"
    return Case(
        When(
            Q(**{f"{response}__pk__isnull": True})
            | Q(**{f"{ratification}__in": [Ratification.NO_RESPONSE, Ratification.WILL_NOT_RATIFY]}),
            then=Value(AlertKind.NOT_RATIFIED.value),
        ),
        When(Q(**{ratification: Ratification.RESERVATIONS}), then=Value(AlertKind.RESERVATIONS.value)),
        When(
            ~Q(**{f"{response}__implementation": Implementation.IMPLEMENTED}),
            then=Value(AlertKind.NOT_IMPLEMENTED.value),
        ),
        default=None,
        output_field=CharField(),
    )


def _rows(
    queryset: QuerySet,
    *,
    item: str,
    nation: str,
    source: AlertSource,
    source_id: str,
    line_id,
    source_label,
    filters: dict,
) -> QuerySet:
    """One source's alerts as values() rows: ``queryset`` (already restricted and narrowed to
    open rows) joined to its item's requirements and, through a filtered relation, to the
    nation's response to each required edition."""
    requirement = f"{item}__standard_requirements__standard"
    rows = (
        queryset.filter(**{f"{requirement}__status__in": sorted(RESPONDABLE)})
        .annotate(
            response=FilteredRelation(
                f"{requirement}__responses",
                condition=Q(**{f"{requirement}__responses__nation": F(nation)}),
            ),
        )
        .annotate(
            kind=_kind("response"),
            source=Value(source.value, output_field=CharField()),
            source_id=F(source_id),
            line_id=line_id,
            source_label=source_label,
            nation_code=F(f"{nation}__code"),
            nation_name=F(f"{nation}__name"),
            item_name=F(f"{item}__name"),
            standard_id=F(requirement),
            standard_doc_type=F(f"{requirement}__doc_type"),
            standard_number=F(f"{requirement}__number"),
            standard_edition=F(f"{requirement}__edition"),
            domain_id=F(f"{requirement}__domain"),
            domain_name=F(f"{requirement}__domain__name"),
            ratification=F("response__ratification"),
            implementation=F("response__implementation"),
            reservations=Coalesce(F("response__reservations"), Value(""), output_field=TextField()),
        )
    )
    # A demand signal's own nation_id and item_id columns are the keys; a call-off line reaches
    # them through its call-off and framework line.
    own = {field.attname for field in queryset.model._meta.concrete_fields}
    keys = {key: F(path) for key, path in (("nation_id", nation), ("item_id", item)) if key not in own}
    # The narrowing filters name the selected columns, never the relation paths: a second
    # filter() on a multi-valued path (an item's requirements) would join another requirement
    # row, and keep the alerts of any item that has some edition in the domain.
    narrowing = {key if key == "kind" else f"{key}_id": value for key, value in filters.items()}
    rows = rows.annotate(**keys).filter(kind__isnull=False, **narrowing)
    return rows.order_by().values(*FIELDS)


def _pk(value) -> Any:
    return getattr(value, "pk", value)


def _alerts(
    *,
    user,
    nation=None,
    domain=None,
    kind: str | None = None,
    source: str | None = None,
    call_off=None,
    item=None,
    standard=None,
) -> QuerySet:
    """``alert_list`` without its ORDER BY."""
    given = {"nation": nation, "domain": domain, "item": item, "standard": standard, "kind": kind}
    filters = {key: _pk(value) for key, value in given.items() if value is not None}
    readable = may(user, NationalResponse, VIEW)
    with_demand = source in (None, AlertSource.DEMAND) and call_off is None
    parts = []
    # The call-off half is built even when it is not asked for (an unknown ``source``), as an
    # empty one: the result is always the same values() shape.
    if source in (None, AlertSource.CALL_OFF) or not with_demand:
        lines = restrict(CallOffLine.objects.all(), user, VIEW) if readable else CallOffLine.objects.none()
        if source not in (None, AlertSource.CALL_OFF):
            lines = lines.none()
        lines = lines.filter(quantity__gt=F("delivered_quantity"))
        if call_off is not None:
            lines = lines.filter(call_off=_pk(call_off))
        parts.append(
            _rows(
                lines,
                item="framework_line__item",
                nation="call_off__nation",
                source=AlertSource.CALL_OFF,
                source_id="call_off",
                line_id=F("pk"),
                source_label=F("call_off__reference"),
                filters=filters,
            )
        )
    if with_demand:
        demand = restrict(DemandSignal.objects.all(), user, VIEW) if readable else DemandSignal.objects.none()
        demand = demand.filter(firmness=Firmness.FIRM, year__gte=timezone.localdate().year)
        before, _, after = str(DEMAND_LABEL).partition("%(year)s")
        parts.append(
            _rows(
                demand,
                item="item",
                nation="nation",
                source=AlertSource.DEMAND,
                source_id="pk",
                line_id=Value(None, output_field=IntegerField()),
                source_label=Concat(
                    Value(before), Cast("year", CharField()), Value(after), output_field=CharField()
                ),
                filters=filters,
            )
        )
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


def alert_list(**kwargs) -> QuerySet:
    """Every open alert ``user`` may see, as dicts (``FIELDS``), in ``ORDERING``, in one query;
    ``.count()`` and slicing work on both backends (a UNION ALL of call-offs and demand).

    Filters take a model instance or its id: ``nation``, ``domain``, ``item``, ``standard``,
    ``call_off`` (which leaves demand out); ``kind`` an ``AlertKind``; ``source`` an
    ``AlertSource``. For a long list read page by page, ``alert_pages`` is faster."""
    return _alerts(**kwargs).order_by(*ORDERING)


# The lateral page's aliases: neither is a name Django gives a table or a subquery.
_NATION = "alert_nation"
_ROWS = "alert_rows"


class AlertPages:
    """``alert_list(**kwargs)`` read a slice at a time, for a paginator that does not count
    (``django_tables2.paginators.LazyPaginator``): ``pages[50:76]`` is the same list of dicts as
    ``list(alert_list(**kwargs)[50:76])``.

    Why: every alert of the Alliance (50,000 at NSPA's scale) has to be joined and sorted before
    the first 25 of one ORDER BY are known, which costs a plain query about 300 ms. On PostgreSQL
    the slice is instead computed nation by nation (a LATERAL join over the nations in name order,
    the first key of ``ORDERING``), so the planner stops after the nations the slice reaches: the
    first page reads one or two nations' orders. SQLite has no LATERAL; there the slice is the
    plain query's."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __getitem__(self, key: slice) -> list[dict]:
        if not isinstance(key, slice) or key.step is not None or (key.start or 0) < 0 or key.stop is None:
            raise TypeError("AlertPages takes a bounded slice, [start:stop]")
        start = key.start or 0
        connection = connections[router.db_for_read(CallOffLine)]
        if connection.vendor != "postgresql" or key.stop <= start:
            return list(alert_list(**self.kwargs)[start : key.stop])
        try:
            sql, params = self._sql(start, key.stop - start)
        except EmptyResultSet:  # every half is .none(): a reader who may see no alert
            return []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _sql(self, offset: int, limit: int) -> tuple[str, list]:
        kwargs = dict(self.kwargs)
        nation = kwargs.pop("nation", None)
        # The halves' nation filter names the outer nation's row: the correlation of the LATERAL.
        # The SQL here is built from this module's constants and Django's compiled query; every
        # value is a parameter.
        inner = _alerts(**kwargs, nation=RawSQL(f'"{_NATION}"."id"', ()))  # noqa: S611
        inner_sql, inner_params = inner.query.get_compiler(using=inner.db).as_sql()
        nations, nation_params = Nation._meta.db_table, []
        where = ""
        if nation is not None:
            where, nation_params = "WHERE id = %s", [_pk(nation)]
        rest = ", ".join(f'"{_ROWS}"."{key}"' for key in ORDERING[1:])
        # OFFSET 0 keeps the planner from pulling the union up into one hash join of everything.
        sql = (
            f'SELECT "{_ROWS}".* FROM (SELECT id, name FROM "{nations}" {where}) "{_NATION}" '  # noqa: S608
            f'CROSS JOIN LATERAL ({inner_sql} OFFSET 0) "{_ROWS}" '
            f'ORDER BY "{_NATION}"."name", "{_NATION}"."id", {rest} LIMIT %s OFFSET %s'
        )
        return sql, [*nation_params, *inner_params, limit, offset]


def alert_pages(**kwargs) -> AlertPages:
    """``alert_list(**kwargs)`` for reading a page at a time without counting: see ``AlertPages``."""
    return AlertPages(**kwargs)


def alert_count(**kwargs) -> int:
    """How many alerts ``alert_list(**kwargs)`` holds, in one query."""
    return alert_list(**kwargs).count()


class Alert:
    """One ``alert_list`` row with what a page shows of it: labels, designation and the URL of
    its source (the call-off, or the item for demand). The row's keys read as attributes
    (``alert.nation_name``), so a template or a table uses it like an object."""

    __slots__ = ("row",)

    def __init__(self, row: dict):
        self.row = row

    def __getattr__(self, name: str):
        if name == "row":  # not set yet (copy, pickle): no row to look in
            raise AttributeError(name)
        try:
            return self.row[name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other) -> bool:
        return isinstance(other, Alert) and other.row == self.row

    __hash__ = None

    def __repr__(self) -> str:
        return f"<Alert {self.row['kind']} {self.row['nation_code']} {self.designation}>"

    @property
    def designation(self) -> str:
        """ "STANAG 4425 Ed. 2": the edition's own ``__str__``, on an unsaved instance."""
        return str(
            Standard(
                doc_type=self.row["standard_doc_type"],
                number=self.row["standard_number"],
                edition=self.row["standard_edition"],
            )
        )

    @property
    def kind_label(self) -> str:
        return str(AlertKind(self.row["kind"]).label)

    @property
    def source_kind_label(self) -> str:
        return str(AlertSource(self.row["source"]).label)

    @property
    def url(self) -> str:
        return alert_url(self.row)

    @property
    def standard_url(self) -> str:
        return reverse("standards:standard-detail", args=[self.row["standard_id"]])


def alert_url(row: dict) -> str:
    """The page of an alert's source: the call-off, or, for demand, the item demanded."""
    if row["source"] == AlertSource.CALL_OFF:
        return reverse("procurement:call-off-detail", args=[row["source_id"]])
    return reverse("procurement:item-detail", args=[row["item_id"]])


def alerts(rows) -> list[Alert]:
    """``Alert`` wrappers of ``rows`` (a page of ``alert_list``)."""
    return [Alert(row) for row in rows]
