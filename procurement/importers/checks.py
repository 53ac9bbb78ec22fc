"""The parsed rows against the database: resolving call-off lines, lots already recorded,
over-delivery and dates before the order, all in a few queries whatever the file's size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.uploads import RowErrors
from procurement.importers.reader import (
    ACCEPTED,
    ACCEPTED_ON,
    CALL_OFF,
    DELIVERED,
    DELIVERED_ON,
    ITEM,
    LINE,
    LINE_NUMBER,
    LOCATION,
    LOT,
    REASON,
    REJECTED,
    Row,
)
from procurement.models import CallOffLine, Delivery


@dataclass(slots=True)
class _Line:
    quantity: int
    delivered: int
    order_date: dt.date
    item: str
    # How messages name the line: as the file named it where it gave the call-off ("line 2 of
    # CO-1"), else by its id.
    label: str


def _chunks(values: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _chunk_size() -> int:
    # SQLite caps query parameters; Postgres does not, but huge IN lists plan slowly.
    return min(connection.features.max_query_params or 5000, 5000) - 10


LINE_FIELDS = ("pk", "quantity", "delivered_quantity", "call_off__order_date", "framework_line__item__code")


def _line_label(pk: int) -> str:
    return f"call-off line {pk}"


def load_lines(rows: list[Row], errors: RowErrors) -> dict[int, _Line]:
    """Resolve each row's call-off line and load what validation needs, in a few queries.

    A row names its line by id, or by its call-off's reference with the line's number (its place
    among the call-off's lines by pk, from 1, as the call-off page numbers them) or its item's
    code. Whatever it gives must agree: an id and a reference that name different lines, or a
    line number and an item that do, are the row's errors."""
    ids = {row.line_id for row in rows if row.line_id is not None}
    refs = {row.call_off for row in rows if row.call_off}
    lines: dict[int, _Line] = {}
    size = _chunk_size()
    for chunk in _chunks(sorted(ids), size):
        for pk, quantity, delivered, order_date, code in CallOffLine.objects.filter(pk__in=chunk).values_list(
            *LINE_FIELDS
        ):
            lines[pk] = _Line(quantity, delivered, order_date, code, _line_label(pk))
    # reference -> [(pk, item code)] in pk order: the call-off's lines as its page numbers them.
    by_reference: dict[str, list[tuple[int, str]]] = {}
    for chunk in _chunks(sorted(refs), size):
        found = (
            CallOffLine.objects.filter(call_off__reference__in=chunk)
            .order_by("call_off_id", "pk")
            .values_list(*LINE_FIELDS, "call_off__reference")
        )
        for pk, quantity, delivered, order_date, code, reference in found:
            entries = by_reference.setdefault(reference, [])
            entries.append((pk, code))
            label = _("line %(number)s of %(reference)s") % {"number": len(entries), "reference": reference}
            lines[pk] = _Line(quantity, delivered, order_date, code, label)
    for row in rows:
        if row.call_off and not _resolve(row, by_reference.get(row.call_off), errors):
            row.valid = False
            row.line_id = None
            continue
        if row.line_id is None:
            continue
        line = lines.get(row.line_id)
        if line is None:
            row.valid = False
            errors.add(row.number, LINE, f"Unknown call-off line {row.line_id}.")
            row.line_id = None
        elif row.item and line.item != row.item:
            row.valid = False
            errors.add(
                row.number,
                ITEM,
                _("Call-off line %(id)s is for item %(code)s, not %(item)s.")
                % {"id": row.line_id, "code": line.item, "item": row.item},
            )
            row.line_id = None
    return lines


def _resolve(row: Row, entries: list[tuple[int, str]] | None, errors: RowErrors) -> bool:
    """Find ``row``'s line among its call-off's ``entries`` (None: no such call-off) by line number
    or item, and check it against the id the row also gives; False, with the error, when they
    cannot be found or disagree. A row that gives only the reference beside the id has its id
    checked against the call-off's lines."""
    reference = row.call_off
    if entries is None:
        errors.add(
            row.number,
            CALL_OFF,
            _("No call-off with the reference %(reference)s.") % {"reference": reference},
        )
        return False
    if row.line_number is not None:
        if row.line_number < 1:
            return False  # the reader has said lines are numbered from 1
        if row.line_number > len(entries):
            errors.add(
                row.number,
                LINE_NUMBER,
                ngettext(
                    "Call-off %(reference)s has %(count)s line; there is no line %(number)s.",
                    "Call-off %(reference)s has %(count)s lines; there is no line %(number)s.",
                    len(entries),
                )
                % {"reference": reference, "count": len(entries), "number": row.line_number},
            )
            return False
        pk, code = entries[row.line_number - 1]
        if row.item and code != row.item:
            errors.add(
                row.number,
                ITEM,
                _("Line %(number)s of call-off %(reference)s is for item %(code)s, not %(item)s.")
                % {"number": row.line_number, "reference": reference, "code": code, "item": row.item},
            )
            return False
        named = _("line %(number)s") % {"number": row.line_number}
    elif row.item:
        matches = [pk for pk, code in entries if code == row.item]
        if len(matches) > 1:
            errors.add(
                row.number,
                ITEM,
                _("Call-off %(reference)s has several lines for %(item)s; use %(column)s.")
                % {"reference": reference, "item": row.item, "column": LINE_NUMBER},
            )
            return False
        if not matches:
            errors.add(
                row.number,
                ITEM,
                _("Call-off %(reference)s has no line for item %(item)s.")
                % {"reference": reference, "item": row.item},
            )
            return False
        pk = matches[0]
        named = _("the %(item)s line") % {"item": row.item}
    else:
        # Only the reference beside the id: the id must be one of the call-off's lines.
        if row.line_id is not None and all(pk != row.line_id for pk, _code in entries):
            errors.add(
                row.number,
                LINE,
                _("Call-off line %(id)s is not on call-off %(reference)s.")
                % {"id": row.line_id, "reference": reference},
            )
            return False
        return True
    if row.line_id is not None and row.line_id != pk:
        errors.add(
            row.number,
            LINE,
            _("Call-off line %(id)s is not %(named)s of call-off %(reference)s.")
            % {"id": row.line_id, "named": named, "reference": reference},
        )
        return False
    row.line_id = pk
    return True


DeliveryKey = tuple[int, str]
COMPARED = (
    "delivered_on",
    "quantity_delivered",
    "quantity_accepted",
    "quantity_rejected",
    "rejection_reason",
    "location",
)
COMPARED_LABELS = dict(
    zip(COMPARED, (DELIVERED_ON, DELIVERED, ACCEPTED, REJECTED, REASON, LOCATION), strict=True)
)


def _read_all_recorded(recorded: int, wanted: int) -> bool:
    """Whether to read every delivery of the file's lines (cheap while there are few) rather than
    send every lot number of the file to the database."""
    return recorded <= max(2 * wanted, 10_000)


def _existing_deliveries(keys: Iterable[DeliveryKey]) -> dict[DeliveryKey, tuple]:
    """What is already recorded for these (call-off line, lot) pairs, in a few queries."""
    lots_by_line: dict[int, set[str]] = {}
    for line_id, lot in keys:
        lots_by_line.setdefault(line_id, set()).add(lot)
    size = _chunk_size()
    found: dict[DeliveryKey, tuple] = {}

    def fetch(line_ids: list[int], lots: set[str] | None) -> None:
        query = Delivery.objects.filter(call_off_line_id__in=line_ids)
        if lots is not None:
            query = query.filter(lot_number__in=sorted(lots))
        for line_id, lot, accepted_on, *values in query.values_list(
            "call_off_line_id", "lot_number", "accepted_on", *COMPARED
        ):
            if lot in lots_by_line[line_id]:
                found[(line_id, lot)] = (accepted_on, *values)

    line_ids = sorted(lots_by_line)
    recorded = sum(
        Delivery.objects.filter(call_off_line_id__in=chunk).count() for chunk in _chunks(line_ids, size)
    )
    wanted = sum(map(len, lots_by_line.values()))
    if _read_all_recorded(recorded, wanted):
        # Few deliveries on these lines yet: read them all rather than send every lot number.
        for chunk in _chunks(line_ids, size):
            fetch(chunk, None)
        return found
    chunk_ids: list[int] = []
    chunk_lots: set[str] = set()
    for line_id in line_ids:
        if chunk_ids and len(chunk_ids) + len(chunk_lots) + len(lots_by_line[line_id]) > size:
            fetch(chunk_ids, chunk_lots)
            chunk_ids, chunk_lots = [], set()
        chunk_ids.append(line_id)
        chunk_lots |= lots_by_line[line_id]
    if chunk_ids:
        fetch(chunk_ids, chunk_lots)
    return found


def _differences(row: Row, recorded: tuple) -> list[str]:
    accepted_on, *values = recorded
    mine = (row.delivered_on, row.delivered, row.accepted, row.rejected, row.reason, row.location)
    different = [COMPARED_LABELS[name] for name, a, b in zip(COMPARED, mine, values, strict=True) if a != b]
    if row.accepted_on is not None and row.accepted_on != accepted_on:
        different.append(ACCEPTED_ON)
    return different


@dataclass
class Plan:
    new: list[Row] = field(default_factory=list)
    skipped: int = 0


def check_against_database(rows: list[Row], lines: dict[int, _Line], errors: RowErrors) -> Plan:
    """Duplicate lots, lots already recorded, over-delivery and dates before the order."""
    first_seen: dict[DeliveryKey, int] = {}
    for row in rows:
        if row.line_id is None or not row.lot:
            continue
        key = (row.line_id, row.lot)
        if key in first_seen:
            row.valid = False
            errors.add(
                row.number,
                LOT,
                f"Lot {row.lot} is repeated for {lines[row.line_id].label} (first in row {first_seen[key]})",
            )
        else:
            first_seen[key] = row.number
    recorded = _existing_deliveries(first_seen)
    plan = Plan()
    running: dict[int, int] = {}
    for row in rows:
        if row.line_id is None:
            continue
        line = lines[row.line_id]
        key = (row.line_id, row.lot)
        if key in recorded and first_seen.get(key) == row.number:
            different = _differences(row, recorded[key])
            if different:
                row.valid = False
                errors.add(
                    row.number,
                    LOT,
                    f"Lot {row.lot} is already recorded for {line.label} with a different "
                    f"{', '.join(different)}.",
                )
            else:
                plan.skipped += 1
            continue
        if row.delivered_on is not None and row.delivered_on < line.order_date:
            row.valid = False
            errors.add(row.number, DELIVERED_ON, f"Delivery cannot precede the order date {line.order_date}.")
        if row.delivered:
            total = running[row.line_id] = running.get(row.line_id, 0) + row.delivered
            if line.delivered + total > line.quantity:
                row.valid = False
                errors.add(
                    row.number,
                    DELIVERED,
                    f"Over-delivery: {line.label} ordered {line.quantity:,}; "
                    f"{line.delivered:,} were already delivered and this file brings it to "
                    f"{line.delivered + total:,}.",
                )
        if row.valid:
            plan.new.append(row)
    return plan
