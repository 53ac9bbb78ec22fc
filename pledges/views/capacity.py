"""Capacity against demand: the page for the secretariat and NSPA."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pledges.selectors import capacity, cycle_list
from portal import aggregates


@require_GET
def capacity_vs_demand(request):
    if not capacity.may_read(request.user):
        raise PermissionDenied
    cycles = list(cycle_list(user=request.user))
    chosen = next(
        (c for c in cycles if str(c.year) == request.GET.get("cycle")), cycles[0] if cycles else None
    )
    rows = capacity.capacity_vs_demand(user=request.user, cycle=chosen) if chosen else []
    return render(
        request,
        "pledges/capacity.html",
        {
            "cycles": cycles,
            "cycle": chosen,
            "rows": rows,
            "years_ahead": capacity.YEARS_AHEAD,
            "withheld": sum((row.demanded is None) + (row.firm is None) for row in rows),
            "minimum": aggregates.minimum(),
        },
    )
