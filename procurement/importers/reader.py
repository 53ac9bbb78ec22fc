"""Delivery import: NSPA uploads a CSV or XLSX file of deliveries; every row is imported, or none.

File format
-----------
The first row is a header; names are case-insensitive, surrounding spaces are ignored and inner
spaces or hyphens count as ``_`` ("Quantity delivered" is ``quantity_delivered``). Each later row is
one delivery. Columns:

``call_off_line``       the call-off line's id (for machines), or instead ``call_off`` with one of:
``call_off`` + ``line_number``  the call-off's reference and the line's number as the call-off page
                        shows it ("Line 2": its place among the call-off's lines, from 1)
``call_off`` + ``item`` the call-off's reference and the item's catalogue code
``delivered_on``        required; ISO ``2024-06-01`` or ``01/06/2024`` (day first), or an Excel date
``quantity_delivered``  required; a whole number of at least 1
``quantity_accepted``   required; a whole number
``quantity_rejected``   optional, 0 when blank; accepted + rejected must equal delivered
``rejection_reason``    required when something was rejected
``lot_number``          required; a lot appears once per call-off line
``location``            optional
``accepted_on``         optional; on or after ``delivered_on`` (the delivery date when blank)

When several of these are given they must name the same line, or the row is an error. Quantities
are whole numbers below 2^31. Thousands separators are accepted where the reading is
certain because a quantity is an integer: ``1 234`` (also with non-breaking spaces), ``1,234``,
``1.234``, ``1'234``; ``1 234,56`` or ``1,234.56`` is refused as "not a whole number".

CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; the delimiter (``,`` ``;`` or
tab) is taken from the header line; quoted fields may contain newlines. XLSX: the first sheet; cells
are read, never calculated: a formula's saved value is used, a formula without one is an error. The
zip container is checked (size, entry count, compression ratio) before openpyxl opens it. The file
is read by ``portal.uploads.read_rows`` within the limits below.

Rules: the whole file is validated before anything is written, and every error is reported with its
row (as a spreadsheet shows it: the header is row 1; row 0 means the file as a whole) and column. A
row whose call-off line and lot are already recorded with identical values is skipped, so uploading
the same file again imports nothing new; the same lot with different values is an error.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from portal.spreadsheets import (
    FORMULA_MESSAGE,
    FORMULA_WITHOUT_VALUE,
    CellError,
    cell_text,
    header_name,
    is_blank,
    parse_whole_number,
)
from portal.uploads import RowErrors, UploadFormat, file_error, read_rows
from procurement import services
from procurement.models import CallOffLine, Delivery, Item

MAX_XLSX_BYTES = 20 * 1024 * 1024
MAX_CSV_BYTES = 50 * 1024 * 1024
# The bound for reading an upload (``portal.uploads.read_upload``): the larger format's limit.
MAX_UPLOAD_BYTES = max(MAX_XLSX_BYTES, MAX_CSV_BYTES)
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XLSX_ENTRIES = 10_000
MAX_ROWS = 200_000
MAX_COLUMNS = 64
# Enough to fix a file; a file with more errors gets a count rather than a megabyte of messages.
MAX_REPORTED_ERRORS = 1000


# --- Columns -----------------------------------------------------------------------------------

LINE, CALL_OFF, ITEM, LINE_NUMBER = "call_off_line", "call_off", "item", "line_number"
DELIVERED_ON, ACCEPTED_ON = "delivered_on", "accepted_on"
DELIVERED, ACCEPTED, REJECTED = "quantity_delivered", "quantity_accepted", "quantity_rejected"
REASON, LOT, LOCATION = "rejection_reason", "lot_number", "location"

COLUMNS = (
    LINE,
    CALL_OFF,
    LINE_NUMBER,
    ITEM,
    DELIVERED_ON,
    DELIVERED,
    ACCEPTED,
    REJECTED,
    REASON,
    LOT,
    LOCATION,
    ACCEPTED_ON,
)
REQUIRED = (DELIVERED_ON, DELIVERED, ACCEPTED, LOT)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


TEXT_LIMITS = {
    LOT: _max_length(Delivery, "lot_number"),
    LOCATION: _max_length(Delivery, "location"),
    REASON: _max_length(Delivery, "rejection_reason"),
    CALL_OFF: _max_length(CallOffLine._meta.get_field("call_off").related_model, "reference"),
    ITEM: _max_length(Item, "code"),
}


# --- Cell parsing (numbers, text and blanks: portal.spreadsheets) ------------------------------

_ISO_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_DMY_DATE = re.compile(r"([0-9]{1,2})([/.])([0-9]{1,2})\2([0-9]{4})")
DATE_FORMATS = "YYYY-MM-DD or DD/MM/YYYY"
EARLIEST_YEAR, LATEST_YEAR = 1949, 2100


def _checked_date(year: int, month: int, day: int, shown: str) -> dt.date:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise CellError(f"{shown!r} is not a plausible date.")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"{shown!r} is not a real date.") from None


@functools.lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> dt.date:
    text = text.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
        return _checked_date(int(year), int(month), int(day), text)
    if match := _DMY_DATE.fullmatch(text):
        day, _, month, year = match.groups()
        return _checked_date(int(year), int(month), int(day), text)
    raise CellError(f"{text[:40]!r} is not a date; use {DATE_FORMATS}.")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return _checked_date(value.year, value.month, value.day, value.date().isoformat())
    if isinstance(value, dt.date):
        return _checked_date(value.year, value.month, value.day, value.isoformat())
    if isinstance(value, str):
        return _parse_date_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            f"Found the number {value}, not a date; format the cell as a date or use {DATE_FORMATS}."
        )
    raise CellError(f"Expected a date ({DATE_FORMATS}).")


def _text(value: Any, column: str) -> str:
    return cell_text(value, max_length=TEXT_LIMITS[column])


# --- Reading the file --------------------------------------------------------------------------


def _accepts() -> UploadFormat:
    # Built when a file is read, from the limits above as they are then (tests lower them).
    return UploadFormat(
        max_xlsx_bytes=MAX_XLSX_BYTES,
        max_csv_bytes=MAX_CSV_BYTES,
        max_rows=MAX_ROWS,
        max_columns=MAX_COLUMNS,
        # Cells outside the known columns are errors, so no more are worth reading.
        max_cells=(MAX_ROWS + 1) * len(COLUMNS),
        max_uncompressed=MAX_XLSX_UNCOMPRESSED,
        max_entries=MAX_XLSX_ENTRIES,
        encodings=("utf-8", "utf-16", "cp1252"),
    )


# --- Validation ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One parsed data row; ``line_id`` is known once the call-off line is resolved."""

    number: int
    line_id: int | None
    call_off: str
    line_number: int | None
    item: str
    delivered_on: dt.date | None
    delivered: int | None
    accepted: int | None
    rejected: int | None
    reason: str
    lot: str
    location: str
    accepted_on: dt.date | None
    valid: bool = True

    def as_input(self) -> services.DeliveryInput:
        return services.DeliveryInput(
            call_off_line_id=self.line_id,
            delivered_on=self.delivered_on,
            quantity_delivered=self.delivered,
            quantity_accepted=self.accepted,
            quantity_rejected=self.rejected,
            lot_number=self.lot,
            rejection_reason=self.reason,
            location=self.location,
            accepted_on=self.accepted_on,
        )


def _header_positions(header: Sequence[Any]) -> dict[str, int]:
    """Column name -> position; a header that cannot identify or describe deliveries raises."""
    errors = RowErrors(MAX_REPORTED_ERRORS)
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = header_name(cell)
        if not name:
            continue
        if name not in COLUMNS:
            errors.add(1, str(cell).strip()[:60], f"Unknown column. Expected columns: {', '.join(COLUMNS)}.")
        elif name in positions:
            errors.add(1, name, "This column appears twice.")
        else:
            positions[name] = index
    if not positions and not errors:
        raise file_error("The first row must be a header naming the columns; it is empty.")
    missing = [name for name in REQUIRED if name not in positions]
    if LINE_NUMBER in positions and CALL_OFF not in positions:
        errors.add(
            1,
            CALL_OFF,
            _("Missing column %(call_off)s: %(number)s counts the lines of a call-off.")
            % {"call_off": CALL_OFF, "number": LINE_NUMBER},
        )
    elif LINE not in positions:
        if ITEM in positions and CALL_OFF not in positions:
            missing.append(CALL_OFF)
        elif CALL_OFF in positions and LINE_NUMBER not in positions and ITEM not in positions:
            errors.add(
                1,
                LINE_NUMBER,
                _("Missing column: give %(number)s or %(item)s with %(call_off)s.")
                % {"number": LINE_NUMBER, "item": ITEM, "call_off": CALL_OFF},
            )
        elif CALL_OFF not in positions:
            errors.add(
                1,
                LINE,
                _("Missing column: give %(line)s, or %(call_off)s with %(number)s or %(item)s.")
                % {"line": LINE, "call_off": CALL_OFF, "number": LINE_NUMBER, "item": ITEM},
            )
    for name in missing:
        errors.add(1, name, f"Missing required column {name}.")
    if errors:
        raise errors.rejection()
    return positions


def _all_blank(cells: Sequence[Any]) -> bool:
    return all(map(is_blank, cells))


def _text_of(column: str) -> Callable[[Any], str]:
    return functools.partial(_text, column=column)


# column -> (how to read a filled cell, value when the column is absent or the cell blank)
CONVERTERS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    LINE: (parse_whole_number, None),
    CALL_OFF: (_text_of(CALL_OFF), ""),
    LINE_NUMBER: (parse_whole_number, None),
    ITEM: (_text_of(ITEM), ""),
    DELIVERED_ON: (parse_date, None),
    DELIVERED: (parse_whole_number, None),
    ACCEPTED: (parse_whole_number, None),
    REJECTED: (parse_whole_number, 0),
    REASON: (_text_of(REASON), ""),
    LOT: (_text_of(LOT), ""),
    LOCATION: (_text_of(LOCATION), ""),
    ACCEPTED_ON: (parse_date, None),
}


def _parse_row(number: int, cells: Sequence[Any], positions: dict[str, int], errors: RowErrors) -> Row:
    before = errors.count
    size = len(cells)
    values: dict[str, Any] = {}
    for name, (convert, default) in CONVERTERS.items():
        index = positions.get(name)
        value = cells[index] if index is not None and index < size else None
        if is_blank(value):
            if name in REQUIRED:
                errors.add(number, name, "Required; this cell is empty.")
            values[name] = default
        elif value is FORMULA_WITHOUT_VALUE:
            errors.add(number, name, FORMULA_MESSAGE)
            values[name] = None
        else:
            try:
                values[name] = convert(value)
            except CellError as exc:
                errors.add(number, name, str(exc))
                values[name] = None
    row = Row(
        number=number,
        line_id=values[LINE],
        call_off=values[CALL_OFF] or "",
        line_number=values[LINE_NUMBER],
        item=values[ITEM] or "",
        delivered_on=values[DELIVERED_ON],
        delivered=values[DELIVERED],
        accepted=values[ACCEPTED],
        rejected=values[REJECTED],
        reason=values[REASON] or "",
        lot=values[LOT] or "",
        location=values[LOCATION] or "",
        accepted_on=values[ACCEPTED_ON],
    )
    finds_in_call_off = row.item or row.line_number is not None
    if row.line_number == 0:
        errors.add(number, LINE_NUMBER, _("Lines are numbered from 1, as the call-off page shows them."))
    elif row.line_number is not None and not row.call_off and errors.count == before:
        errors.add(number, CALL_OFF, _("Required with the line number: it counts the call-off's lines."))
    elif row.line_id is None and not (row.call_off and finds_in_call_off) and errors.count == before:
        if LINE in positions:
            errors.add(
                number,
                LINE,
                _("Required; give the call-off line, or the call-off with its line number or item."),
            )
        elif row.call_off:
            errors.add(
                number,
                LINE_NUMBER if LINE_NUMBER in positions else ITEM,
                _("Required with the call-off to find the line."),
            )
        else:
            errors.add(number, CALL_OFF, _("Required to find the line."))
    if row.delivered == 0:
        errors.add(number, DELIVERED, "A delivery needs at least one unit.")
    if (
        None not in (row.delivered, row.accepted, row.rejected)
        and row.accepted + row.rejected != row.delivered
    ):
        errors.add(
            number,
            REJECTED,
            f"Accepted ({row.accepted:,}) plus rejected ({row.rejected:,}) must equal "
            f"delivered ({row.delivered:,}).",
        )
    if row.rejected and not row.reason:
        errors.add(number, REASON, "Give a reason for the rejected quantity.")
    if row.accepted_on and row.delivered_on and row.accepted_on < row.delivered_on:
        errors.add(number, ACCEPTED_ON, f"Acceptance cannot come before the delivery ({row.delivered_on}).")
    row.valid = errors.count == before
    return row


def parse_file(data: bytes, file_name: str) -> tuple[list[Row], RowErrors]:
    rows_iter = iter(read_rows(data, file_name, _accepts()))
    header = next(rows_iter, None)
    if header is None or _all_blank(header):
        raise file_error("The file is empty: the first row must be the header.")
    positions = _header_positions(header)
    width = max(positions.values()) + 1
    errors = RowErrors(MAX_REPORTED_ERRORS)
    rows: list[Row] = []
    for number, cells in enumerate(rows_iter, start=2):
        if number > MAX_ROWS + 1:
            raise file_error(f"The file has more than {MAX_ROWS:,} rows; split it into several files.")
        if _all_blank(cells):
            continue
        if len(cells) > width and not _all_blank(cells[width:]):
            errors.add(number, "", "This row has more cells than the header has columns.")
        rows.append(_parse_row(number, cells, positions, errors))
    if not rows:
        raise file_error("The file has a header but no data rows.")
    return rows, errors
