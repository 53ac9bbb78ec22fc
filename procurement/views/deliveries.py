"""Delivery pages: the list, the detail, and the forms that record a delivery under a call-off or
correct a recorded one (NSPA's)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.permissions import ADD, CHANGE, may
from portal.web import (
    FORM_METHODS,
    detail_url,
    form_page,
    get_for,
    initial_from,
    list_view,
    post_data,
    require,
)
from procurement import filtersets, forms, selectors, services, tables
from procurement.models import Delivery, DeliveryImport

delivery_list = list_view(
    model=Delivery,
    selector=selectors.delivery_list,
    filterset_class=filtersets.DeliveryFilterSet,
    table_class=tables.DeliveryTable,
    title=gettext_lazy("Deliveries"),
    export_stem="deliveries",
    links=(
        (Delivery, ADD, "procurement:delivery-start", gettext_lazy("Record a delivery")),
        (DeliveryImport, ADD, "procurement:delivery-import", gettext_lazy("Import deliveries")),
    ),
)


@require_GET
def delivery_detail(request, pk: int):
    delivery = get_for(request, selectors.delivery_list, pk)
    return render(
        request,
        "procurement/delivery_detail.html",
        {
            "delivery": delivery,
            "may_edit": may(request.user, Delivery, CHANGE),
            "may_record": may(request.user, Delivery, ADD),
        },
    )


def _delivery_input(data: dict) -> services.DeliveryInput:
    data = dict(data)
    return services.DeliveryInput(call_off_line_id=data.pop("call_off_line"), **data)


def _line_number(value: str | None) -> int | None:
    """``?line=`` as a line number, or None when absent or not one (the form then asks)."""
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@require_GET
def delivery_start(request):
    """Record a delivery from the deliveries list: the call-off by its reference (and the line by
    its number, if given), then on to that call-off's delivery form."""
    require(request.user, Delivery, ADD)
    form = forms.DeliveryStartForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        url = reverse("procurement:delivery-create", kwargs={"pk": form.cleaned_data["call_off"].pk})
        number = form.cleaned_data.get("line")
        return redirect(f"{url}?{urlencode({'line': number})}" if number else url)
    return render(
        request,
        "procurement/delivery_start.html",
        {"form": form, "cancel_url": reverse("procurement:delivery-list")},
        status=400 if form.is_bound else 200,
    )


ANOTHER = "another"


@FORM_METHODS
def delivery_create(request, pk: int):
    """Record a delivery against a line of call-off ``pk`` (``?line=`` picks the line by its number
    on the call-off page). "Save and record another" comes back to a blank form for the same line."""
    call_off = get_for(request, selectors.calloff_get, pk, (Delivery, ADD))
    another = request.method == "POST" and request.POST.get("then") == ANOTHER
    form_url = reverse("procurement:delivery-create", kwargs={"pk": call_off.pk})
    line_numbers = {line.pk: number for number, line in forms.numbered_lines(call_off)}

    def next_url(delivery) -> str:
        if another:
            return f"{form_url}?{urlencode({'line': line_numbers[delivery.call_off_line_id]})}"
        return reverse("procurement:delivery-detail", kwargs={"pk": delivery.pk})

    return form_page(
        request,
        forms.DeliveryForm(post_data(request), call_off=call_off, line=_line_number(request.GET.get("line"))),
        lambda data: services.delivery_record(actor=request.user, data=_delivery_input(data)),
        title=_("Record a delivery under %(reference)s") % {"reference": call_off.reference},
        success_url=next_url,
        success_message=(
            _("Delivery recorded. Record the next one on the same line below.")
            if another
            else _("Delivery recorded.")
        ),
        cancel_url=reverse("procurement:call-off-detail", kwargs={"pk": call_off.pk}),
        template="procurement/delivery_form.html",
        context={"another": ANOTHER},
    )


@FORM_METHODS
def delivery_correct(request, pk: int):
    delivery = get_for(request, selectors.delivery_list, pk, CHANGE)
    return form_page(
        request,
        forms.DeliveryCorrectionForm(
            post_data(request), initial=initial_from(delivery, forms.DeliveryCorrectionForm)
        ),
        lambda data: services.delivery_correct(actor=request.user, delivery=delivery, **data),
        title=_("Correct lot %(lot)s") % {"lot": delivery.lot_number},
        intro=_("Quantities and the lot cannot be changed once recorded; record a compensating lot instead."),
        success_url=detail_url("procurement:delivery-detail"),
        success_message=_("Delivery corrected."),
        cancel_url=reverse("procurement:delivery-detail", kwargs={"pk": delivery.pk}),
    )
