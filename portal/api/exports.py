"""CSV and XLSX downloads of an API list: ``?export=csv|xlsx`` (and ``&header=names``), as on the
pages (``portal.web.list_page``), through the one typed exporter (``portal.exports``).

A list viewset mixes in ``ExportListMixin`` and says what a row exports: a django-tables2 table
(``export_table``, the page's own columns, read by ``table_export``) or ``export_columns``, pairs
of a ``portal.exports.Column`` and a function of the row. The download holds every row of the
filtered, scoped list (never one page), up to ``MAX_EXPORT_ROWS``; a bad format, header or filter,
or too many rows, is a 400 with the field's message. The schema (``portal.api.schema``) documents
the two parameters and the two media types on every such list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from portal.exports import CONTENT_TYPES, FORMATS, HEADERS, LABELS, MAX_EXPORT_ROWS, Column, export_response
from portal.exports import table_export as rows_of_table

EXPORT, HEADER = "export", "header"
PARAMETERS = [
    OpenApiParameter(
        EXPORT,
        OpenApiTypes.STR,
        enum=list(FORMATS),
        description="Download every row the filters select, not a page, as CSV or XLSX (typed cells).",
    ),
    OpenApiParameter(
        HEADER,
        OpenApiTypes.STR,
        enum=list(HEADERS),
        description="With `export`: the header row is the columns' labels (default) or their machine names.",
    ),
]
# What a download's 200 adds to the list's JSON: the media types, after JSON (a generated client
# reads the first it knows, the JSON page).
MEDIA = {
    CONTENT_TYPES["csv"].split(";")[0]: {"schema": {"type": "string"}},
    CONTENT_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


class ExportListMixin:
    """``list`` with ``?export=``: the filtered queryset, exported. Set ``export_stem`` (the file
    name's start) and ``export_table`` or ``export_columns``."""

    export_stem: str = "export"
    export_title: str = "Export"
    export_table = None  # a django-tables2 Table class
    export_columns: Sequence[tuple[Column, Callable]] = ()

    def list(self, request, *args, **kwargs):
        if EXPORT not in request.query_params and HEADER not in request.query_params:
            return super().list(request, *args, **kwargs)
        fmt = request.query_params.get(EXPORT, "")
        header = request.query_params.get(HEADER, LABELS)
        errors = {}
        if fmt not in FORMATS:
            errors[EXPORT] = [_("Choose CSV or XLSX to export.")]
        if header not in HEADERS:
            errors[HEADER] = [_("Choose labels or names for the export's header row.")]
        if errors:
            raise ValidationError(errors)
        queryset = self.filter_queryset(self.get_queryset())
        count = queryset.count()
        if count > MAX_EXPORT_ROWS:
            raise ValidationError(
                {
                    EXPORT: _(
                        "%(count)s rows match; an export holds at most %(max)s. Narrow the filters and "
                        "try again."
                    )
                    % {"count": f"{count:,}", "max": f"{MAX_EXPORT_ROWS:,}"}
                }
            )
        columns, rows = self.export_rows(queryset)
        return export_response(
            f"{self.export_stem}-{timezone.now():%Y%m%d}",
            columns,
            rows,
            fmt,
            header=header,
            title=str(self.export_title),
        )

    def export_rows(self, queryset):
        """The download's columns and its rows (streamed)."""
        if self.export_table is not None:
            return rows_of_table(self.export_table(queryset))
        columns = [column for column, _value in self.export_columns]
        getters = [value for _column, value in self.export_columns]
        rows = ([get(obj) for get in getters] for obj in queryset.iterator(chunk_size=2000))
        return columns, rows


def exports(view) -> bool:
    """Whether ``view`` (an API view) is a list that exports."""
    return isinstance(view, ExportListMixin) and getattr(view, "action", None) == "list"
