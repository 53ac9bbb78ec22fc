"""Reading uploaded spreadsheets safely, for every import in the portal.

An uploaded .xlsx is a zip of XML written by whoever sent it. Before openpyxl opens it the container
is checked: its size, its entry count, its total unpacked size and each entry's compression ratio (a
zip bomb unpacks a few kilobytes into gigabytes), and that it is a workbook at all (an old .xls or a
text file renamed .xlsx is refused with a message that says so). Then what reading it would cost is
bounded by the caller's row and column limits, before openpyxl parses the sheet (see "Bounding the
work of one upload"). Cells are read with ``read_only=True, data_only=True``: a formula is never
calculated, its saved value is used, and a formula saved without a value reads as
``FORMULA_WITHOUT_VALUE`` so the caller can report it.

Every refusal is a ``SpreadsheetError`` whose message is meant for the person who uploaded the file.
Reading an upload as a whole (CSV or XLSX, its size, its errors) is ``portal.uploads``.
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

from openpyxl.packaging.relationship import get_rels_path
from openpyxl.reader.excel import ExcelReader, _find_workbook_part
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import (
    ARC_CONTENT_TYPES,
    ARC_CORE,
    ARC_CUSTOM,
    ARC_ROOT_RELS,
    ARC_STYLE,
    ARC_THEME,
    SHARED_STRINGS,
)

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


# --- Bounding the work of one upload ----------------------------------------------------------
#
# openpyxl parses about 2 MB of sheet XML a second (40,000 to 170,000 cells), so a sheet that would
# be refused is refused before openpyxl parses it, and one that is read costs at most what its row
# limit allows. One pass over the first sheet's XML, made of byte counts and one search for row
# tags, stops at the first limit passed: rows, XML elements (openpyxl's work grows with them) and
# bytes per row (openpyxl holds a whole row in memory). The shared-string table, which openpyxl
# reads whole when it opens the workbook, is counted the same way before it is read. Only the
# first worksheet is opened: openpyxl's own loader looks for every sheet's <dimension>, and parses
# a sheet that has none (openpyxl's write-only mode never writes one) to its end to find it.

# 512 bytes of XML per column of a row: far more than any real row holds, and a row in memory
# stays small however it is built.
ROW_XML_BYTES_PER_COLUMN = 512
# A cell is two to four elements (<c> with <v>, <is><t> or <f>); the sheet's own settings add some.
ELEMENTS_PER_CELL = 4
SHEET_ELEMENTS_OVERHEAD = 10_000
SHEET_BYTES_OVERHEAD = 1024 * 1024
# Room for Excel's most cell formats (64,000, about 6 MB of styles); openpyxl parses styles at about
# a megabyte a second.
MAX_SETTINGS_PART_BYTES = 8 * 1024 * 1024
_SCAN_CHUNK = 1024 * 1024
_LONGEST_TAG_NAME = 256

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row[\s>/]")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']([0-9]{1,9})["']""")
_SHEET_DATA_END = re.compile(rb"</" + _PREFIX + rb"sheetData\s*>|<" + _PREFIX + rb"sheetData\s*/>")
# A formula element in sheet XML, with or without a namespace prefix: <f>, <f t="shared"/>, <x:f>.
_FORMULA_TAG = re.compile(rb"<" + _PREFIX + rb"f[\s>/]")


@dataclass(frozen=True)
class _Limits:
    """What one read may cost, from the caller's row and column limits."""

    max_rows: int
    max_columns: int
    max_cells: int

    @property
    def row_bytes(self) -> int:
        return self.max_columns * ROW_XML_BYTES_PER_COLUMN

    @property
    def part_bytes(self) -> int:
        return (self.max_rows + 1) * self.row_bytes + SHEET_BYTES_OVERHEAD

    @property
    def elements(self) -> int:
        return self.max_cells * ELEMENTS_PER_CELL + SHEET_ELEMENTS_OVERHEAD

    def too_many_rows(self) -> SpreadsheetError:
        return SpreadsheetError(
            f"The sheet has more than {self.max_rows:,} rows below its header (rows that only look "
            "empty count too); split it into several files."
        )

    def too_much(self, what: str) -> SpreadsheetError:
        return SpreadsheetError(
            f"{what} holds more than this import reads ({self.max_cells:,} cells at most). Delete "
            "unused columns, formatting and other sheets, or split it into several files."
        )

    def check_size(self, archive: zipfile.ZipFile, path: str, what: str) -> None:
        size = archive.getinfo(path).file_size
        if size > self.part_bytes:
            raise SpreadsheetError(
                f"{what} unpacks to {megabytes(size)}; {self.max_rows:,} rows need at most "
                f"{megabytes(self.part_bytes)}. Delete unused columns and formatting, or split it "
                "into several files."
            )


def _pieces(part) -> Iterator[tuple[int, bytes]]:
    """``part``'s bytes as (offset, piece), each piece cut before a ``<`` near its end, so that no
    tag name is split between two pieces."""
    offset, carry = 0, b""
    while chunk := part.read(_SCAN_CHUNK):
        piece = carry + chunk
        cut = piece.rfind(b"<", max(0, len(piece) - _LONGEST_TAG_NAME))
        if cut <= 0:
            cut = len(piece)
        yield offset, piece[:cut]
        offset, carry = offset + cut, piece[cut:]
    if carry:
        yield offset, carry


def _elements(piece: bytes) -> int:
    """Start and empty-element tags: every ``<`` but closing tags, declarations and comments."""
    return piece.count(b"<") - piece.count(b"</") - piece.count(b"<?") - piece.count(b"<!")


def _tag_at(piece: bytes, position: int, earlier: bytes) -> bytes:
    """The start of the tag at ``position`` in ``piece``; ``earlier`` if it began in an earlier piece."""
    return piece[position : position + 64] if position >= 0 else earlier


def _row_too_large(limits: _Limits, row_tag: bytes, counted: int) -> SpreadsheetError:
    number = _ROW_NUMBER.search(row_tag)
    return SpreadsheetError(
        f"Row {int(number.group(1)) if number else counted:,} of the sheet holds more than "
        f"{limits.row_bytes // 1024:,} KB; delete the unused columns or long texts in it."
    )


def _scan_sheet(archive: zipfile.ZipFile, path: str, limits: _Limits) -> bool:
    """Refuse a sheet whose XML passes a limit, reading no further than where it does; True if
    the sheet holds a formula."""
    limits.check_size(archive, path, "The sheet")
    row_limit, row_bytes = limits.max_rows + 1, limits.row_bytes  # the header counts as a row
    rows = elements = 0
    formulas = in_rows = past_rows = False
    row_start, row_tag = 0, b""  # where the row being read starts in the part, and its tag
    with archive.open(path) as part:
        for offset, piece in _pieces(part):
            # What follows the rows (merged cells, validations) only counts as elements.
            if not past_rows:
                end = _SHEET_DATA_END.search(piece) if b"sheetData" in piece else None
                cells = piece[: end.start()] if end else piece
                for match in _ROW_TAG.finditer(cells):
                    start = offset + match.start()
                    if in_rows and start - row_start > row_bytes:
                        raise _row_too_large(limits, _tag_at(cells, row_start - offset, row_tag), rows)
                    rows += 1
                    if rows > row_limit:
                        raise limits.too_many_rows()
                    in_rows, row_start = True, start
                if in_rows:
                    row_tag = _tag_at(cells, row_start - offset, row_tag)
                    if offset + len(cells) - row_start > row_bytes:
                        raise _row_too_large(limits, row_tag, rows)
                if not formulas and (b"<f" in cells or b":f" in cells):
                    formulas = _FORMULA_TAG.search(cells) is not None
                past_rows = end is not None
            elements += _elements(piece)
            if elements > limits.elements:
                raise limits.too_much("The sheet")
    return formulas


def _check_shared_strings(archive: zipfile.ZipFile, path: str, limits: _Limits) -> None:
    what = "The workbook's table of shared texts"
    limits.check_size(archive, path, what)
    elements = 0
    with archive.open(path) as part:
        for _, piece in _pieces(part):
            elements += _elements(piece)
            if elements > limits.elements:
                raise limits.too_much(what)


def _check_settings_part(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an oversized part of those openpyxl parses whole on opening (styles, the workbook's
    sheet list, properties): the styles alone take a second per megabyte."""
    size = archive.getinfo(name).file_size
    if size > MAX_SETTINGS_PART_BYTES:
        raise SpreadsheetError(
            f"The workbook's {name} unpacks to {megabytes(size)}; at most "
            f"{megabytes(MAX_SETTINGS_PART_BYTES)} is read. Copy the data into a new workbook and "
            "upload that."
        )


class _UnsizedWorksheet(ReadOnlyWorksheet):
    """A read-only worksheet that does not look for its ``<dimension>`` when opened: every read
    here gives its own bounds, and without a ``<dimension>`` openpyxl parses the whole sheet."""

    def _get_size(self) -> None:
        return None


class _FirstSheetReader(ExcelReader):
    """openpyxl's read-only loader, opening the first worksheet only. With ``limits``, that sheet
    and the shared-string table are checked before openpyxl parses either; ``formulas`` then says
    whether the sheet holds any."""

    def __init__(self, data: bytes, *, data_only: bool, limits: _Limits | None):
        # External links carry cached copies of other workbooks; nothing here reads them.
        super().__init__(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
        self.limits = limits
        self.formulas = False

    def read_manifest(self) -> None:
        _check_settings_part(self.archive, ARC_CONTENT_TYPES)
        super().read_manifest()
        workbook = _find_workbook_part(self.package).PartName[1:]
        for name in (
            ARC_ROOT_RELS,
            workbook,
            get_rels_path(workbook),
            ARC_CORE,
            ARC_CUSTOM,
            ARC_STYLE,
            ARC_THEME,
        ):
            if name in self.valid_files:
                _check_settings_part(self.archive, name)

    def read_strings(self) -> None:
        """Deferred to ``read_worksheets``, which checks the sheet first."""

    def read_worksheets(self) -> None:
        sheets = self.parser.find_sheets()
        found = next(
            ((s, r) for s, r in sheets if r.target in self.valid_files and "chartsheet" not in r.Type), None
        )
        if found is None:
            raise SpreadsheetError("The workbook has no worksheet.")
        sheet, rel = found
        strings = self.package.find(SHARED_STRINGS)
        if self.limits is not None:
            self.formulas = _scan_sheet(self.archive, rel.target, self.limits)
            if strings is not None:
                _check_shared_strings(self.archive, strings.PartName[1:], self.limits)
        super().read_strings()
        self.wb._sheets.append(_UnsizedWorksheet(self.wb, sheet.name, rel.target, self.shared_strings))


def _first_sheet(data: bytes, *, data_only: bool, limits: _Limits | None = None) -> _FirstSheetReader:
    reader = _FirstSheetReader(data, data_only=data_only, limits=limits)
    reader.read()
    return reader


def safe_xlsx_rows(
    data: bytes,
    *,
    max_bytes: int,
    max_rows: int = 200_000,
    max_columns: int = 64,
    max_cells: int | None = None,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    save_as: str = SAVE_AS,
) -> Iterator[tuple]:
    """The first sheet's rows as tuples of ``max_columns`` cell values, the header first.

    A sheet with more than ``max_rows`` rows below its header, or with more data than
    ``max_cells`` cells (default: ``max_rows + 1`` rows of ``max_columns``), is a
    ``SpreadsheetError``: before openpyxl parses the sheet when its XML shows it, else at the first
    row past the limit, and nothing after that is read."""
    limits = _Limits(max_rows, max_columns, max_cells or (max_rows + 1) * max_columns)
    readers: list[_FirstSheetReader] = []
    try:
        with check_zip(
            data,
            max_bytes=max_bytes,
            max_uncompressed=max_uncompressed,
            max_entries=max_entries,
            save_as=save_as,
        ):
            pass
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            readers.append(_first_sheet(data, data_only=True, limits=limits))
            # With formulas, a second view of the sheet is read in step with the saved values: a
            # formula whose value was never saved reads as empty in the first, not in the second.
            if readers[0].formulas:
                readers.append(_first_sheet(data, data_only=False))
            bounds = {"max_row": max_rows + 2, "max_col": max_columns, "values_only": True}
            values = readers[0].wb.worksheets[0].iter_rows(**bounds)
            if len(readers) > 1:
                values = _with_unsaved_formulas(values, readers[1].wb.worksheets[0].iter_rows(**bounds))
            for number, row in enumerate(values, start=1):
                if number > max_rows + 1:
                    raise limits.too_many_rows()
                yield row
    except SpreadsheetError:
        raise
    except Exception as exc:  # hostile or damaged workbooks fail in many ways inside openpyxl
        raise SpreadsheetError(
            f"The workbook could not be read ({type(exc).__name__}); save it again as .xlsx."
        ) from exc
    finally:
        for reader in readers:
            reader.wb.close()


def _with_unsaved_formulas(values: Iterator[tuple], formulas: Iterator[tuple]) -> Iterator[tuple]:
    for row, formula_row in zip(values, formulas, strict=False):
        if any(cell is None for cell in row) and any(cell is not None for cell in formula_row):
            row = tuple(
                FORMULA_WITHOUT_VALUE if cell is None and formula is not None else cell
                for cell, formula in zip(row, formula_row, strict=False)
            )
        yield row


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
