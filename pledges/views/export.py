"""Plan downloads (PDF and XLSX) and the director's bulk upload of capacity lines from XLSX.

A plan the user may not see is a 404, as if it did not exist; a plan the user sees but may not edit
is a 403 for the upload; a plan that is not a draft (or returned) is a 409 with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pledges import capacity_upload, exports, selectors
from pledges.forms.uploads import CapacityUploadForm
from pledges.models import NationalPlan
from portal.exceptions import Conflict
from portal.exports import CONTENT_TYPES, download
from portal.pdf import pdf_download
from portal.permissions import CHANGE, allows, is_allowed
from portal.uploads import ImportRejected, RowError, read_upload
from portal.web import get_for, scope_errors


def _visible_export(request: HttpRequest, pk: int) -> exports.PlanExport:
    export = exports.visible_export(user=request.user, plan=get_for(request, selectors.plan_list, pk))
    if export is None:
        raise Http404
    return export


def _message_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


@require_GET
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    export = _visible_export(request, pk)
    return pdf_download(
        request,
        lambda: exports.render_plan_pdf(export),
        exports.export_stem(export),
        _("Download the plan as XLSX instead, or ask the administrators to install it."),
    )


@require_GET
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    export = _visible_export(request, pk)
    return download(
        exports.render_plan_xlsx(export), CONTENT_TYPES["xlsx"], exports.export_stem(export), "xlsx"
    )


def _after_upload(plan: NationalPlan) -> str:
    try:
        return reverse("pledges:plan-edit", kwargs={"pk": plan.pk})
    except NoReverseMatch:  # the editor lives in another module; fall back to this page
        return reverse("pledges:capacity-upload", kwargs={"pk": plan.pk})


def may_upload_capacity(user, plan: NationalPlan) -> bool:
    """Whether the upload page takes a file from ``user`` for ``plan`` (one they see): what its
    403 and 409 refuse (``allows`` decides as ``is_allowed``, from the loaded plan when it can).
    The editor asks it before linking here."""
    return plan.is_editable and allows(user, CHANGE, plan)


@require_http_methods(["GET", "POST"])
def capacity_upload_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_for(request, selectors.plan_list, pk)
    if not is_allowed(request.user, CHANGE, plan):
        raise PermissionDenied
    if not plan.is_editable:
        return _message_page(
            request,
            409,
            _("The plan cannot be edited"),
            _("The plan is %(status)s: capacity lines can be uploaded only to a draft or a returned plan.")
            % {"status": plan.get_status_display().lower()},
        )
    form = (
        CapacityUploadForm(request.POST, request.FILES) if request.method == "POST" else CapacityUploadForm()
    )
    errors: list[RowError] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with scope_errors():
                    data = read_upload(
                        upload, capacity_upload.MAX_UPLOAD_BYTES, too_large=_("The file is larger than 5 MB.")
                    )
                    created = capacity_upload.upload_capacity_lines(actor=request.user, plan=plan, data=data)
            except ImportRejected as exc:
                errors, status = exc.errors, 400
            except Conflict as exc:
                return _message_page(request, 409, _("The plan cannot be edited"), exc.message)
            else:
                messages.success(request, _("Added %(n)s capacity lines.") % {"n": created})
                return redirect(_after_upload(plan))
        else:
            status = 400
    return render(
        request,
        "pledges/export/capacity_upload.html",
        {
            "plan": plan,
            "form": form,
            "errors": errors,
            "columns": capacity_upload.COLUMNS,
            "required": capacity_upload.REQUIRED,
            "max_rows": capacity_upload.MAX_ROWS,
        },
        status=status,
    )
