"""Delivery import (NSPA's CSV or XLSX file; every row or none): ``reader`` turns the file into rows
and documents its format, ``checks`` holds them against the database, ``deliveries`` imports them."""

# A test that patches a limit or a helper patches the module that looks it up
# (``importers.reader.MAX_ROWS``, ``importers.deliveries.check_against_database``), not this one.

from procurement.importers.deliveries import ImportResult, import_deliveries
from procurement.importers.reader import (
    COLUMNS,
    MAX_UPLOAD_BYTES,
    CellError,
    ImportRejected,
    RowError,
    file_error,
    parse_date,
    parse_whole_number,
    read_upload,
)

__all__ = [
    "COLUMNS",
    "MAX_UPLOAD_BYTES",
    "CellError",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "file_error",
    "import_deliveries",
    "parse_date",
    "parse_whole_number",
    "read_upload",
]
