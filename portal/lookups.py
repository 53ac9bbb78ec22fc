"""Query lookups that never send the database a value it cannot hold.

A filter, form or serializer can be handed ``10**30`` for an id, or a string with a NUL byte. No row
can match either: no column holds an integer outside its type's range, and PostgreSQL text cannot
hold NUL. The backends disagree on what to do with them, though: PostgreSQL compares ``10**30`` as a
numeric and finds nothing, SQLite's driver raises ``OverflowError``, and psycopg refuses NUL with a
``ValueError``. Either error is a 500.

Django already bounds plain integer columns (``IntegerFieldOverflow``), but not foreign keys, not
``__in`` lists and not text. The lookups below close those gaps the same way, for every query of
every app: a value out of range matches nothing (or everything, for ``<`` and ``>`` past the far
end), on SQLite and PostgreSQL alike. They are registered once, from ``PortalConfig.ready``.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import CharField, ForeignObject, IntegerField, TextField, lookups
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)

NUL = "\x00"


def _integer_range(field, connection) -> tuple[int, int] | None:
    """The range the column behind ``field`` can hold; None if it is not an integer column."""
    field = getattr(field, "target_field", None) or field  # a foreign key compares its target
    if not isinstance(field, IntegerField):
        return None
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low, high) if low is not None and high is not None else None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _BoundedComparison:
    """``lhs <op> rhs`` with ``rhs`` an integer outside the column's range."""

    below_range = EmptyResultSet  # what ``rhs`` below the range means for this operator
    above_range = EmptyResultSet

    def process_rhs(self, compiler, connection):
        if _is_int(self.rhs):
            bounds = _integer_range(self.lhs.output_field, connection)
            if bounds is not None:
                if self.rhs < bounds[0]:
                    raise self.below_range
                if self.rhs > bounds[1]:
                    raise self.above_range
        return super().process_rhs(compiler, connection)


class _BoundedIn:
    """``lhs IN (...)`` without the values the column cannot hold; none left matches nothing."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            bounds = _integer_range(self.lhs.output_field, connection)
            if bounds is not None:
                low, high = bounds
                self.rhs = [v for v in self.rhs if not (_is_int(v) and not low <= v <= high)]
        return super().process_rhs(compiler, connection)


class _GreaterThanBounds(_BoundedComparison):
    below_range = FullResultSet


class _LessThanBounds(_BoundedComparison):
    above_range = FullResultSet


class BoundedRelatedExact(_BoundedComparison, RelatedExact):
    pass


class BoundedRelatedGreaterThan(_GreaterThanBounds, RelatedGreaterThan):
    pass


class BoundedRelatedGreaterThanOrEqual(_GreaterThanBounds, RelatedGreaterThanOrEqual):
    pass


class BoundedRelatedLessThan(_LessThanBounds, RelatedLessThan):
    pass


class BoundedRelatedLessThanOrEqual(_LessThanBounds, RelatedLessThanOrEqual):
    pass


class BoundedRelatedIn(_BoundedIn, RelatedIn):
    pass


class BoundedIntegerIn(_BoundedIn, lookups.In):
    pass


# --- Text: NUL never reaches the database ------------------------------------------------------


class _NoNul:
    def process_rhs(self, compiler, connection):
        if isinstance(self.rhs, str) and NUL in self.rhs:
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class _NoNulIn:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            self.rhs = [v for v in self.rhs if not (isinstance(v, str) and NUL in v)]
        return super().process_rhs(compiler, connection)


TEXT_LOOKUPS = (
    lookups.Exact,
    lookups.IExact,
    lookups.Contains,
    lookups.IContains,
    lookups.StartsWith,
    lookups.IStartsWith,
    lookups.EndsWith,
    lookups.IEndsWith,
    lookups.GreaterThan,
    lookups.GreaterThanOrEqual,
    lookups.LessThan,
    lookups.LessThanOrEqual,
    lookups.Regex,
    lookups.IRegex,
)


def _text_lookups() -> list[type]:
    made = [type(f"NoNul{base.__name__}", (_NoNul, base), {}) for base in TEXT_LOOKUPS]
    return [*made, type("NoNulIn", (_NoNulIn, lookups.In), {})]


def register() -> None:
    for lookup in (
        BoundedRelatedExact,
        BoundedRelatedGreaterThan,
        BoundedRelatedGreaterThanOrEqual,
        BoundedRelatedLessThan,
        BoundedRelatedLessThanOrEqual,
        BoundedRelatedIn,
    ):
        ForeignObject.register_lookup(lookup)
    IntegerField.register_lookup(BoundedIntegerIn)
    for lookup in _text_lookups():
        CharField.register_lookup(lookup)
        TextField.register_lookup(lookup)
