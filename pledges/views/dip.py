"""The CNAD compliance dashboard (DIP metrics): the Alliance table and charts, a page per nation,
and downloads of the dashboard's selection (CSV, XLSX, PDF).

Who: every role that may read DIP metrics (secretariat, board members, directors, superusers);
others get a 403. Directors read the Alliance view but only their own nation's page (another
nation is a 404, as if it did not exist). A dataset the user may not read is a 404 too; bad years
are form errors and the page falls back to the defaults (status 400).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pledges import display, exports
from pledges.forms.dashboard import DashboardFilter, DatasetForm, selection_from
from pledges.models import DipMetric
from pledges.selectors import dashboard as dashboards
from portal.exports import FORMATS, HEADERS, LABELS, export_response
from portal.pdf import pdf_download
from portal.permissions import VIEW
from portal.web import require, scope_errors

PDF = "pdf"


def _load(request: HttpRequest):
    """The readable datasets, the filter form and the selection it gives (defaults for bad fields)."""
    user = request.user
    require(user, DipMetric, VIEW)
    datasets = dashboards.datasets_for(user)
    with scope_errors():
        dataset = dashboards.pick_dataset(user=user, datasets=datasets, raw=request.GET.get("dataset"))
    form = DashboardFilter(request.GET or None, datasets=datasets)
    if form.is_bound:
        form.is_valid()
    selection = selection_from(form, dataset)
    if not form.errors:
        # The form shows the selection actually applied (defaults filled in), not empty boxes; a
        # form with errors is kept as typed, with its messages.
        form = DashboardFilter(initial=selection.query(), datasets=datasets)
    return datasets, form, selection


def _status(form) -> int:
    return 400 if form.errors else 200


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    datasets, form, selection = _load(request)
    board = display.show_dashboard(dashboards.dashboard(user=request.user, selection=selection))
    context = {
        "form": form,
        "filter": {"form": form},  # the shape portal/_filter_form.html reads
        "datasets": datasets,
        "board": board,
        "rules": display.RULES,
        "query": urlencode(selection.query()),
        "export_formats": [*FORMATS, PDF],
    }
    return render(request, "pledges/dip/dashboard.html", context, status=_status(form))


@require_GET
def nation(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    require(user, DipMetric, VIEW)
    with scope_errors():
        found = dashboards.nation_get(user=user, code=code)
        datasets = dashboards.datasets_for(user)
        dataset = dashboards.pick_dataset(user=user, datasets=datasets, raw=request.GET.get("dataset"))
    detail = display.show_nation(
        dashboards.nation_detail(user=user, nation=found, dataset=dataset, datasets=datasets)
    )
    form = DatasetForm(initial={"dataset": dataset.pk if dataset else None}, datasets=datasets)
    context = {"detail": detail, "datasets": datasets, "filter": {"form": form}, "rules": display.RULES}
    return render(request, "pledges/dip/nation.html", context)


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The dashboard's current selection as ``?format=csv|xlsx|pdf`` (same filters as the page)."""
    require(request.user, DipMetric, VIEW)  # who may download comes before what they asked for
    fmt = request.GET.get("format", "csv")
    if fmt not in (*FORMATS, PDF):
        return HttpResponseBadRequest(_("Unknown format: use csv, xlsx or pdf."), content_type="text/plain")
    header = request.GET.get("header", LABELS)
    if header not in HEADERS:
        return HttpResponseBadRequest(_("Unknown header: use labels or names."), content_type="text/plain")
    _datasets, form, selection = _load(request)
    if form.errors:
        # A download is not a page: refuse rather than export a selection the user did not ask for.
        messages = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(messages, content_type="text/plain")
    if selection.dataset is None:
        return HttpResponseBadRequest(_("There is no dataset to export."), content_type="text/plain")
    board = dashboards.dashboard(user=request.user, selection=selection)
    stem = display.export_stem(selection)
    if fmt != PDF:
        return export_response(
            stem, display.EXPORT_COLUMNS, display.export_rows(board), fmt, header=header, title="DIP"
        )
    display.show_dashboard(board)
    context = {
        "board": board,
        "rules": display.RULES,
        "classification": exports.DEFAULT_CLASSIFICATION,
        "user": request.user,
    }
    return pdf_download(
        request,
        lambda: exports.render_html_pdf(
            render_to_string("pledges/dip/report_pdf.html", context, request=request)
        ),
        stem,
        _("Download CSV or XLSX instead."),
    )
