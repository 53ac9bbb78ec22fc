"""CSV and XLSX downloads of any list, safe to open in a spreadsheet.

Spreadsheets run a cell that starts with ``= + - @`` (and, in some, a tab or carriage return) as a
formula, so a supplier called ``=HYPERLINK(...)`` could run code on the reader's machine (OWASP
"CSV injection"). Every text cell that starts with one of those characters is prefixed with ``'``.
Numbers and dates are written as numbers and dates: they cannot be formulas, and a negative
quantity must stay a number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMATS = ("csv", "xlsx")
MAX_EXPORT_ROWS = 100_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


def escape_text(text: str) -> str:
    """``text`` made inert for a spreadsheet: a leading formula character gets a ``'`` before it."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell(value):
    """A value as it goes into a cell: numbers, booleans and dates as themselves, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    return escape_text(str(value))


def _csv_bytes(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(_cell(v)) for v in row])
    # The BOM makes Excel read the file as UTF-8 (accented nation and supplier names).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _xlsx_value(value):
    if isinstance(value, str):
        # Control characters are not allowed in XML; drop them rather than fail the download.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write UTC, the portal's storage zone, without the offset.
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _xlsx_bytes(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheet.append([_xlsx_value(_cell(h)) for h in headers])
    for row in rows:
        sheet.append([_xlsx_value(_cell(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    filename_stem: str, headers: Sequence, rows: Iterable[Sequence], fmt: str
) -> HttpResponse:
    """A download of ``rows`` under ``headers`` as ``fmt`` ("csv" or "xlsx"), every cell escaped."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    content = _csv_bytes(headers, rows) if fmt == "csv" else _xlsx_bytes(headers, rows)
    stem = _UNSAFE_FILENAME.sub("-", filename_stem).strip("-.") or "export"
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
