"""``POST /api/standards/import/catalogue/`` and ``.../import/responses/``: the file imports, every
row or none (multipart: the one kind of body besides JSON, as for the delivery import).

Thin: the upload goes to ``standards.importers``, which checks and imports it. The column lists
and the cell formats are on the upload pages and in ``standards/importers/``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import ADD, may
from portal.uploads import ImportRejected, RowError, read_upload
from procurement.api.imports import DeliveryImportErrorsSerializer
from standards import importers
from standards.models import NationalResponse, Standard


class StandardsImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX; see the column list in the description.")


class StandardsImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Data rows in the file.")
    created = serializers.IntegerField(help_text="Rows that recorded something new.")
    updated = serializers.IntegerField(help_text="Rows that changed what was recorded.")
    unchanged = serializers.IntegerField(help_text="Rows identical to what was recorded.")


class StandardsImportErrorsSerializer(DeliveryImportErrorsSerializer):
    """Rejected; nothing was imported. Each problem with its row (header = 1; 0 = the whole file)
    and column."""


def _columns(columns) -> str:
    return "; ".join(f"`{column.name}`{' (required)' if column.required else ''}" for column in columns)


def _schema(columns, what: str):
    return extend_schema(
        description=(
            f"Upload a CSV or XLSX file of {what}. Columns: {_columns(columns)}. Every row is checked "
            "first; either every row is imported or none. A column left out keeps what is recorded."
        ),
        request={"multipart/form-data": StandardsImportUploadSerializer},
        responses={
            201: OpenApiResponse(StandardsImportResultSerializer, description="The file was imported."),
            200: OpenApiResponse(
                StandardsImportResultSerializer, description="Imported; every row was already recorded so."
            ),
            400: OpenApiResponse(
                StandardsImportErrorsSerializer, description="Rejected; nothing was imported."
            ),
        },
    )


class _MayImport(BasePermission):
    model: type

    def has_permission(self, request, view) -> bool:
        return may(request.user, self.model, ADD)


class MayImportCatalogue(_MayImport):
    model = Standard
    message = gettext_lazy("Only the CNAD secretariat may import the catalogue.")


class MayImportResponses(_MayImport):
    model = NationalResponse
    message = gettext_lazy("Only a nation's armaments director or the CNAD secretariat may import responses.")


def _rejected(errors: list[RowError]) -> Response:
    payload = {"errors": [{"row": e.row, "column": e.column, "message": e.message} for e in errors]}
    return Response(payload, status=status.HTTP_400_BAD_REQUEST)


def _import(request, run) -> Response:
    upload = request.FILES.get("file")
    if upload is None:
        return _rejected([RowError(0, "file", _("Attach the CSV or XLSX file in the field 'file'."))])
    try:
        counts = run(
            actor=request.user, data=read_upload(upload, importers.MAX_UPLOAD_BYTES), file_name=upload.name
        )
    except ImportRejected as exc:
        return _rejected(exc.errors)
    body = {
        "rows": counts.rows,
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
    }
    changed = counts.created or counts.updated
    return Response(body, status=status.HTTP_201_CREATED if changed else status.HTTP_200_OK)


class CatalogueImportView(APIView):
    """Import editions into the catalogue (CNAD secretariat), by type, number and edition."""

    permission_classes = [IsAuthenticated, MayImportCatalogue]
    parser_classes = [MultiPartParser]

    @_schema(importers.catalogue.COLUMNS, "editions, created or updated by type, number and edition")
    def post(self, request):
        return _import(request, importers.import_catalogue)


class ResponsesImportView(APIView):
    """Import national responses: a director their own nation's; the secretariat any nation's, on
    its behalf."""

    permission_classes = [IsAuthenticated, MayImportResponses]
    parser_classes = [MultiPartParser]

    @_schema(importers.responses.COLUMNS, "national responses, one nation and edition per row")
    def post(self, request):
        return _import(request, importers.import_responses)
