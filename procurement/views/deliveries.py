"""Delivery pages: the list, the detail, and the forms that record a delivery under a call-off or
correct a recorded one (NSPA's)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.permissions import ADD, CHANGE, may
from portal.web import FORM_METHODS, detail_url, form_page, get_for, initial_from, list_view, post_data
from procurement import filtersets, forms, selectors, services, tables
from procurement.models import Delivery, DeliveryImport

delivery_list = list_view(
    model=Delivery,
    selector=selectors.delivery_list,
    filterset_class=filtersets.DeliveryFilterSet,
    table_class=tables.DeliveryTable,
    title=gettext_lazy("Deliveries"),
    export_stem="deliveries",
    links=((DeliveryImport, ADD, "procurement:delivery-import", gettext_lazy("Import deliveries")),),
)


@require_GET
def delivery_detail(request, pk: int):
    delivery = get_for(request, selectors.delivery_list, pk)
    return render(
        request,
        "procurement/delivery_detail.html",
        {"delivery": delivery, "may_edit": may(request.user, Delivery, CHANGE)},
    )


def _delivery_input(data: dict) -> services.DeliveryInput:
    data = dict(data)
    return services.DeliveryInput(call_off_line_id=data.pop("call_off_line"), **data)


@FORM_METHODS
def delivery_create(request, pk: int):
    """Record a delivery against a line of call-off ``pk``."""
    call_off = get_for(request, selectors.calloff_get, pk, (Delivery, ADD))
    return form_page(
        request,
        forms.DeliveryForm(post_data(request), call_off=call_off),
        lambda data: services.delivery_record(actor=request.user, data=_delivery_input(data)),
        title=_("Record a delivery under %(reference)s") % {"reference": call_off.reference},
        success_url=detail_url("procurement:delivery-detail"),
        success_message=_("Delivery recorded."),
        cancel_url=reverse("procurement:call-off-detail", kwargs={"pk": call_off.pk}),
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
