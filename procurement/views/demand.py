"""Demand pages: the list of demand signals and the grid in which a nation's director (or NSPA on
its behalf) enters demand per item and year."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.permissions import ADD
from portal.selectors import nation_list
from portal.web import FORM_METHODS, acting_nation, list_view, post_data, require, scope_errors
from procurement import filtersets, forms, selectors, services, tables
from procurement.models import DemandSignal

DEMAND_YEARS = 5

demand_list = list_view(
    model=DemandSignal,
    selector=selectors.demand_signal_list,
    filterset_class=filtersets.DemandSignalFilterSet,
    table_class=tables.DemandSignalTable,
    title=gettext_lazy("Demand signals"),
    export_stem="demand",
    links=((DemandSignal, ADD, "procurement:demand-entry", gettext_lazy("Enter demand")),),
)


@FORM_METHODS
def demand_entry(request):
    """The grid of item x year (this year and the next four) for one nation's demand."""
    user = request.user
    require(user, DemandSignal, ADD)
    nation = acting_nation(request, DemandSignal, ADD)
    if nation is None:
        return render(
            request,
            "procurement/demand_entry.html",
            {"nations": nation_list(user=user).filter(kind="ally"), "form": None},
        )
    first_year = timezone.localdate().year
    years = range(first_year, first_year + DEMAND_YEARS)
    items = list(selectors.item_list(user=user))
    signals = list(selectors.demand_signal_list(user=user).filter(nation=nation, year__in=years))
    form = forms.DemandGridForm(post_data(request), items=items, years=years, signals=signals)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            cells = [
                services.DemandCellInput(
                    item=item,
                    year=year,
                    quantity=quantity,
                    firmness=firmness,
                    expected_version=version,
                    signal=form.signals.get((item.pk, year)),
                )
                for item, year, quantity, firmness, version in form.changed_cells()
            ]
            try:
                with scope_errors():
                    saved = services.demand_grid_save(actor=user, nation=nation, cells=cells)
            except services.DemandGridRejected as exc:
                for (item_id, year), cell_errors in exc.errors.items():
                    form.add_error(f"c{item_id}_{year}_quantity", cell_errors)
                status = 409 if exc.conflict else 400
            else:
                messages.success(
                    request,
                    _("Saved %(count)s changed cells for %(nation)s.") % {"count": saved, "nation": nation},
                )
                return redirect(f"{reverse('procurement:demand-entry')}?nation={nation.code}")
    return render(
        request,
        "procurement/demand_entry.html",
        {"nation": nation, "form": form, "years": years, "on_behalf": nation.pk != user.nation_id},
        status=status,
    )
