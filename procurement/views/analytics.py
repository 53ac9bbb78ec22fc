"""Procurement analytics pages: aggregated demand with its per-nation drill-down, and delivery
performance. The figures come from ``procurement.analytics``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from portal import aggregates
from portal.permissions import VIEW, scope_label
from procurement import analytics
from procurement.models import Delivery, Supplier
from procurement.selectors import framework_list, item_list, supplier_list

YEAR_MIN, YEAR_MAX = 1949, 2100
PERFORMANCE_PAGE_SIZE = 100


class ItemFilterForm(forms.Form):
    """A filter form with an item choice whose items also name the result rows: the catalogue is
    read once (a ModelChoiceField would query it again to render its options)."""

    item = forms.TypedChoiceField(label=_("Item"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in item_list(user=user)}
        self.fields["item"].choices = [("", "---------")] + [
            (pk, str(item)) for pk, item in self.items.items()
        ]

    def clean_item(self):
        value = self.cleaned_data.get("item")
        return None if value is None else self.items[value]


class DemandAggregateForm(ItemFilterForm):
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)

    field_order = ["year_from", "year_to", "item"]

    def clean(self):
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and end < start:
            self.add_error("year_to", _("The range must end on or after its start."))
        return data


class DeliveryPerformanceForm(ItemFilterForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if analytics.frameworks_named(user):
            self.fields["supplier"].queryset = supplier_list(user=user)
        else:
            del self.fields["supplier"]  # delivery_performance ignores it for this reader


def _bound(form_class, request: HttpRequest) -> tuple[ItemFilterForm, dict]:
    """The filter form and its valid values; invalid input shows its errors and filters nothing."""
    form = form_class(request.GET or None, user=request.user)
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, values


@require_GET
def demand_aggregate(request: HttpRequest) -> HttpResponse:
    if not analytics.may_read_alliance_aggregates(request.user):
        raise PermissionDenied
    form, values = _bound(DemandAggregateForm, request)
    rows = analytics.aggregated_demand(
        user=request.user,
        year_from=values.get("year_from"),
        year_to=values.get("year_to"),
        item=values.get("item"),
    )
    items = form.items
    return render(
        request,
        "procurement/analytics/demand_aggregate.html",
        {
            "filter": {"form": form},  # the shape portal/_filter_form.html reads
            "rows": [(items.get(row.item_id), row) for row in rows],
            "may_drill_down": analytics.may_drill_down(request.user),
            "withheld": sum(row.withheld for row in rows),
            "minimum": aggregates.minimum(),
        },
    )


@require_GET
def demand_drilldown(request: HttpRequest, item_id: int, year: int) -> HttpResponse:
    if not analytics.may_drill_down(request.user) or not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404
    item = get_object_or_404(item_list(user=request.user), pk=item_id)
    rows = analytics.demand_drilldown(user=request.user, item=item, year=year)
    return render(
        request,
        "procurement/analytics/demand_drilldown.html",
        {"item": item, "year": year, "rows": rows},
    )


@require_GET
def delivery_performance(request: HttpRequest) -> HttpResponse:
    if not analytics.may_read_alliance_aggregates(request.user):
        raise PermissionDenied
    form, values = _bound(DeliveryPerformanceForm, request)
    performance = analytics.delivery_performance(
        user=request.user, item=values.get("item"), supplier=values.get("supplier")
    )
    items = form.items
    framework_ids = {row.framework_id for row in performance.rows} | {
        row.framework_id for row in performance.backlog
    }
    # Names only the frameworks the user may read: an unreadable one stays "—".
    frameworks = {
        framework.pk: (
            framework.reference,
            ", ".join(supplier.name for supplier in framework.suppliers.all()),
        )
        for framework in framework_list(user=request.user).filter(pk__in=framework_ids - {None})
    }
    unknown = ("—", "—")

    def days(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    def item_name(item_id: int) -> str:
        return items[item_id].name if item_id in items else "—"

    # Plain values, formatted here, a page at a time: 1M deliveries make hundreds of rows.
    page = Paginator(performance.rows, PERFORMANCE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        {
            "item": item_name(row.item_id),
            "framework": frameworks.get(row.framework_id, unknown),
            "period": row.period,
            "deliveries": row.deliveries,
            "accepted": row.accepted,
            "on_time_pct": None if row.on_time_share is None else round(row.on_time_share * 100),
            "average": days(row.average_lead_days),
            "p90": days(row.p90_lead_days),
        }
        for row in page
    ]
    backlog = [
        {
            "item": item_name(row.item_id),
            "framework": frameworks.get(row.framework_id, unknown),
            "open_lines": row.open_lines,
            "backlog": row.backlog,
        }
        for row in performance.backlog
    ]
    chart = {
        "series": [
            {
                "item": item_name(item_id),
                "points": [
                    {"period": p.period, "average": days(p.average_lead_days), "p90": days(p.p90_lead_days)}
                    for p in points
                ],
            }
            for item_id, points in sorted(performance.trend.items(), key=lambda pair: item_name(pair[0]))
        ],
        "labels": {"average": str(_("average")), "p90": str(_("p90")), "axis": str(_("Lead time (days)"))},
    }
    return render(
        request,
        "procurement/analytics/delivery_performance.html",
        {
            "filter": {"form": form},  # the shape portal/_filter_form.html reads
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "backlog": backlog,
            "chart": chart,
            "frameworks_merged": performance.frameworks_merged,
            # "own_nation" for a reader whose deliveries are their nation's only (the note says so).
            "delivery_scope": scope_label(request.user, Delivery, VIEW),
            "withheld": performance.withheld,
            "minimum": aggregates.minimum(),
        },
    )
