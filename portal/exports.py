"""The one CSV and XLSX exporter: every list's download, typed, and safe to open in a spreadsheet.

A download is a list of ``Column``s and rows of Python values. Each column has a stable machine
``name`` (snake_case, documented in the README) and the ``label`` the page shows, in the reader's
language; the header row is the labels, or the names with ``?header=names``. Each column has a
``Kind``, which says how its numbers and dates are shown: in XLSX, dates are date cells, numbers are
number cells with a number format (money with two decimals and thousands separators), booleans are
boolean cells and an empty value is an empty cell; the header is bold, frozen, and carries an
autofilter. CSV is text: ISO 8601 dates, plain numbers, ``True``/``False``, empty for nothing.

Formula injection (OWASP "CSV injection"): a spreadsheet runs a cell that starts with ``= + - @``
(and, in some, a tab or carriage return) as a formula. In CSV every such text gets a ``'`` in front:
the only way to say "text" in a format without types. In XLSX the cell's own type says it: such text
is written as a string cell (never a formula), without the apostrophe, and marked ``quotePrefix`` so
that Excel keeps it text when someone edits it; it reads back exactly as it was.

``table_export`` reads a django-tables2 table's underlying values (its cell accessor would give the
rendered text: a date as the locale prints it, ``'True'``); ``export_response`` writes one list and
``workbook_bytes`` several (a plan's workbook).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import django_tables2 as tables
from django.db import models
from django.http import HttpResponse
from django_tables2.rows import BoundRow
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
MAX_EXPORT_ROWS = 100_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LABELS, NAMES = "labels", "names"
HEADERS = (LABELS, NAMES)  # what ``?header=`` may ask for; labels by default
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


class Kind(StrEnum):
    """What a column holds, which fixes how a spreadsheet shows it."""

    AUTO = "auto"  # each value as its own type (text, mostly); numbers in the General format
    INTEGER = "integer"  # quantities: 150,000
    YEAR = "year"  # 2026, never 2,026
    DECIMAL = "decimal"  # percentages and ratios: two to four decimals
    MONEY = "money"  # two decimals, thousands separators
    DATE = "date"
    DATETIME = "datetime"  # in UTC
    BOOLEAN = "boolean"


NUMBER_FORMATS = {
    Kind.INTEGER: "#,##0",
    Kind.YEAR: "0",
    Kind.DECIMAL: "#,##0.00##",
    Kind.MONEY: "#,##0.00",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm:ss",
}
NUMERIC = {Kind.INTEGER, Kind.YEAR, Kind.DECIMAL, Kind.MONEY}
WIDTHS = {Kind.DATE: 12, Kind.DATETIME: 20, Kind.MONEY: 18, Kind.INTEGER: 12, Kind.DECIMAL: 10}


@dataclass(frozen=True)
class Column:
    """One column of a download: ``name`` for machines, ``label`` (the page's) for people."""

    name: str
    label: str
    kind: Kind = Kind.AUTO


@dataclass
class Sheet:
    """One worksheet of a workbook: a title, its columns and its rows (any iterable)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]


def escape_text(text: str) -> str:
    """``text`` made inert for a CSV: a leading formula character gets a ``'`` before it."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def header_row(columns: Sequence[Column], header: str = LABELS) -> list[str]:
    if header not in HEADERS:
        raise ValueError(f"Unknown header {header!r}; use one of {', '.join(HEADERS)}.")
    return [c.name if header == NAMES else str(c.label) for c in columns]


# --- CSV ------------------------------------------------------------------------------------


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")  # never "1E+3"
    if isinstance(value, bool | int | float):
        return str(value)
    return escape_text(str(value))


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence], header: str = LABELS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_text(h) for h in header_row(columns, header)])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    # The BOM makes Excel read the file as UTF-8 (accented nation and supplier names).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- XLSX -----------------------------------------------------------------------------------


class _SheetWriter:
    """Appends typed rows to a write-only worksheet. A plain value goes in as itself; a value that
    needs a style (a number format, bold, quotePrefix) or must not be read as a formula goes in a
    styled cell. A write-only worksheet writes each row out as it is appended, so one styled cell
    per column and style serves every row (as openpyxl itself reuses one cell for plain values):
    a cell object per value would make a large export a third slower."""

    def __init__(self, workbook: Workbook, sheet: Sheet, header: str):
        self.worksheet = workbook.create_sheet(_sheet_title(sheet.title))
        self.columns = list(sheet.columns)
        self._cells: dict[tuple, Cell] = {}
        labels = header_row(self.columns, header)
        for index, (column, label) in enumerate(zip(self.columns, labels, strict=True), 1):
            width = max(len(label) + 2, WIDTHS.get(column.kind, 0))
            self.worksheet.column_dimensions[get_column_letter(index)].width = min(width, 60)
        self.worksheet.freeze_panes = "A2"  # the header row stays in view
        self.worksheet.append(
            [self._styled(index, _xlsx_text(label), bold=True) for index, label in enumerate(labels)]
        )
        self.rows = 1

    def _styled(self, index: int, value, *, number_format: str = "General", bold=False, quote=False) -> Cell:
        key = (index, number_format, bold, quote)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = Cell(self.worksheet, row=1, column=1)  # placed by append()
            cell.number_format = number_format
            cell.font = Font(bold=bold)
            cell.quotePrefix = quote
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with "=": never a formula
        return cell

    def _cell(self, index: int, column: Column, value):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                # Excel has no time zones: write UTC, the portal's storage zone, without the offset.
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return self._styled(index, value, number_format=NUMBER_FORMATS[Kind.DATETIME])
        if isinstance(value, dt.date):
            return self._styled(index, value, number_format=NUMBER_FORMATS[Kind.DATE])
        if isinstance(value, int | float | Decimal):
            if column.kind in NUMERIC:
                return self._styled(index, value, number_format=NUMBER_FORMATS[column.kind])
            return value
        text = _xlsx_text(str(value))
        if text.startswith(FORMULA_PREFIXES):
            return self._styled(index, text, quote=True)
        return text

    def append(self, row: Sequence) -> None:
        cells = zip(self.columns, row, strict=True)
        self.worksheet.append([self._cell(index, c, v) for index, (c, v) in enumerate(cells)])
        self.rows += 1

    def close(self) -> None:
        last = get_column_letter(max(len(self.columns), 1))
        self.worksheet.auto_filter.ref = f"A1:{last}{self.rows}"


def _xlsx_text(text: str) -> str:
    # Control characters are not allowed in XML; drop them rather than fail the download.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _sheet_title(title: str) -> str:
    # Excel's limits on a sheet's name: 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Export"


def workbook_bytes(sheets: Iterable[Sheet], header: str = LABELS) -> bytes:
    """An XLSX workbook of ``sheets``, each with a bold frozen header and an autofilter."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        writer = _SheetWriter(workbook, sheet, header)
        for row in sheet.rows:
            writer.append(row)
        writer.close()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Downloads ------------------------------------------------------------------------------


def download(content: bytes, content_type: str, filename_stem: str, extension: str) -> HttpResponse:
    """``content`` as an attachment named ``filename_stem.extension`` (the stem made header-safe)."""
    stem = _UNSAFE_FILENAME.sub("-", filename_stem).strip("-.") or "export"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(
    filename_stem: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    fmt: str,
    header: str = LABELS,
    title: str = "Export",
) -> HttpResponse:
    """A download of ``rows`` under ``columns`` as ``fmt`` ("csv" or "xlsx")."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    header_row(columns, header)  # an unknown header fails before any row is read
    if fmt == "csv":
        content = csv_bytes(columns, rows, header)
    else:
        content = workbook_bytes([Sheet(title, columns, rows)], header)
    return download(content, CONTENT_TYPES[fmt], filename_stem, fmt)


# --- django-tables2 tables ------------------------------------------------------------------


def _table_kind(bound_column, model) -> Kind:
    """A table column's kind: declared (``export_kind``), else from its column class or model field."""
    column = bound_column.column
    declared = getattr(column, "export_kind", None)
    if declared is not None:
        return declared
    if isinstance(column, tables.DateTimeColumn):
        return Kind.DATETIME
    if isinstance(column, tables.DateColumn):
        return Kind.DATE
    if isinstance(column, tables.BooleanColumn):
        return Kind.BOOLEAN
    field = bound_column.accessor.get_field(model) if model is not None else None
    if isinstance(field, models.DecimalField) and not field.choices:
        return Kind.DECIMAL
    if isinstance(field, models.IntegerField) and not field.choices and not field.is_relation:
        return Kind.INTEGER
    return Kind.AUTO


def table_export(table) -> tuple[list[Column], Iterable[list]]:
    """A table's exported columns and every row of its (filtered, sorted) queryset, streamed.

    A typed column gives its record's own value (a date, a number, a boolean); any other gives the
    column's export text (``Column.value``: a choice's label, related names), None when empty."""
    model = getattr(table._meta, "model", None)
    bound = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    kinds = [_table_kind(c, model) for c in bound]
    columns = [Column(c.name, str(c.header), kind) for c, kind in zip(bound, kinds, strict=True)]

    def raw(record, bound_column):
        value = bound_column.accessor.resolve(record, quiet=True)
        return None if value in bound_column.column.empty_values else value

    def rows():
        for record in table.data.data.iterator(chunk_size=2000):
            row = BoundRow(record, table=table)
            yield [
                raw(record, c) if kind is not Kind.AUTO else row.get_cell_value(c.name)
                for c, kind in zip(bound, kinds, strict=True)
            ]

    return columns, rows()
