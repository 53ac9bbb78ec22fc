"""The interoperability alert list: every open alert the reader may see, filtered by nation,
domain, kind and source, paginated, with CSV and XLSX export of every filtered row.

Alerts are a read (``standards.selectors.alert_list``), never stored, so the list is always
current.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import EmptyPage
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_tables2.paginators import LazyPaginator

from portal.choices import NationKind
from portal.exports import LABELS, Column, export_response
from portal.permissions import VIEW
from portal.selectors import nation_list
from portal.web import PAGE_SIZE, export_refusal, query_without, require
from standards import selectors
from standards.choices import AlertKind, AlertSource, Implementation, Ratification
from standards.models import NationalResponse

EXPORT_COLUMNS = [
    Column("kind", gettext_lazy("Alert")),
    Column("nation", gettext_lazy("Nation code")),
    Column("nation_name", gettext_lazy("Nation")),
    Column("source", gettext_lazy("Source")),
    Column("source_label", gettext_lazy("Order or demand")),
    Column("item", gettext_lazy("Item")),
    Column("standard", gettext_lazy("Required standard")),
    Column("domain", gettext_lazy("Domain")),
    Column("ratification", gettext_lazy("Ratification")),
    Column("implementation", gettext_lazy("Implementation")),
    Column("reservations", gettext_lazy("Reservations")),
]


class AlertFilterForm(forms.Form):
    nation = forms.ModelChoiceField(
        label=gettext_lazy("Nation"), queryset=None, required=False, to_field_name="code"
    )
    domain = forms.ModelChoiceField(label=gettext_lazy("Domain"), queryset=None, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[("", "—"), *AlertKind.choices], required=False
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), choices=[("", "—"), *AlertSource.choices], required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nation"].queryset = nation_list(user=user).filter(kind=NationKind.ALLY)
        self.fields["domain"].queryset = selectors.domain_list(user=user)


def _export_rows(alerts):
    ratification, implementation = dict(Ratification.choices), dict(Implementation.choices)
    for alert in alerts:
        yield [
            alert.kind_label,
            alert.nation_code,
            alert.nation_name,
            alert.source_kind_label,
            alert.source_label,
            alert.item_name,
            alert.designation,
            alert.domain_name,
            str(ratification.get(alert.ratification, _("No response"))),
            str(implementation.get(alert.implementation, "")) or None,
            alert.reservations or None,
        ]


@require_GET
def alert_list(request):
    user = request.user
    require(user, NationalResponse, VIEW)
    form = AlertFilterForm(request.GET or None, user=user)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {name: value for name, value in form.cleaned_data.items() if value}
    fmt = request.GET.get("export")
    if fmt:
        rows = selectors.alert_list(user=user, **filters)
        refused = export_refusal(request, valid=not (form.is_bound and not form.is_valid()), count=rows.count)
        if refused is not None:
            return refused
        return export_response(
            f"alerts-{timezone.now():%Y%m%d}",
            EXPORT_COLUMNS,
            _export_rows(selectors.alerts(rows)),
            fmt,
            header=request.GET.get("header", LABELS),
            title=_("Interoperability alerts"),
        )
    # The list is not counted: a count has to join every alert of the Alliance, about 300 ms at
    # NSPA's scale, where the page alone reads one or two nations' (bench/standards.py).
    paginator = LazyPaginator(selectors.alert_pages(user=user, **filters), PAGE_SIZE)
    try:
        page = paginator.get_page(request.GET.get("page"))
    except EmptyPage:  # past the end: the uncounted list cannot know its last page, so the first
        page = paginator.page(1)
    first = (page.number - 1) * PAGE_SIZE + 1
    return render(
        request,
        "standards/alert_list.html",
        {
            "form_wrapper": {"form": form},
            "page": page,
            "alerts": selectors.alerts(page.object_list),
            "first": first,
            "last": first + len(page.object_list) - 1,
            "query": query_without(request, "page", "export", "header"),
        },
    )
