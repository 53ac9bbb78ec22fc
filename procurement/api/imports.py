"""``POST /api/procurement/deliveries/import/``: the delivery file import (NSPA), all rows or none.

Thin: the upload goes to ``procurement.importers.import_deliveries``, which validates and imports.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import ADD, may
from portal.uploads import ImportRejected, RowError, read_upload
from procurement.importers import import_deliveries, reader
from procurement.models import DeliveryImport


class DeliveryImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV or XLSX of deliveries; see the column list in the description."
    )


class DeliveryImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Data rows in the file.")
    created = serializers.IntegerField(help_text="Deliveries created by this upload.")
    skipped = serializers.IntegerField(help_text="Rows already recorded with identical values.")
    import_id = serializers.IntegerField(
        allow_null=True, help_text="The import batch; null when nothing new."
    )


class DeliveryImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row as a spreadsheet shows it: header = 1; 0 = the whole file.")
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class DeliveryImportErrorsSerializer(serializers.Serializer):
    errors = DeliveryImportErrorSerializer(many=True)


class MayImportDeliveries(BasePermission):
    message = "Only NSPA staff may import deliveries."

    def has_permission(self, request, view) -> bool:
        return may(request.user, DeliveryImport, ADD)


def _rejected(errors: list[RowError]) -> Response:
    payload = {"errors": [{"row": e.row, "column": e.column, "message": e.message} for e in errors]}
    return Response(payload, status=status.HTTP_400_BAD_REQUEST)


class DeliveryImportView(APIView):
    """Import a delivery file. Every row is validated first; either all new rows are imported or none."""

    permission_classes = [IsAuthenticated, MayImportDeliveries]
    parser_classes = [MultiPartParser]

    @extend_schema(
        description=(
            "Upload a CSV or XLSX file of deliveries. Columns: the call-off line, as call_off (the "
            "call-off's reference) with line_number (the line's number on the call-off page, from 1, in "
            "the order of the call-off's lines) or item (the item's catalogue code), or as call_off_line "
            "(the line's id); a row that gives several must name the same line. Then delivered_on, "
            "quantity_delivered, quantity_accepted, quantity_rejected, rejection_reason, lot_number, "
            "location, accepted_on. Rows already recorded with identical values are skipped, so "
            "re-uploading a file imports nothing new."
        ),
        request={"multipart/form-data": DeliveryImportUploadSerializer},
        responses={
            201: OpenApiResponse(DeliveryImportResultSerializer, description="New deliveries were imported."),
            200: OpenApiResponse(DeliveryImportResultSerializer, description="Nothing new to import."),
            400: OpenApiResponse(
                DeliveryImportErrorsSerializer, description="Rejected; nothing was imported."
            ),
        },
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return _rejected([RowError(0, "file", "Attach the CSV or XLSX file in the field 'file'.")])
        try:
            data = read_upload(upload, reader.MAX_UPLOAD_BYTES)
            result = import_deliveries(actor=request.user, data=data, file_name=upload.name)
        except ImportRejected as exc:
            return _rejected(exc.errors)
        body = {
            "rows": result.rows,
            "created": result.created,
            "skipped": result.skipped,
            "import_id": result.batch.pk if result.batch else None,
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)
