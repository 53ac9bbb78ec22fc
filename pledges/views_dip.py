"""The CNAD compliance dashboard (DIP metrics): the Alliance table and charts, a page per nation,
and downloads of the dashboard's selection (CSV, XLSX, PDF).

Who: every role that may read DIP metrics (secretariat, board members, directors, superusers);
others get a 403. Directors read the Alliance view but only their own nation's page (another
nation is a 404, as if it did not exist). A dataset the user may not read is a 404 too; bad years
are form errors and the page falls back to the defaults (status 400).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pledges import dip_dashboard, exports
from pledges.models_dip import DipMetric
from pledges.views_export import pdf_download
from portal.exports import FORMATS, export_response
from portal.permissions import VIEW, may

PDF = "pdf"


def _require_reader(user) -> None:
    if not may(user, DipMetric, VIEW):
        raise PermissionDenied


def _load(request: HttpRequest):
    """The readable datasets, the filter form and the selection it gives (defaults for bad fields)."""
    user = request.user
    _require_reader(user)
    datasets = dip_dashboard.datasets_for(user)
    dataset = dip_dashboard.pick_dataset(user=user, datasets=datasets, raw=request.GET.get("dataset"))
    form = dip_dashboard.DashboardFilter(request.GET or None, datasets=datasets)
    if form.is_bound:
        form.is_valid()
    selection = dip_dashboard.selection_from(form, dataset)
    if not form.errors:
        # The form shows the selection actually applied (defaults filled in), not empty boxes; a
        # form with errors is kept as typed, with its messages.
        form = dip_dashboard.DashboardFilter(initial=selection.query(), datasets=datasets)
    return datasets, form, selection


def _status(form) -> int:
    return 400 if form.errors else 200


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    datasets, form, selection = _load(request)
    board = dip_dashboard.dashboard(user=request.user, selection=selection)
    context = {
        "form": form,
        "filter": {"form": form},  # the shape portal/_filter_form.html reads
        "datasets": datasets,
        "board": board,
        "rules": dip_dashboard.RULES,
        "query": urlencode(selection.query()),
        "export_formats": [*FORMATS, PDF],
    }
    return render(request, "pledges/dip/dashboard.html", context, status=_status(form))


@require_GET
def nation(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    _require_reader(user)
    found = dip_dashboard.nation_get(user=user, code=code)
    datasets = dip_dashboard.datasets_for(user)
    dataset = dip_dashboard.pick_dataset(user=user, datasets=datasets, raw=request.GET.get("dataset"))
    detail = dip_dashboard.nation_detail(user=user, nation=found, dataset=dataset, datasets=datasets)
    form = dip_dashboard.DatasetForm(initial={"dataset": dataset.pk if dataset else None}, datasets=datasets)
    context = {"detail": detail, "datasets": datasets, "filter": {"form": form}, "rules": dip_dashboard.RULES}
    return render(request, "pledges/dip/nation.html", context)


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The dashboard's current selection as ``?format=csv|xlsx|pdf`` (same filters as the page)."""
    _require_reader(request.user)  # who may download comes before what they asked for
    fmt = request.GET.get("format", "csv")
    if fmt not in (*FORMATS, PDF):
        return HttpResponseBadRequest(_("Unknown format: use csv, xlsx or pdf."), content_type="text/plain")
    _datasets, form, selection = _load(request)
    if form.errors:
        # A download is not a page: refuse rather than export a selection the user did not ask for.
        messages = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(messages, content_type="text/plain")
    if selection.dataset is None:
        return HttpResponseBadRequest(_("There is no dataset to export."), content_type="text/plain")
    board = dip_dashboard.dashboard(user=request.user, selection=selection)
    stem = dip_dashboard.export_stem(selection)
    if fmt != PDF:
        return export_response(stem, dip_dashboard.EXPORT_HEADERS, dip_dashboard.export_rows(board), fmt)
    context = {
        "board": board,
        "rules": dip_dashboard.RULES,
        "classification": exports.DEFAULT_CLASSIFICATION,
        "user": request.user,
    }
    return pdf_download(
        request,
        lambda: exports.render_html_pdf(
            render_to_string("pledges/dip/report_pdf.html", context, request=request)
        ),
        f"{stem}.pdf",
        _("Download CSV or XLSX instead."),
    )


urlpatterns = [
    path("dip/", dashboard, name="dip-dashboard"),
    path("dip/nations/<str:code>/", nation, name="dip-nation"),
    path("dip/export/", export, name="dip-export"),
]
