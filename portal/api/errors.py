"""Every API error is JSON: ``{"detail": ..., "code": ...}`` or ``{"field": ["message", ...]}``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.exceptions import PortalError
from portal.request_context import current_request_id


def _validation_payload(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [m for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, PortalError):
        body = {"detail": exc.message, "code": exc.code, **exc.detail}
        response = Response(body, status=exc.status_code)
    elif isinstance(exc, DjangoValidationError):
        response = Response(_validation_payload(exc), status=status.HTTP_400_BAD_REQUEST)
    else:
        response = drf_exception_handler(exc, context)
        if response is not None and isinstance(response.data, dict):
            detail = response.data.get("detail")
            if detail is not None:
                # DRF turns Http404 and PermissionDenied into API errors; their ErrorDetail has the code.
                response.data["code"] = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    if response is not None:
        response["X-Request-ID"] = current_request_id()
    return response
