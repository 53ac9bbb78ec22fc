"""Reading a standards import file (the catalogue, or national responses) into typed rows.

File format
-----------
The first row is a header; names are case-insensitive, surrounding spaces are ignored and inner
spaces or hyphens count as ``_`` ("Promulgated on" is ``promulgated_on``). Each later row is one
edition (the catalogue) or one nation's response to one edition. The columns of each import are
``catalogue.COLUMNS`` and ``responses.COLUMNS``, each with its description (shown on the upload
page). A column left out of the header leaves that field as it is on an edition or response that
exists already, and takes the default on a new one; a blank cell in a column that is there empties
the field (or, where the field has a default, takes the default).

Cells:
- choices (type, status, level, ratification, implementation): the value (``stanag``,
  ``ratification_draft``) or its label in English or French (``Ratification draft``), any case;
- dates: ISO ``2024-06-01``, ``01/06/2024`` (day first), or a date cell;
- whole numbers: digits, with a thousands separator where the reading is certain;
- yes/no: ``yes``/``no``, ``true``/``false``, ``1``/``0``, ``x`` or blank (no), ``oui``/``non``;
- text: as written (a formula-looking ``=...`` in a CSV is stored as the text it is; an XLSX cell
  is read as its saved value, never calculated).

CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; the delimiter (``,`` ``;`` or
tab) is taken from the header line. XLSX: the first sheet, checked before openpyxl opens it
(``portal.uploads``). Every row is checked before anything is written; every problem is reported
with its row (as a spreadsheet shows it: the header is row 1; row 0 is the file as a whole) and
column, and one problem refuses the whole file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from portal.spreadsheets import (
    FORMULA_MESSAGE,
    FORMULA_WITHOUT_VALUE,
    CellError,
    cell_text,
    header_name,
    is_blank,
)
from portal.uploads import RowErrors, UploadFormat, file_error, read_rows

MAX_XLSX_BYTES = 20 * 1024 * 1024
MAX_CSV_BYTES = 20 * 1024 * 1024
# The bound for reading an upload (``portal.uploads.read_upload``): the larger format's limit.
MAX_UPLOAD_BYTES = max(MAX_XLSX_BYTES, MAX_CSV_BYTES)
# Enough to fix a file; a file wrong on every row gets a count rather than a megabyte of messages.
MAX_REPORTED_ERRORS = 1000
# Free text without a column limit (reservations, notes, reasons): bounded all the same.
LONG_TEXT = 10_000


@dataclass(frozen=True)
class Column:
    """One column of an import: its header name, how a filled cell is read, whether the column
    and its cells are required, and what it holds (for the upload page)."""

    name: str
    read: Callable[[Any], Any]
    help: str | Promise
    required: bool = False


@dataclass(frozen=True)
class Row:
    """One data row: its number as a spreadsheet shows it, and the values of the columns the file
    has (a blank cell is ``None``; a cell that could not be read is left out)."""

    number: int
    values: dict[str, Any]


# --- Cells ------------------------------------------------------------------------------------


def text(max_length: int) -> Callable[[Any], str]:
    return lambda value: cell_text(value, max_length=max_length)


def choice(choices: type[TextChoices]) -> Callable[[Any], str]:
    """A cell naming one of ``choices``: its value, or its label in English or in French, in any
    case, spaces and hyphens as ``_`` ("Ratified with reservations", ``reservations``)."""

    @functools.cache
    def known() -> dict[str, str]:
        # Built at the first cell, not at import: the labels need the translations loaded.
        names: dict[str, str] = {}
        for language in ("fr", "en"):
            with translation.override(language):
                names.update({header_name(str(label)): value for value, label in choices.choices})
        return {**names, **{value: value for value in choices.values}}

    def read(value: Any) -> str:
        found = known().get(header_name(cell_text(value, max_length=100)))
        if found is None:
            raise CellError(_("Not one of: %(choices)s.") % {"choices": ", ".join(choices.values)})
        return found

    return read


YES = frozenset({"yes", "y", "true", "1", "x", "oui", "o", "vrai"})
NO = frozenset({"no", "n", "false", "0", "non", "faux"})


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    answer = cell_text(value, max_length=10).lower()
    if answer in YES:
        return True
    if answer in NO:
        return False
    raise CellError(_("Write yes or no."))


# --- The file ---------------------------------------------------------------------------------


def _accepts(max_rows: int, columns: Sequence[Column]) -> UploadFormat:
    return UploadFormat(
        max_xlsx_bytes=MAX_XLSX_BYTES,
        max_csv_bytes=MAX_CSV_BYTES,
        max_rows=max_rows,
        max_columns=max(len(columns) * 2, 32),
        # Cells outside the known columns are errors, so no more are worth reading.
        max_cells=(max_rows + 1) * len(columns),
    )


def _header_positions(header: Sequence[Any], columns: Sequence[Column]) -> dict[str, int]:
    """Column name -> position; a header that lacks a required column, names one twice or names
    one the import does not know refuses the file."""
    names = [column.name for column in columns]
    errors = RowErrors(MAX_REPORTED_ERRORS)
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = header_name(cell)
        if not name:
            continue
        if name not in names:
            errors.add(
                1,
                str(cell).strip()[:60],
                _("Unknown column. Expected columns: %(columns)s.") % {"columns": ", ".join(names)},
            )
        elif name in positions:
            errors.add(1, name, _("This column appears twice."))
        else:
            positions[name] = index
    for column in columns:
        if column.required and column.name not in positions:
            errors.add(1, column.name, _("Missing required column %(column)s.") % {"column": column.name})
    if errors:
        raise errors.rejection()
    return positions


def _read_row(
    number: int, cells: Sequence[Any], positions: dict[str, int], columns: Sequence[Column], errors: RowErrors
) -> Row:
    values: dict[str, Any] = {}
    for column in columns:
        index = positions.get(column.name)
        if index is None:
            continue
        value = cells[index] if index < len(cells) else None
        if value is FORMULA_WITHOUT_VALUE:
            errors.add(number, column.name, FORMULA_MESSAGE)
        elif is_blank(value):
            if column.required:
                errors.add(number, column.name, _("Required; this cell is empty."))
            else:
                values[column.name] = None
        else:
            try:
                values[column.name] = column.read(value)
            except CellError as error:
                errors.add(number, column.name, str(error))
    return Row(number=number, values=values)


def read_file(
    data: bytes, file_name: str, columns: Sequence[Column], *, max_rows: int
) -> tuple[list[Row], RowErrors, set[str]]:
    """The file's data rows, the problems found in them, and the names of the columns it has.
    A problem with the file as a whole (its format, its header, no rows) raises ``ImportRejected``."""
    rows_iter = iter(read_rows(data, file_name, _accepts(max_rows, columns)))
    header = next(rows_iter, None)
    if header is None or all(map(is_blank, header)):
        raise file_error(_("The file is empty: the first row must be the header."))
    positions = _header_positions(header, columns)
    width = max(positions.values()) + 1
    errors = RowErrors(MAX_REPORTED_ERRORS)
    rows: list[Row] = []
    for number, cells in enumerate(rows_iter, start=2):
        if number > max_rows + 1:
            raise file_error(
                _("The file has more than %(rows)s rows; split it into several files.") % {"rows": max_rows}
            )
        if all(map(is_blank, cells)):
            continue
        if len(cells) > width and not all(map(is_blank, cells[width:])):
            errors.add(number, "", _("This row has more cells than the header has columns."))
        rows.append(_read_row(number, cells, positions, columns, errors))
    if not rows:
        raise file_error(_("The file has a header but no data rows."))
    return rows, errors, set(positions)


_ID_SUFFIX = re.compile(r"_id$")


def add_service_errors(
    errors: RowErrors, number: int, messages: dict[str, list[str]], columns: dict[str, str]
):
    """A service's field messages on one row, each under its column (``columns`` maps a field that
    is not named as its column; ``__all__`` is the row as a whole)."""
    for field, texts in messages.items():
        if field in columns:
            column = columns[field]
        else:
            column = "" if field in ("__all__", "non_field_errors") else _ID_SUFFIX.sub("", field)
        for message in texts:
            errors.add(number, column, message)
