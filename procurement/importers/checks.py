"""The parsed rows against the database: resolving call-off lines, lots already recorded,
over-delivery and dates before the order, all in a few queries whatever the file's size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection

from portal.uploads import RowErrors
from procurement.importers.reader import (
    ACCEPTED,
    ACCEPTED_ON,
    CALL_OFF,
    DELIVERED,
    DELIVERED_ON,
    ITEM,
    LINE,
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


LINE_FIELDS = ("pk", "quantity", "delivered_quantity", "call_off__order_date")


def load_lines(rows: list[Row], errors: RowErrors) -> dict[int, _Line]:
    """Resolve each row's call-off line and load what validation needs, in a few queries."""
    ids = {row.line_id for row in rows if row.line_id is not None}
    refs = {row.call_off for row in rows if row.call_off and row.item}
    lines: dict[int, _Line] = {}
    size = _chunk_size()
    for chunk in _chunks(sorted(ids), size):
        for pk, quantity, delivered, order_date in CallOffLine.objects.filter(pk__in=chunk).values_list(
            *LINE_FIELDS
        ):
            lines[pk] = _Line(quantity, delivered, order_date)
    by_pair: dict[tuple[str, str], list[int]] = {}
    for chunk in _chunks(sorted(refs), size):
        found = CallOffLine.objects.filter(call_off__reference__in=chunk).values_list(
            *LINE_FIELDS, "call_off__reference", "framework_line__item__code"
        )
        for pk, quantity, delivered, order_date, reference, code in found:
            lines[pk] = _Line(quantity, delivered, order_date)
            by_pair.setdefault((reference, code), []).append(pk)
    for row in rows:
        if row.call_off and row.item:
            matches = by_pair.get((row.call_off, row.item), [])
            if len(matches) > 1:
                row.valid = False
                errors.add(
                    row.number, ITEM, f"Call-off {row.call_off} has several lines for {row.item}; use {LINE}."
                )
                continue
            if row.line_id is not None and matches and matches[0] != row.line_id:
                row.valid = False
                errors.add(
                    row.number,
                    LINE,
                    f"Line {row.line_id} is not the {row.item} line of call-off {row.call_off}.",
                )
                continue
            if row.line_id is None:
                if not matches:
                    row.valid = False
                    errors.add(
                        row.number,
                        CALL_OFF,
                        f"No call-off {row.call_off!r} with a line for item {row.item!r}.",
                    )
                    continue
                row.line_id = matches[0]
        if row.line_id is not None and row.line_id not in lines:
            row.valid = False
            errors.add(row.number, LINE, f"Unknown call-off line {row.line_id}.")
            row.line_id = None
    return lines


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
                f"Lot {row.lot} is repeated for call-off line {row.line_id} (first in row {first_seen[key]})",
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
                    f"Lot {row.lot} is already recorded for call-off line {row.line_id} with a different "
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
                    f"Over-delivery: call-off line {row.line_id} ordered {line.quantity:,}; "
                    f"{line.delivered:,} were already delivered and this file brings it to "
                    f"{line.delivered + total:,}.",
                )
        if row.valid:
            plan.new.append(row)
    return plan
