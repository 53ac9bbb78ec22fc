"""The browser upload of a delivery file (NSPA). Parsing and rules live in procurement/importers/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from portal.exceptions import Forbidden
from portal.permissions import ADD, may
from portal.uploads import ImportRejected, RowError, read_upload
from procurement import forms, importers
from procurement.models import DeliveryImport
from procurement.selectors import delivery_import_list


@require_http_methods(["GET", "POST"])
def delivery_import(request):
    if not may(request.user, DeliveryImport, ADD):
        raise PermissionDenied
    form = (
        forms.DeliveryUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else forms.DeliveryUploadForm()
    )
    errors: list[RowError] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = importers.import_deliveries(
                    actor=request.user,
                    data=read_upload(upload, importers.reader.MAX_UPLOAD_BYTES),
                    file_name=upload.name,
                )
            except ImportRejected as exc:
                errors, status = exc.errors, 400
            except Forbidden as exc:
                raise PermissionDenied from exc
            else:
                if result.created:
                    messages.success(
                        request,
                        _("Imported %(created)s deliveries (%(skipped)s rows were already recorded).")
                        % {"created": result.created, "skipped": result.skipped},
                    )
                else:
                    messages.info(
                        request,
                        _("Nothing new: all %(rows)s rows were already recorded.") % {"rows": result.rows},
                    )
                return redirect("procurement:delivery-import")
        else:
            status = 400
    return render(
        request,
        "procurement/delivery_import.html",
        {
            "form": form,
            "errors": errors,
            "recent_imports": list(delivery_import_list(user=request.user)[:10]),
        },
        status=status,
    )
