"""Pages of the Alliance reference data: the item catalogue, programmes and their members, suppliers.

Reads go through ``procurement.selectors`` (scoped to the user); writes go through
``procurement.services``. A row the user may not see is a 404; a page whose records the user may
not act on at all is a 403.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.permissions import ADD, CHANGE, VIEW, may, scope_label
from portal.selectors import objectchange_history
from portal.web import (
    FORM_METHODS,
    create_view,
    detail_url,
    form_page,
    get_for,
    initial_from,
    list_view,
    post_data,
)
from procurement import filtersets, forms, selectors, services, tables
from procurement.models import DemandSignal, Item, Programme, ProgrammeMembership, Supplier
from procurement.views import DETAIL_ROWS
from standards import selectors as standards_selectors
from standards.models import NationalResponse

item_list = list_view(
    model=Item,
    selector=selectors.item_list,
    filterset_class=filtersets.ItemFilterSet,
    table_class=tables.ItemTable,
    title=gettext_lazy("Item catalogue"),
    export_stem="items",
    create="procurement:item-create",
)
programme_list = list_view(
    model=Programme,
    selector=selectors.programme_list,
    filterset_class=filtersets.ProgrammeFilterSet,
    table_class=tables.ProgrammeTable,
    title=gettext_lazy("Programmes and partnerships"),
    export_stem="programmes",
    create="procurement:programme-create",
)
supplier_list = list_view(
    model=Supplier,
    selector=selectors.supplier_list,
    filterset_class=filtersets.SupplierFilterSet,
    table_class=tables.SupplierTable,
    title=gettext_lazy("Suppliers"),
    export_stem="suppliers",
    create="procurement:supplier-create",
)


@require_GET
def item_detail(request, pk: int):
    user = request.user
    item = get_for(request, selectors.item_list, pk)
    frameworks = selectors.framework_list(user=user).filter(lines__item=item).prefetch_related(None)
    may_read_demand = may(user, DemandSignal, VIEW)
    # Nations ordering or firmly demanding it without having ratified or implemented what it
    # requires; only for readers of national responses (an alert tells what a nation ratified).
    alerts = (
        standards_selectors.alerts(standards_selectors.alert_list(user=user, item=item)[:DETAIL_ROWS])
        if may(user, NationalResponse, VIEW)
        else None
    )
    return render(
        request,
        "procurement/item_detail.html",
        {
            "item": item,
            "frameworks": list(frameworks[:DETAIL_ROWS]),
            "demand_by_year": selectors.item_demand_by_year(user=user, item=item)
            if may_read_demand
            else None,
            "may_edit": may(user, Item, CHANGE),
            "demand_scope": scope_label(user, DemandSignal, VIEW),
            # The standard editions it must meet, as the standards app lists them (one query).
            "requirements": list(standards_selectors.requirement_list(user=user).filter(item=item)),
            "alerts": alerts,
        },
    )


@require_GET
def supplier_detail(request, pk: int):
    """A supplier and the frameworks it holds that the reader may see, with its history. Anyone
    who reads the supplier list (framework pages name suppliers) may open it; only NSPA edits."""
    user = request.user
    supplier = get_for(request, selectors.supplier_list, pk)
    frameworks = selectors.framework_list(user=user).filter(suppliers=supplier).prefetch_related(None)
    return render(
        request,
        "procurement/supplier_detail.html",
        {
            "supplier": supplier,
            "frameworks": list(frameworks[:DETAIL_ROWS]),
            "may_edit": may(user, Supplier, CHANGE),
            "history": objectchange_history(
                user=user, targets=[(Supplier, [supplier.pk])], limit=DETAIL_ROWS
            ),
        },
    )


@require_GET
def programme_detail(request, pk: int):
    user = request.user
    programme = get_for(request, selectors.programme_list, pk)
    frameworks = selectors.framework_list(user=user).filter(programme=programme).prefetch_related(None)
    return render(
        request,
        "procurement/programme_detail.html",
        {
            "programme": programme,
            "frameworks": list(frameworks[:DETAIL_ROWS]),
            "may_add_member": may(user, ProgrammeMembership, ADD),
            "may_edit": may(user, Programme, CHANGE),
        },
    )


item_create = create_view(
    model=Item,
    form_class=forms.ItemForm,
    service=services.item_create,
    title=gettext_lazy("New item"),
    success_url=detail_url("procurement:item-detail"),
    cancel="procurement:item-list",
)
programme_create = create_view(
    model=Programme,
    form_class=forms.ProgrammeForm,
    service=services.programme_create,
    title=gettext_lazy("New programme"),
    success_url=detail_url("procurement:programme-detail"),
    cancel="procurement:programme-list",
)
supplier_create = create_view(
    model=Supplier,
    form_class=forms.SupplierForm,
    service=services.supplier_create,
    title=gettext_lazy("New supplier"),
    success_url=detail_url("procurement:supplier-detail"),
    cancel="procurement:supplier-list",
)


@FORM_METHODS
def item_edit(request, pk: int):
    item = get_for(request, selectors.item_list, pk, CHANGE)
    return form_page(
        request,
        forms.ItemForm(post_data(request), initial=forms.ItemForm.initial_from(item)),
        lambda data: services.item_update(actor=request.user, item=item, **data),
        title=_("Edit %(item)s") % {"item": item.name},
        success_url=detail_url("procurement:item-detail"),
        success_message=_("Item saved."),
        cancel_url=reverse("procurement:item-detail", kwargs={"pk": item.pk}),
    )


@FORM_METHODS
def supplier_edit(request, pk: int):
    supplier = get_for(request, selectors.supplier_list, pk, CHANGE)
    return form_page(
        request,
        forms.SupplierForm(post_data(request), initial=initial_from(supplier, forms.SupplierForm)),
        lambda data: services.supplier_update(actor=request.user, supplier=supplier, **data),
        title=_("Edit %(supplier)s") % {"supplier": supplier.name},
        success_url=detail_url("procurement:supplier-detail"),
        success_message=_("Supplier saved."),
        cancel_url=reverse("procurement:supplier-detail", kwargs={"pk": supplier.pk}),
    )


@FORM_METHODS
def programme_edit(request, pk: int):
    programme = get_for(request, selectors.programme_list, pk, CHANGE)
    return form_page(
        request,
        forms.ProgrammeEditForm(post_data(request), initial=initial_from(programme, forms.ProgrammeEditForm)),
        lambda data: services.programme_update(actor=request.user, programme=programme, **data),
        title=_("Edit %(programme)s") % {"programme": programme.name},
        success_url=detail_url("procurement:programme-detail"),
        success_message=_("Programme saved."),
        cancel_url=reverse("procurement:programme-detail", kwargs={"pk": programme.pk}),
    )


@FORM_METHODS
def programme_member_add(request, pk: int):
    programme = get_for(request, selectors.programme_list, pk, (ProgrammeMembership, ADD))
    programme_url = reverse("procurement:programme-detail", kwargs={"pk": programme.pk})
    return form_page(
        request,
        forms.MembershipForm(post_data(request)),
        lambda data: services.programme_member_add(actor=request.user, programme=programme, **data),
        title=_("Add a member to %(programme)s") % {"programme": programme.name},
        success_url=lambda membership: programme_url,
        success_message=_("Member added."),
        cancel_url=programme_url,
    )
