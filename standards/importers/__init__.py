"""Standards imports (CSV or XLSX; every row or none): ``reader`` turns a file into rows and
documents the cell formats, ``catalogue`` and ``responses`` check the rows against the database
and hand them to ``standards.services.imports``. Reading the upload and refusing it are the core's
(``portal.uploads``); ``ImportRejected`` and ``RowError`` are re-exported for the callers."""

from portal.uploads import ImportRejected, RowError
from standards.importers import catalogue, responses
from standards.importers.catalogue import import_catalogue
from standards.importers.reader import MAX_UPLOAD_BYTES, Column
from standards.importers.responses import import_responses
from standards.services.imports import ImportCounts

__all__ = [
    "MAX_UPLOAD_BYTES",
    "Column",
    "ImportCounts",
    "ImportRejected",
    "RowError",
    "catalogue",
    "import_catalogue",
    "import_responses",
    "responses",
]
