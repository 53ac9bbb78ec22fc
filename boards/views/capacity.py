"""Working group 1's industrial capacity view: per item and year, aggregated demand, contracted,
ordered and delivered quantities, the planned national capacity of submitted plans, and the gap,
charted for one item at a time. Figures the reader may not see are withheld and the page says so."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from boards.selectors.capacity import capacity_view, may_read
from pledges.selectors import cycle_list
from portal.forms import QuickSelect
from portal.web import add_service_errors
from procurement import selectors as procurement_selectors


class CapacityFilterForm(forms.Form):
    cycle = forms.ModelChoiceField(label=_("Plan cycle"), queryset=None, required=False)
    item = forms.ModelChoiceField(label=_("Item"), queryset=None, required=False, widget=QuickSelect)
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=1949, max_value=2100)
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1949, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycle_list(user=user)
        self.fields["item"].queryset = procurement_selectors.item_list(user=user)


def _figure(value: int | None) -> str:
    # Whole numbers print as the template would print them (no grouping: USE_THOUSAND_SEPARATOR
    # is off); None is a withheld figure.
    return "—" if value is None else str(value)


def _rows_html(view) -> str:
    """The table's rows as HTML. Built here rather than in the template: the view holds a row for
    each of 200 items in each year, and the template engine's cost per cell was four fifths of the
    page's time (bench/boards.py), as it was for the ratification matrix. Item names are escaped;
    every other cell is a number."""
    names: dict[int, str] = {}
    parts = []
    for row in view.rows:
        name = names.get(row.item.pk)
        if name is None:
            name = names[row.item.pk] = escape(row.item.name)
        gap = row.gap
        short = ' class="gap-short"' if gap and gap > 0 else ""
        parts.append(
            f"<tr><td>{name}</td><td>{row.year}</td><td>{_figure(row.demanded)}</td>"
            f"<td>{_figure(row.firm)}</td><td>{row.contracted_max}</td><td>{_figure(row.ordered)}</td>"
            f"<td>{_figure(row.delivered)}</td><td>{_figure(row.capacity)}</td>"
            f"<td{short}>{_figure(gap)}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped or a number)


@require_GET
def capacity(request):
    user = request.user
    if not may_read(user):
        raise PermissionDenied
    form = CapacityFilterForm(request.GET or None, user=user)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {name: value for name, value in form.cleaned_data.items() if value is not None}
    view = None
    if not form.is_bound or form.is_valid():
        try:
            view = capacity_view(user=user, **filters)
        except ValidationError as exc:
            add_service_errors(form, exc)
    chart = view.chart() if view is not None else {"series": {}, "items": []}
    chosen = filters.get("item")
    shown = [entry for entry in chart["items"] if chosen is None or entry["item"] == chosen.pk][:1]
    return render(
        request,
        "boards/capacity.html",
        {
            "filter": {"form": form},
            "view": view,
            "rows_html": _rows_html(view) if view is not None else "",
            "chart": {"series": chart["series"], "items": shown},
            "charted": shown[0]["name"] if shown else "",
            "withheld": view.withheld if view else 0,
            "minimum": view.minimum if view else 0,
        },
    )
