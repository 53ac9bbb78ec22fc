"""Reading an uploaded file for an import, and refusing it: the machinery every import shares.

An import reads the upload's bytes with ``read_upload`` (its size is checked before a byte is
read), turns them into rows of cells with ``read_rows`` (CSV or XLSX, as its ``UploadFormat``
accepts), collects every problem it finds in a ``RowErrors`` and refuses the file with one
``ImportRejected``: every row is imported, or none. A problem is a ``RowError``, numbered as a
spreadsheet numbers rows (the header is row 1; row 0 is the file as a whole). Messages are for the
person who sent the file. Cells are parsed by ``portal.spreadsheets``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from portal.spreadsheets import (
    DEFAULT_MAX_ENTRIES,
    DEFAULT_MAX_UNCOMPRESSED,
    OLE2_MAGIC,
    SAVE_AS,
    ZIP_MAGIC,
    SpreadsheetError,
    megabytes,
    safe_xlsx_rows,
)


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: ``row`` as a spreadsheet numbers it (header = 1; 0 = the
    whole file), the column it is in ("" for the whole row or file) and, where an import reads
    several files, which one ("" when there is only one; a problem found across the files names
    what it is about instead)."""

    row: int
    column: str
    message: str
    file: str = ""

    def __str__(self) -> str:
        # A file's own name says the problem is about that file, so "file" is only said without one.
        place = f"row {self.row}" if self.row else ("" if self.file else "file")
        if self.column:
            place = f"{place}, {self.column}" if place else self.column
        text = f"{place}: {self.message}" if place else self.message
        return f"{self.file}: {text}" if self.file else text


class ImportRejected(Exception):
    """The file was refused; nothing was imported. ``errors`` says where and why."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors[:5]))


def file_error(message: str, column: str = "", file: str = "") -> ImportRejected:
    """A refusal of the file as a whole (row 0)."""
    return ImportRejected([RowError(0, column, message, file)])


class RowErrors:
    """An import's problems, the first ``limit`` kept and the rest counted: enough to fix a file,
    and a file wrong on every row gets a count rather than a megabyte of messages. ``limit=None``
    keeps every one."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.kept: list[RowError] = []
        self.count = 0

    def add(self, row: int, column: str, message: str, *, file: str = "") -> None:
        self.count += 1
        if self.limit is None or len(self.kept) < self.limit:
            self.kept.append(RowError(row, column, message, file))

    def __bool__(self) -> bool:
        return self.count > 0

    def rejection(self) -> ImportRejected:
        errors = list(self.kept)
        if self.count > len(errors):
            errors.append(RowError(0, "", f"… and {self.count - len(errors):,} more errors not listed."))
        return ImportRejected(errors)


def read_upload(
    upload,
    max_bytes: int,
    *,
    too_large: str | Callable[[int], str] | None = None,
    file: str = "",
) -> bytes:
    """The bytes of an uploaded file (anything with ``size`` and ``read()``), refused before a byte
    is read when it is larger than ``max_bytes``. ``too_large`` is the import's own message for that
    (or makes it from the file's size); ``file`` names the file in the refusal."""
    if upload.size > max_bytes:
        if too_large is None:
            message = f"The file is {megabytes(upload.size)}; the limit is {megabytes(max_bytes)}."
        else:
            message = too_large(upload.size) if callable(too_large) else too_large
        raise file_error(message, file=file)
    return upload.read()


# --- From bytes to rows ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UploadFormat:
    """What one import accepts: which formats, within which limits, in which text encodings, and
    what its uploaders are told to save a refused file as (``save_as``). ``not_text`` and
    ``binary`` are its messages for a CSV that is not text in an accepted encoding, or not text."""

    xlsx: bool = True
    csv: bool = True
    max_xlsx_bytes: int = 20 * 1024 * 1024
    max_csv_bytes: int = 50 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 64
    # Default: (max_rows + 1) * max_columns (see portal.spreadsheets.safe_xlsx_rows).
    max_cells: int | None = None
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED
    max_entries: int = DEFAULT_MAX_ENTRIES
    # Tried in order; a byte-order mark settles the encoding when it is one of these, and UTF-16 is
    # only ever recognised by its mark (without one, Windows-1252 would read any bytes as text).
    encodings: tuple[str, ...] = ("utf-8", "utf-16", "cp1252")
    # "" tells the uploader to save as .xlsx, or as ".xlsx or CSV" where CSV is accepted too.
    save_as: str = ""
    not_text: str = "The file is not text in UTF-8 or Windows-1252; save it as CSV (UTF-8) or .xlsx."
    binary: str = "This is a binary file, not CSV; upload CSV or .xlsx."

    def __post_init__(self) -> None:
        if not self.save_as:
            object.__setattr__(self, "save_as", f"{SAVE_AS} or CSV" if self.csv else SAVE_AS)


def read_rows(data: bytes, file_name: str, accepts: UploadFormat) -> Iterator[Sequence[Any]]:
    """Rows of cells, the header first, from an XLSX or CSV file as ``accepts`` allows. A problem
    with the file as a whole raises ``ImportRejected``: at once when it shows in the bytes, else
    while the rows are read."""
    if not data:
        raise file_error("The file is empty.")
    is_workbook = data.startswith((OLE2_MAGIC, ZIP_MAGIC))
    if accepts.xlsx and (is_workbook or not accepts.csv):
        # An old .xls, or anything else that is not a workbook, is refused there with the shared wording.
        return _xlsx_rows(data, accepts)
    if accepts.xlsx and file_name.lower().endswith((".xlsx", ".xlsm")):
        raise file_error(
            f"This file is named .xlsx but is not an Excel workbook; save it as {accepts.save_as}."
        )
    return _csv_rows(data, accepts)


def _xlsx_rows(data: bytes, accepts: UploadFormat) -> Iterator[Sequence[Any]]:
    try:
        yield from safe_xlsx_rows(
            data,
            max_bytes=accepts.max_xlsx_bytes,
            max_rows=accepts.max_rows,
            max_columns=accepts.max_columns,
            max_cells=accepts.max_cells,
            max_uncompressed=accepts.max_uncompressed,
            max_entries=accepts.max_entries,
            save_as=accepts.save_as,
        )
    except SpreadsheetError as exc:
        raise file_error(exc.message) from exc


_BOMS = ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8"))


def decode_csv(data: bytes, accepts: UploadFormat, *, file: str = "") -> str:
    """A CSV file's bytes as text, within the import's CSV size and in one of its encodings;
    ``file`` names the file in a refusal."""
    if len(data) > accepts.max_csv_bytes:
        raise file_error(
            f"The file is {megabytes(len(data))}; the limit for CSV is {megabytes(accepts.max_csv_bytes)}.",
            file=file,
        )
    marked = next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)
    if marked in accepts.encodings:
        # The mark is dropped with it ("utf-16" does so itself).
        encodings: Sequence[str] = ("utf-8-sig",) if marked == "utf-8" else (marked,)
    else:
        encodings = [encoding for encoding in accepts.encodings if encoding != "utf-16"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error(accepts.not_text, file=file)


def _csv_rows(data: bytes, accepts: UploadFormat) -> Iterator[Sequence[Any]]:
    text = decode_csv(data, accepts)
    if "\x00" in text:
        raise file_error(accepts.binary)
    header_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(";,\t", key=header_line.count)
    return _csv_reader(text, delimiter)


def _csv_reader(text: str, delimiter: str) -> Iterator[Sequence[Any]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise file_error(f"The CSV cannot be read near line {reader.line_num}: {exc}.") from exc
