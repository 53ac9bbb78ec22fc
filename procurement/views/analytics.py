"""Procurement analytics pages: aggregated demand with its per-nation drill-down, and delivery
performance. The figures come from ``procurement.analytics``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from portal import aggregates
from portal.permissions import VIEW, scope_label
from procurement import analytics, forms
from procurement.models import Delivery
from procurement.selectors import framework_list, item_list

PERFORMANCE_PAGE_SIZE = 100


def _bound(form_class, request: HttpRequest) -> tuple[forms.ItemFilterForm, dict]:
    """The filter form and its valid values; invalid input shows its errors and filters nothing."""
    form = form_class(request.GET or None, user=request.user)
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, values


@require_GET
def demand_aggregate(request: HttpRequest) -> HttpResponse:
    if not analytics.may_read_alliance_aggregates(request.user):
        raise PermissionDenied
    form, values = _bound(forms.DemandAggregateForm, request)
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
    if not analytics.may_drill_down(request.user) or not forms.YEAR_MIN <= year <= forms.YEAR_MAX:
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
    form, values = _bound(forms.DeliveryPerformanceForm, request)
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
