"""Reading uploaded spreadsheets safely, for every import in the portal.

An uploaded .xlsx is a zip of XML written by whoever sent it. Before openpyxl opens it the container
is checked: its size, its entry count, its total unpacked size and each entry's compression ratio (a
zip bomb unpacks a few kilobytes into gigabytes), and that it is a workbook at all (an old .xls or a
text file renamed .xlsx is refused with a message that says so). Cells are read with
``read_only=True, data_only=True``: a formula is never calculated, its saved value is used, and a
formula saved without a value reads as ``FORMULA_WITHOUT_VALUE`` so the caller can report it.

Every refusal is a ``SpreadsheetError`` whose message is meant for the person who uploaded the file.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DEFAULT_MAX_ENTRIES = 10_000
# Spreadsheet XML compresses well (often 10-30x); far beyond that is a zip bomb, not a workbook.
MAX_COMPRESSION_RATIO = 150
MAX_WHOLE_NUMBER = 2**31 - 1


class SpreadsheetError(Exception):
    """The file cannot be read as a workbook; ``message`` tells the uploader why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded sheet: ``row`` as a spreadsheet numbers it (header = 1; 0 = the
    whole file) and the column it is in ("" for the whole row or file)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class CellError(ValueError):
    """A cell's value cannot be used; the message is for the user."""


class _FormulaWithoutValue:
    """Marks a cell holding a formula whose value was never saved (it is never calculated here)."""

    def __repr__(self) -> str:
        return "<formula without a saved value>"


FORMULA_WITHOUT_VALUE = _FormulaWithoutValue()
FORMULA_MESSAGE = (
    "This cell holds a formula with no saved value; formulas are never calculated here. "
    "Open the file in Excel, save it and upload it again, or type the value."
)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


SAVE_AS = ".xlsx"


def check_workbook_bytes(data: bytes, *, max_bytes: int, save_as: str = SAVE_AS) -> None:
    """Refuse what is not an .xlsx before anything tries to open it. ``save_as`` names the formats
    the uploader is told to save the sheet in instead (``".xlsx or CSV"`` where CSV is accepted too)."""
    if not data:
        raise SpreadsheetError("The file is empty.")
    if len(data) > max_bytes:
        raise SpreadsheetError(f"The file is {megabytes(len(data))}; the limit is {megabytes(max_bytes)}.")
    if data.startswith(OLE2_MAGIC):
        raise SpreadsheetError(f"This is an old-format .xls file; save it as {save_as} and upload that.")
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetError(f"This file is not an Excel workbook (.xlsx); save the sheet as {save_as}.")


def check_zip(
    data: bytes,
    *,
    max_bytes: int,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    save_as: str = SAVE_AS,
) -> zipfile.ZipFile:
    """The workbook's zip, opened only after its declared sizes and entry count are within limits."""
    check_workbook_bytes(data, max_bytes=max_bytes, save_as=save_as)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise SpreadsheetError("The workbook is damaged: it is not a readable .xlsx (zip) file.") from None
    if len(entries) > max_entries:
        raise SpreadsheetError(
            f"The workbook has {len(entries):,} parts; at most {max_entries:,} are accepted."
        )
    uncompressed = sum(entry.file_size for entry in entries)
    if uncompressed > max_uncompressed:
        raise SpreadsheetError(
            f"The workbook unpacks to {megabytes(uncompressed)}; the limit is {megabytes(max_uncompressed)}."
        )
    for entry in entries:
        # zipfile stops at the declared size, so declared sizes bound what will be decompressed.
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise SpreadsheetError(
                "The workbook is compressed suspiciously well (a zip bomb?); it was not opened."
            )
    if not any(entry.filename.startswith("xl/") for entry in entries):
        raise SpreadsheetError(
            f"This zip file is not an Excel workbook (.xlsx); save the sheet as {save_as}."
        )
    return archive


# A formula element in sheet XML, with or without a namespace prefix: <f>, <f t="shared"/>, <x:f>.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    for entry in archive.infolist():
        if entry.filename.startswith("xl/worksheets/"):
            with archive.open(entry) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-80:]
    return False


def safe_xlsx_rows(
    data: bytes,
    *,
    max_bytes: int,
    max_rows: int = 200_000,
    max_columns: int = 64,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    save_as: str = SAVE_AS,
) -> Iterator[tuple]:
    """The first sheet's rows as tuples of cell values, the header first; at most ``max_rows + 1``
    rows are read (one more than allowed, so the caller can tell the file is too long)."""
    from openpyxl import load_workbook

    books = []
    try:
        with check_zip(
            data,
            max_bytes=max_bytes,
            max_uncompressed=max_uncompressed,
            max_entries=max_entries,
            save_as=save_as,
        ) as archive:
            formulas_present = _has_formulas(archive)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # With formulas, a second view of the sheet is read in step with the saved values: a
            # formula whose value was never saved reads as empty in the first, not in the second.
            for data_only in (True, False) if formulas_present else (True,):
                books.append(load_workbook(io.BytesIO(data), read_only=True, data_only=data_only))
            limits = {"max_row": max_rows + 2, "max_col": max_columns, "values_only": True}
            values = books[0].worksheets[0].iter_rows(**limits)
            if not formulas_present:
                yield from values
                return
            formulas = books[1].worksheets[0].iter_rows(**limits)
            for row, formula_row in zip(values, formulas, strict=False):
                if any(cell is None for cell in row) and any(cell is not None for cell in formula_row):
                    row = tuple(
                        FORMULA_WITHOUT_VALUE if cell is None and formula is not None else cell
                        for cell, formula in zip(row, formula_row, strict=False)
                    )
                yield row
    except SpreadsheetError:
        raise
    except Exception as exc:  # hostile or damaged workbooks fail in many ways inside openpyxl
        raise SpreadsheetError(
            f"The workbook could not be read ({type(exc).__name__}); save it again as .xlsx."
        ) from exc
    finally:
        for book in books:
            book.close()


# --- Cells -----------------------------------------------------------------------------------

_SPACES = str.maketrans(dict.fromkeys("\u00a0\u202f\u2007\u2009", " "))
_MINUS = "-\u2212"
# One thousands separator used consistently, in groups of three: the reading is certain.
_GROUPED = re.compile(r"[0-9]{1,3}(?:([ ,.'])[0-9]{3})(?:\1[0-9]{3})*", re.ASCII)
# A whole part (plain or grouped), then a decimal mark different from the grouping separator.
_DECIMAL = re.compile(r"([0-9]{1,3}(?:([ ,.'])[0-9]{3})(?:\2[0-9]{3})*|[0-9]+)([.,])([0-9]+)", re.ASCII)
_NON_DIGITS = re.compile(r"[^0-9]")


def _bounded(digits: str, shown: str) -> int:
    if len(digits.lstrip("0")) > len(str(MAX_WHOLE_NUMBER)) or int(digits) > MAX_WHOLE_NUMBER:
        raise CellError(f"{shown[:20]} is too large: numbers must be below 2^31 ({MAX_WHOLE_NUMBER + 1:,}).")
    return int(digits)


@functools.lru_cache(maxsize=4096)
def _parse_int_text(text: str) -> int:
    shown = repr(text.strip()[:40])
    body = text.strip().translate(_SPACES)
    negative = body.startswith(tuple(_MINUS))
    if negative:
        body = body[1:].lstrip()
    if body.isascii() and body.isdigit():
        digits = body
    elif _GROUPED.fullmatch(body):
        digits = _NON_DIGITS.sub("", body)
    elif (match := _DECIMAL.fullmatch(body)) and match.group(3) != match.group(2):
        if match.group(4).strip("0"):
            raise CellError(f"{shown} is not a whole number.")
        digits = _NON_DIGITS.sub("", match.group(1))
    else:
        raise CellError(f"{shown} is not a number.")
    if negative:
        raise CellError(f"{shown} is negative; it cannot be negative.")
    return _bounded(digits, shown)


def parse_whole_number(value: Any) -> int:
    """A non-negative integer below 2^31 from a CSV string or an xlsx cell. Thousands separators are
    accepted where the reading is certain: ``1 234``, ``1,234``, ``1.234``, ``1'234``."""
    if value is FORMULA_WITHOUT_VALUE:
        raise CellError(FORMULA_MESSAGE)
    if isinstance(value, str):
        return _parse_int_text(value)
    if isinstance(value, bool):
        raise CellError("Expected a whole number, not TRUE or FALSE.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("Expected a whole number.")
        if not value.is_integer():
            raise CellError(f"{value} is not a whole number.")
        value = int(value)
    if not isinstance(value, int):
        kind = "a date or time" if isinstance(value, dt.date | dt.time | dt.timedelta) else "something else"
        raise CellError(f"Expected a whole number, found {kind}.")
    if value < 0:
        raise CellError(f"{value} is negative; it cannot be negative.")
    return _bounded(str(value), f"{value:,}")


def cell_text(value: Any, *, max_length: int) -> str:
    """A cell as stripped text (a whole-number float as its digits), refused when too long."""
    if value is FORMULA_WITHOUT_VALUE:
        raise CellError(FORMULA_MESSAGE)
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    else:
        text = str(value).strip()
    if "\x00" in text:
        raise CellError("The text contains a NUL character.")
    if len(text) > max_length:
        raise CellError(f"Too long: {len(text)} characters, at most {max_length}.")
    return text


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_name(cell: Any) -> str:
    """A header cell as a column name: case-insensitive, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", str(cell).strip().lower()) if cell is not None else ""
