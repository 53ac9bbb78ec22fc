"""Delivery import (NSPA's CSV or XLSX file; every row or none): ``reader`` turns the file into rows
and documents its format, ``checks`` holds them against the database, ``deliveries`` imports them.
Reading the upload and refusing it are the core's (``portal.uploads``); ``ImportRejected`` and
``RowError`` are re-exported here for the callers' convenience."""

# A test that patches a limit or a helper patches the module that looks it up
# (``importers.reader.MAX_ROWS``, ``importers.deliveries.check_against_database``), not this one.

from portal.uploads import ImportRejected, RowError
from procurement.importers.deliveries import ImportResult, import_deliveries
from procurement.importers.reader import (
    COLUMNS,
    MAX_UPLOAD_BYTES,
    CellError,
    parse_date,
    parse_whole_number,
)

__all__ = [
    "COLUMNS",
    "MAX_UPLOAD_BYTES",
    "CellError",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "import_deliveries",
    "parse_date",
    "parse_whole_number",
]
