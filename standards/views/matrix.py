"""The ratification matrix: editions by Allies, one page of editions at a time, filtered by
domain, with each edition's and each nation's totals and the Alliance level; CSV and XLSX export
of the whole filtered matrix. The page's cost is the selector's: a fixed number of queries."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.exports import LABELS, export_response
from portal.permissions import ADD, VIEW, may
from portal.web import export_refusal, query_without, require, scope_errors
from standards import selectors
from standards.choices import RESPONDABLE
from standards.models import NationalResponse
from standards.views import domain_filter

PER_PAGE = 100


@require_GET
def matrix(request):
    user = request.user
    require(user, NationalResponse, VIEW)
    domain = domain_filter(request)
    if request.GET.get("export"):
        editions = selectors.standard_list(user=user).filter(status__in=RESPONDABLE)
        if domain is not None:
            editions = editions.filter(domain=domain)
        refused = export_refusal(request, valid=True, count=editions.count)
        if refused is not None:
            return refused
        with scope_errors():
            columns, rows = selectors.matrix_export(user=user, domain=domain)
        stem = f"ratification-matrix{'-' + domain.code if domain else ''}-{timezone.now():%Y%m%d}"
        return export_response(
            stem,
            columns,
            rows,
            request.GET["export"],
            header=request.GET.get("header", LABELS),
            title=_("Matrix"),
        )
    with scope_errors():
        result = selectors.ratification_matrix(
            user=user, domain=domain, page=request.GET.get("page", 1), per_page=PER_PAGE
        )
    return render(
        request,
        "standards/matrix.html",
        {
            "matrix": result,
            "page": result.page,
            "domain": domain,
            "domains": selectors.domain_list(user=user),
            "query": query_without(request, "page", "export", "header"),
            "may_record": may(user, NationalResponse, ADD),
        },
    )
