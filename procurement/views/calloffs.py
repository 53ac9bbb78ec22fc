"""Call-off pages: the list, the detail with lines, schedule and deliveries, and the order form
under a framework (NSPA's)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.permissions import ADD, VIEW, may
from portal.web import FORM_METHODS, get_for, list_view, post_data, run_service
from procurement import filtersets, forms, selectors, services, tables
from procurement.models import CallOff, Delivery
from procurement.views.frameworks import framework_url
from standards import selectors as standards_selectors
from standards.models import NationalResponse

calloff_list = list_view(
    model=CallOff,
    selector=selectors.calloff_list,
    filterset_class=filtersets.CallOffFilterSet,
    table_class=tables.CallOffTable,
    title=gettext_lazy("Call-offs"),
    export_stem="call-offs",
)


@require_GET
def calloff_detail(request, pk: int):
    user = request.user
    call_off = get_for(request, selectors.calloff_get, pk)
    # The standards its items require that the ordering nation has not ratified or implemented;
    # only for readers of national responses (an alert tells what a nation has ratified).
    alerts = (
        standards_selectors.alerts(standards_selectors.alert_list(user=user, call_off=call_off))
        if may(user, NationalResponse, VIEW)
        else None
    )
    return render(
        request,
        "procurement/calloff_detail.html",
        {"call_off": call_off, "may_record_delivery": may(user, Delivery, ADD), "alerts": alerts},
    )


@FORM_METHODS
def calloff_create(request, pk: int):
    """A call-off under framework ``pk``, with up to a few line rows (empty rows are ignored)."""
    user = request.user
    framework = get_for(request, selectors.framework_get, pk, (CallOff, ADD))
    form = forms.CallOffForm(post_data(request), framework=framework)
    formset = forms.CallOffLineFormSet(
        post_data(request), prefix="lines", form_kwargs={"framework_lines": list(framework.lines.all())}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            # The service numbers the lines it was given; remember which row each came from.
            filled = [row for row in formset.forms if row.is_filled]
            lines = [services.CallOffLineInput.from_cleaned(row.cleaned_data) for row in filled]

            def field_for(key: str):
                if key.startswith("lines[") and "]." in key:
                    index, _sep, field = key[len("lines[") :].partition("].")
                    if index.isdigit() and int(index) < len(filled):
                        row = filled[int(index)]
                        if field in row.fields:
                            return row, field
                        if field == "schedule":
                            # The schedule as a whole (its sum, its dates): shown beside its entries.
                            return row, None
                return None

            call_off, status = run_service(
                form,
                lambda: services.calloff_create(
                    actor=user, framework=framework, lines=lines, **form.service_kwargs()
                ),
                field_for,
            )
            if call_off is not None:
                messages.success(
                    request, _("Call-off %(reference)s placed.") % {"reference": call_off.reference}
                )
                return redirect("procurement:call-off-detail", pk=call_off.pk)
    return render(
        request,
        "procurement/calloff_form.html",
        {"form": form, "formset": formset, "framework": framework, "cancel_url": framework_url(framework)},
        status=status,
    )
