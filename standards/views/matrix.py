"""The ratification matrix: editions by Allies, one page of editions at a time, filtered by
domain, with each edition's and each nation's totals and the Alliance level; CSV and XLSX export
of the whole filtered matrix. The page's cost is the selector's: a fixed number of queries."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.exports import LABELS, export_response
from portal.permissions import ADD, VIEW, may
from portal.web import export_refusal, query_without, require, scope_errors
from standards import selectors
from standards.choices import RESPONDABLE
from standards.models import NationalResponse
from standards.views import domain_filter
from standards.views.catalogue import standard_url

PER_PAGE = 100


def _share(value) -> str:
    return f"{round(value * 100)}%"


def _row_html(row, plain: dict, reservations_label: str) -> str:
    """One edition's row of the matrix as HTML. Built here rather than in the template: a page
    holds 3,200 cells, and the template engine's cost per cell was most of the page's time
    (bench/standards.py). Every value is escaped. A cell with reservations is a button whose
    tooltip shows them on hover and on keyboard focus; the other cells repeat a handful of
    shapes, kept in ``plain``."""
    standard = row.standard
    title = standard.display_title()
    parts = [
        f'<tr><th scope="row" class="matrix-standard"><a href="{escape(standard_url(standard))}">'
        f'{escape(str(standard))}</a><span class="matrix-title">'
        f"{escape(title if len(title) <= 48 else title[:47] + '…')}</span></th>"
    ]
    for index, cell in enumerate(row.cells, start=1):
        if not cell.reservations:
            html = plain.get(cell)
            if html is None:
                html = plain[cell] = (
                    f'<td class="matrix-cell {escape(cell.css)}"><span aria-hidden="true">{escape(cell.text)}'
                    f'</span><span class="visually-hidden">{escape(cell.label)}</span></td>'
                )
            parts.append(html)
            continue
        tip = f"res-{standard.pk}-{index}"
        text = cell.reservations if len(cell.reservations) <= 400 else cell.reservations[:399] + "…"
        parts.append(
            f'<td class="matrix-cell {escape(cell.css)}">'
            f'<button type="button" class="matrix-res" aria-describedby="{tip}">'
            f'<span aria-hidden="true">{escape(cell.text)}†</span>'
            f'<span class="visually-hidden">{escape(cell.label)}</span></button>'
            f'<span role="tooltip" class="matrix-tip" id="{tip}">{reservations_label} {escape(text)}'
            "</span></td>"
        )
    parts.append(
        f'<td class="matrix-total">{row.ratified} <span class="small muted">({_share(row.ratified_share)})'
        f'</span></td><td class="matrix-total">{row.implemented} <span class="small muted">'
        f"({_share(row.implemented_share)})</span></td></tr>"
    )
    return "".join(parts)


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
    plain: dict = {}
    label = escape(_("Reservations:"))
    return render(
        request,
        "standards/matrix.html",
        {
            "matrix": result,
            # Every value in it is escaped by _row_html.
            "rows_html": mark_safe("".join(_row_html(row, plain, label) for row in result.rows)),  # noqa: S308
            "page": result.page,
            "domain": domain,
            "domains": selectors.domain_list(user=user),
            "query": query_without(request, "page", "export", "header"),
            "may_record": may(user, NationalResponse, ADD),
        },
    )
