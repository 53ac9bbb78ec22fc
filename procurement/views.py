"""Procurement pages for NSPA staff and directors: lists, details, forms and the demand grid.

Reads go through ``procurement.selectors`` (scoped to the user); writes go through
``procurement.services``. A row the user may not see is a 404; a page whose records the user may
not act on at all is a 403.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import transaction
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2.rows import BoundRow

from portal import aggregates
from portal.choices import Role
from portal.exceptions import Conflict, Forbidden
from portal.exports import FORMATS, MAX_EXPORT_ROWS, export_response
from portal.models import Nation, ObjectChange
from portal.permissions import ADD, CHANGE, VIEW, may
from portal.selectors import nation_list, objectchange_history
from portal.web import add_service_errors, scope_errors
from procurement import filtersets, forms, selectors, services, tables
from procurement.analytics import framework_burndown
from procurement.models import (
    Amendment,
    CallOff,
    Delivery,
    DeliveryImport,
    DemandSignal,
    FrameworkContract,
    FrameworkLine,
    FrameworkParticipant,
    Item,
    Programme,
    ProgrammeMembership,
    Supplier,
)

PAGE_SIZE = 25
DEMAND_YEARS = 5
DETAIL_ROWS = 100  # call-offs and deliveries shown on a framework page; the lists have the rest
HISTORY_ROWS = 100
FORM_METHODS = require_http_methods(["GET", "POST"])


def _require(user, model, action: str) -> None:
    if not may(user, model, action):
        raise PermissionDenied


# --- Lists and exports ----------------------------------------------------------------------


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _export_rows(table) -> tuple[list[str], object]:
    """The table's columns and every row of its (filtered, sorted) queryset, streamed in chunks."""
    columns = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    headers = [str(c.header) for c in columns]

    def rows():
        for record in table.data.data.iterator(chunk_size=2000):
            row = BoundRow(record, table=table)
            yield [row.get_cell_value(c.name) for c in columns]

    return headers, rows()


def list_page(
    request: HttpRequest,
    *,
    model,
    queryset,
    filterset_class,
    table_class,
    title: str,
    export_stem: str,
    create_url: str = "",
    links: tuple[tuple[str, str], ...] = (),
) -> HttpResponse:
    """A filtered, sortable, paginated list; ``?export=csv|xlsx`` downloads every filtered row."""
    _require(request.user, model, VIEW)
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    table = table_class(filterset.qs)
    table.request = request
    order_by = request.GET.getlist(table.prefixed_order_by_field)
    if order_by:
        table.order_by = order_by
    fmt = request.GET.get("export")
    if fmt:
        back = f"{request.path}?{_query_without(request, 'export')}"
        if fmt not in FORMATS:
            messages.error(request, _("Choose CSV or XLSX to export."))
            return redirect(back)
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, _("Correct the filters before exporting."))
            return redirect(back)
        count = table.data.data.count()
        if count > MAX_EXPORT_ROWS:
            messages.error(
                request,
                _("%(count)s rows match; an export holds at most %(max)s. Narrow the filters and try again.")
                % {"count": f"{count:,}", "max": f"{MAX_EXPORT_ROWS:,}"},
            )
            return redirect(back)
        headers, rows = _export_rows(table)
        return export_response(f"{export_stem}-{timezone.now():%Y%m%d}", headers, rows, fmt)
    try:
        table.paginate(per_page=PAGE_SIZE, page=request.GET.get("page", 1))
    except PageNotAnInteger:
        table.paginate(per_page=PAGE_SIZE, page=1)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    return render(
        request,
        "procurement/list.html",
        {
            "title": title,
            "filter": filterset,
            "table": table,
            "export_query": _query_without(request, "export", "page"),
            "create_url": create_url,
            "links": links,
            # Rows whose aggregate figures the selector withheld from this reader (portal.aggregates).
            "withheld": sum(
                1 for row in table.page.object_list if getattr(row.record, "figures_withheld", False)
            ),
            "minimum": aggregates.minimum(),
        },
    )


def list_view(
    *,
    model,
    selector,
    filterset_class,
    table_class,
    title,
    export_stem: str,
    create: str = "",
    links: tuple = (),
):
    """A list page's view. ``create`` names the create form, shown to users who may add;
    ``links`` are ``(model, action, url name, label)``, each shown to users who may."""

    @require_GET
    def view(request):
        user = request.user
        return list_page(
            request,
            model=model,
            queryset=selector(user=user),
            filterset_class=filterset_class,
            table_class=table_class,
            title=title,
            export_stem=export_stem,
            create_url=reverse(f"procurement:{create}") if create and may(user, model, ADD) else "",
            links=tuple(
                (reverse(f"procurement:{name}"), label)
                for link_model, action, name, label in links
                if may(user, link_model, action)
            ),
        )

    return view


item_list = list_view(
    model=Item,
    selector=selectors.item_list,
    filterset_class=filtersets.ItemFilterSet,
    table_class=tables.ItemTable,
    title=gettext_lazy("Item catalogue"),
    export_stem="items",
    create="item-create",
)
programme_list = list_view(
    model=Programme,
    selector=selectors.programme_list,
    filterset_class=filtersets.ProgrammeFilterSet,
    table_class=tables.ProgrammeTable,
    title=gettext_lazy("Programmes and partnerships"),
    export_stem="programmes",
    create="programme-create",
)
supplier_list = list_view(
    model=Supplier,
    selector=selectors.supplier_list,
    filterset_class=filtersets.SupplierFilterSet,
    table_class=tables.SupplierTable,
    title=gettext_lazy("Suppliers"),
    export_stem="suppliers",
    create="supplier-create",
)
demand_list = list_view(
    model=DemandSignal,
    selector=selectors.demand_signal_list,
    filterset_class=filtersets.DemandSignalFilterSet,
    table_class=tables.DemandSignalTable,
    title=gettext_lazy("Demand signals"),
    export_stem="demand",
    links=((DemandSignal, ADD, "demand-entry", gettext_lazy("Enter demand")),),
)
framework_list = list_view(
    model=FrameworkContract,
    selector=selectors.framework_list,
    filterset_class=filtersets.FrameworkContractFilterSet,
    table_class=tables.FrameworkTable,
    title=gettext_lazy("Framework contracts"),
    export_stem="frameworks",
    create="framework-create",
    links=(
        (Programme, VIEW, "programme-list", gettext_lazy("Programmes")),
        (Supplier, VIEW, "supplier-list", gettext_lazy("Suppliers")),
        (Item, VIEW, "item-list", gettext_lazy("Catalogue")),
    ),
)
calloff_list = list_view(
    model=CallOff,
    selector=selectors.calloff_list,
    filterset_class=filtersets.CallOffFilterSet,
    table_class=tables.CallOffTable,
    title=gettext_lazy("Call-offs"),
    export_stem="call-offs",
)
delivery_list = list_view(
    model=Delivery,
    selector=selectors.delivery_list,
    filterset_class=filtersets.DeliveryFilterSet,
    table_class=tables.DeliveryTable,
    title=gettext_lazy("Deliveries"),
    export_stem="deliveries",
    links=((DeliveryImport, ADD, "delivery-import", gettext_lazy("Import deliveries")),),
)


# --- Details --------------------------------------------------------------------------------


@require_GET
def item_detail(request, pk: int):
    user = request.user
    item = get_object_or_404(selectors.item_list(user=user), pk=pk)
    frameworks = selectors.framework_list(user=user).filter(lines__item=item).prefetch_related(None)
    demand_by_year = (
        selectors.demand_signal_list(user=user)
        .filter(item=item)
        .order_by()
        .values("year")
        .annotate(demanded=Sum("quantity"), firm=Sum("quantity", filter=Q(firmness="firm")))
        .order_by("year")
    )
    return render(
        request,
        "procurement/item_detail.html",
        {
            "item": item,
            "frameworks": list(frameworks[:DETAIL_ROWS]),
            "demand_by_year": list(demand_by_year) if may(user, DemandSignal, VIEW) else None,
            "may_edit": may(user, Item, CHANGE),
        },
    )


@require_GET
def programme_detail(request, pk: int):
    user = request.user
    programme = get_object_or_404(selectors.programme_list(user=user), pk=pk)
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


def framework_history(framework: FrameworkContract, visible_calloffs, user) -> list[ObjectChange]:
    """The audit trail of a framework and its parts, newest first, in one query.

    The framework's parts are those already prefetched on it, plus the call-offs the user may see
    (a director does not read another nation's orders in the history either).
    """
    return objectchange_history(
        user=user,
        targets=[
            (FrameworkContract, [framework.pk]),
            (FrameworkLine, [line.pk for line in framework.lines.all()]),
            (FrameworkParticipant, [p.pk for p in framework.participations.all()]),
            (Amendment, [a.pk for a in framework.amendments.all()]),
            (CallOff, visible_calloffs),
        ],
        limit=HISTORY_ROWS,
    )


@require_GET
def framework_detail(request, pk: int):
    user = request.user
    framework = selectors.framework_get(user=user, pk=pk)
    calloffs = selectors.calloff_list(user=user).filter(framework=framework)
    deliveries = selectors.delivery_list(user=user).filter(call_off_line__call_off__framework=framework)
    calloff_rows = list(calloffs[: DETAIL_ROWS + 1])
    delivery_rows = list(deliveries[: DETAIL_ROWS + 1])
    context = {
        "framework": framework,
        "calloffs": calloff_rows[:DETAIL_ROWS],
        "more_calloffs": len(calloff_rows) > DETAIL_ROWS,
        "deliveries": delivery_rows[:DETAIL_ROWS],
        "more_deliveries": len(delivery_rows) > DETAIL_ROWS,
        "history": framework_history(framework, calloffs, user),
        "may_change": may(user, FrameworkContract, CHANGE),
        "may_order": may(user, CallOff, ADD),
        # Per nation; a director's "Other nations" slice (and the totals) withheld when too thin.
        "burndown": framework_burndown(framework=framework, user=user),
    }
    return render(request, "procurement/framework_detail.html", context)


@require_GET
def calloff_detail(request, pk: int):
    user = request.user
    call_off = selectors.calloff_get(user=user, pk=pk)
    return render(
        request,
        "procurement/calloff_detail.html",
        {"call_off": call_off, "may_record_delivery": may(user, Delivery, ADD)},
    )


@require_GET
def delivery_detail(request, pk: int):
    delivery = get_object_or_404(selectors.delivery_list(user=request.user), pk=pk)
    return render(
        request,
        "procurement/delivery_detail.html",
        {"delivery": delivery, "may_edit": may(request.user, Delivery, CHANGE)},
    )


# --- Forms ----------------------------------------------------------------------------------


def run_service(form, call: Callable[[], object], field_for=None) -> tuple[object, int]:
    """Call a service for a valid form: ``(result, 200)``, or ``(None, status)`` with the errors
    on the form (400 invalid, 409 conflict). Forbidden and not-found become 403 and 404 pages."""
    try:
        with scope_errors():
            return call(), 200
    except ValidationError as exc:
        add_service_errors(form, exc, field_for)
        return None, 400
    except Conflict as exc:
        form.add_error(None, exc.message)
        return None, 409


def form_page(
    request,
    form,
    call: Callable[[dict], object],
    *,
    title: str,
    success_url: Callable[[object], str],
    success_message: str,
    cancel_url: str,
    intro: str = "",
) -> HttpResponse:
    """GET shows ``form``; POST validates it and hands the cleaned data to ``call`` (a service)."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result, status = run_service(form, lambda: call(form.service_kwargs()))
            if result is not None:
                messages.success(request, success_message)
                return redirect(success_url(result))
        else:
            status = 400
    context = {"form": form, "title": title, "cancel_url": cancel_url, "intro": intro}
    return render(request, "procurement/form.html", context, status=status)


def _data(request):
    return request.POST if request.method == "POST" else None


def _detail_url(name: str):
    return lambda obj: reverse(f"procurement:{name}", kwargs={"pk": obj.pk})


@FORM_METHODS
def item_edit(request, pk: int):
    item = get_object_or_404(selectors.item_list(user=request.user), pk=pk)
    _require(request.user, Item, CHANGE)
    return form_page(
        request,
        forms.ItemForm(_data(request), initial=forms.ItemForm.initial_from(item)),
        lambda data: services.item_update(actor=request.user, item=item, **data),
        title=_("Edit %(item)s") % {"item": item.name},
        success_url=_detail_url("item-detail"),
        success_message=_("Item saved."),
        cancel_url=reverse("procurement:item-detail", kwargs={"pk": item.pk}),
    )


def _initial(obj, form_class) -> dict:
    return {name: getattr(obj, name) for name in form_class.base_fields}


@FORM_METHODS
def supplier_edit(request, pk: int):
    supplier = get_object_or_404(selectors.supplier_list(user=request.user), pk=pk)
    _require(request.user, Supplier, CHANGE)
    return form_page(
        request,
        forms.SupplierForm(_data(request), initial=_initial(supplier, forms.SupplierForm)),
        lambda data: services.supplier_update(actor=request.user, supplier=supplier, **data),
        title=_("Edit %(supplier)s") % {"supplier": supplier.name},
        success_url=lambda obj: reverse("procurement:supplier-list"),
        success_message=_("Supplier saved."),
        cancel_url=reverse("procurement:supplier-list"),
    )


@FORM_METHODS
def programme_edit(request, pk: int):
    programme = get_object_or_404(selectors.programme_list(user=request.user), pk=pk)
    _require(request.user, Programme, CHANGE)
    return form_page(
        request,
        forms.ProgrammeEditForm(_data(request), initial=_initial(programme, forms.ProgrammeEditForm)),
        lambda data: services.programme_update(actor=request.user, programme=programme, **data),
        title=_("Edit %(programme)s") % {"programme": programme.name},
        success_url=_detail_url("programme-detail"),
        success_message=_("Programme saved."),
        cancel_url=reverse("procurement:programme-detail", kwargs={"pk": programme.pk}),
    )


@FORM_METHODS
def delivery_correct(request, pk: int):
    delivery = get_object_or_404(selectors.delivery_list(user=request.user), pk=pk)
    _require(request.user, Delivery, CHANGE)
    return form_page(
        request,
        forms.DeliveryCorrectionForm(
            _data(request), initial=_initial(delivery, forms.DeliveryCorrectionForm)
        ),
        lambda data: services.delivery_correct(actor=request.user, delivery=delivery, **data),
        title=_("Correct lot %(lot)s") % {"lot": delivery.lot_number},
        intro=_("Quantities and the lot cannot be changed once recorded; record a compensating lot instead."),
        success_url=_detail_url("delivery-detail"),
        success_message=_("Delivery corrected."),
        cancel_url=reverse("procurement:delivery-detail", kwargs={"pk": delivery.pk}),
    )


@FORM_METHODS
def programme_member_add(request, pk: int):
    programme = get_object_or_404(selectors.programme_list(user=request.user), pk=pk)
    _require(request.user, ProgrammeMembership, ADD)
    programme_url = reverse("procurement:programme-detail", kwargs={"pk": programme.pk})
    return form_page(
        request,
        forms.MembershipForm(_data(request)),
        lambda data: services.programme_member_add(actor=request.user, programme=programme, **data),
        title=_("Add a member to %(programme)s") % {"programme": programme.name},
        success_url=lambda membership: programme_url,
        success_message=_("Member added."),
        cancel_url=programme_url,
    )


def create_view(*, model, form_class, service, title, success_url, list_name: str, prepare=None):
    """A create form for ``model`` (NSPA's): the form's cleaned data goes to ``service``.
    ``prepare(form, user)`` may narrow the form's choices to what the user may see."""

    @FORM_METHODS
    def view(request):
        user = request.user
        _require(user, model, ADD)
        form = form_class(_data(request))
        if prepare is not None:
            prepare(form, user)
        return form_page(
            request,
            form,
            lambda data: service(actor=user, **data),
            title=title,
            success_url=success_url,
            success_message=_("Saved."),
            cancel_url=reverse(f"procurement:{list_name}"),
        )

    return view


def _framework_choices(form, user) -> None:
    form.set_choices(
        selectors.programme_list(user=user).prefetch_related(None), selectors.supplier_list(user=user)
    )


item_create = create_view(
    model=Item,
    form_class=forms.ItemForm,
    service=services.item_create,
    title=gettext_lazy("New item"),
    success_url=_detail_url("item-detail"),
    list_name="item-list",
)
programme_create = create_view(
    model=Programme,
    form_class=forms.ProgrammeForm,
    service=services.programme_create,
    title=gettext_lazy("New programme"),
    success_url=_detail_url("programme-detail"),
    list_name="programme-list",
)
supplier_create = create_view(
    model=Supplier,
    form_class=forms.SupplierForm,
    service=services.supplier_create,
    title=gettext_lazy("New supplier"),
    success_url=lambda supplier: reverse("procurement:supplier-list"),
    list_name="supplier-list",
)
framework_create = create_view(
    model=FrameworkContract,
    form_class=forms.FrameworkCreateForm,
    service=services.framework_create,
    title=gettext_lazy("New framework contract"),
    success_url=_detail_url("framework-detail"),
    list_name="framework-list",
    prepare=_framework_choices,
)


def _editable_framework(request, pk: int) -> FrameworkContract:
    framework = selectors.framework_get(user=request.user, pk=pk)
    _require(request.user, FrameworkContract, CHANGE)
    return framework


def _framework_url(framework) -> str:
    return reverse("procurement:framework-detail", kwargs={"pk": framework.pk})


@FORM_METHODS
def framework_edit(request, pk: int):
    framework = _editable_framework(request, pk)
    form = forms.FrameworkEditForm(_data(request), initial=forms.FrameworkEditForm.initial_from(framework))
    _framework_choices(form, request.user)
    return form_page(
        request,
        form,
        lambda data: services.framework_update(actor=request.user, framework=framework, **data),
        title=_("Edit %(reference)s") % {"reference": framework.reference},
        intro=_("Contract values (ceiling, period, status) change through an amendment."),
        success_url=_detail_url("framework-detail"),
        success_message=_("Framework saved."),
        cancel_url=_framework_url(framework),
    )


@FORM_METHODS
def framework_amend(request, pk: int):
    framework = _editable_framework(request, pk)
    form = forms.FrameworkAmendForm(
        _data(request), framework=framework, initial=forms.FrameworkAmendForm.initial_from(framework)
    )
    return form_page(
        request,
        form,
        lambda data: services.framework_amend(actor=request.user, framework=framework, **data),
        title=_("Amend %(reference)s") % {"reference": framework.reference},
        intro=_("Change the values that the amendment changes; the old and new values are recorded."),
        success_url=lambda amendment: _framework_url(framework),
        success_message=_("Amendment recorded."),
        cancel_url=_framework_url(framework),
    )


@FORM_METHODS
def framework_participant_add(request, pk: int):
    framework = _editable_framework(request, pk)
    return form_page(
        request,
        forms.ParticipantForm(_data(request)),
        lambda data: services.framework_participant_add(actor=request.user, framework=framework, **data),
        title=_("Add a participant to %(reference)s") % {"reference": framework.reference},
        success_url=lambda participant: _framework_url(framework),
        success_message=_("Participant added."),
        cancel_url=_framework_url(framework),
    )


@FORM_METHODS
def framework_line_add(request, pk: int):
    framework = _editable_framework(request, pk)
    form = forms.FrameworkLineForm(_data(request))
    form.fields["item"].queryset = selectors.item_list(user=request.user)
    return form_page(
        request,
        form,
        lambda data: services.framework_line_add(actor=request.user, framework=framework, **data),
        title=_("Add a line to %(reference)s") % {"reference": framework.reference},
        success_url=lambda line: _framework_url(framework),
        success_message=_("Line added."),
        cancel_url=_framework_url(framework),
    )


@FORM_METHODS
def calloff_create(request, pk: int):
    """A call-off under framework ``pk``, with up to a few line rows (empty rows are ignored)."""
    user = request.user
    framework = selectors.framework_get(user=user, pk=pk)
    _require(user, CallOff, ADD)
    framework_lines = list(framework.lines.all())
    form = forms.CallOffForm(_data(request), framework=framework)
    formset = forms.CallOffLineFormSet(
        _data(request), prefix="lines", form_kwargs={"framework_lines": framework_lines}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            # The service numbers the lines it was given; remember which row each came from.
            filled = [row for row in formset.forms if row.is_filled]
            by_pk = {line.pk: line for line in framework_lines}
            lines = [
                services.CallOffLineInput(
                    framework_line=by_pk[row.cleaned_data["framework_line"]],
                    quantity=row.cleaned_data["quantity"],
                    schedule=row.cleaned_data["schedule"],
                )
                for row in filled
            ]

            def field_for(key: str):
                if key.startswith("lines[") and "]." in key:
                    index, _sep, field = key[len("lines[") :].partition("].")
                    if index.isdigit() and int(index) < len(filled) and field in filled[int(index)].fields:
                        return filled[int(index)], field
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
                return redirect("procurement:calloff-detail", pk=call_off.pk)
    return render(
        request,
        "procurement/calloff_form.html",
        {"form": form, "formset": formset, "framework": framework, "cancel_url": _framework_url(framework)},
        status=status,
    )


def _delivery_input(data: dict) -> services.DeliveryInput:
    data = dict(data)
    return services.DeliveryInput(call_off_line_id=data.pop("call_off_line"), **data)


@FORM_METHODS
def delivery_create(request, pk: int):
    """Record a delivery against a line of call-off ``pk``."""
    call_off = selectors.calloff_get(user=request.user, pk=pk)
    _require(request.user, Delivery, ADD)
    calloff_url = reverse("procurement:calloff-detail", kwargs={"pk": call_off.pk})
    return form_page(
        request,
        forms.DeliveryForm(_data(request), call_off=call_off),
        lambda data: services.delivery_record(actor=request.user, data=_delivery_input(data)),
        title=_("Record a delivery under %(reference)s") % {"reference": call_off.reference},
        success_url=_detail_url("delivery-detail"),
        success_message=_("Delivery recorded."),
        cancel_url=calloff_url,
    )


# --- Demand entry ---------------------------------------------------------------------------


def _demand_nation(request) -> Nation | None:
    """The nation whose demand is entered: a director's own; NSPA (and admins) pick one."""
    user = request.user
    code = request.GET.get("nation", "").strip().upper()
    if user.role == Role.DIRECTOR and not user.is_superuser:
        if code and code != user.nation.code:
            raise PermissionDenied
        return user.nation
    if not code:
        return None
    return get_object_or_404(nation_list(user=user), code=code)


@FORM_METHODS
def demand_entry(request):
    """The grid of item x year (this year and the next four) for one nation's demand."""
    user = request.user
    _require(user, DemandSignal, ADD)
    nation = _demand_nation(request)
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
    form = forms.DemandGridForm(_data(request), items=items, years=years, signals=signals)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved, status = _save_demand(user, nation, form)
            if status == 200:
                messages.success(
                    request,
                    _("Saved %(count)s changed cells for %(nation)s.") % {"count": saved, "nation": nation},
                )
                return redirect(f"{reverse('procurement:demand-entry')}?nation={nation.code}")
        else:
            status = 400
    return render(
        request,
        "procurement/demand_entry.html",
        {"nation": nation, "form": form, "years": years, "on_behalf": nation.pk != user.nation_id},
        status=status,
    )


def _save_demand(user, nation: Nation, form: forms.DemandGridForm) -> tuple[int, int]:
    """Save the changed cells in one transaction: all of them, or none with a message per cell."""
    saved, conflict = 0, False
    with transaction.atomic():
        for item, year, quantity, firmness, version in list(form.changed_cells()):
            field = f"c{item.pk}_{year}_quantity"
            signal = form.signals.get((item.pk, year))
            try:
                if quantity is None:
                    if signal is None:
                        continue  # already gone: someone else cleared it too
                    services.demand_signal_delete(actor=user, signal=signal, expected_version=version)
                else:
                    services.demand_signal_set(
                        actor=user,
                        nation=nation,
                        item=item,
                        year=year,
                        quantity=quantity,
                        firmness=firmness,
                        notes=signal.notes if signal else "",
                        # A cell that was empty expects no row: version 0 conflicts with any row.
                        expected_version=version or 0,
                    )
                saved += 1
            except ValidationError as exc:
                form.add_error(field, exc.messages)
            except Conflict as exc:
                conflict = True
                form.add_error(field, f"{item.name} {year}: {exc.message}")
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc
        if form.errors:
            transaction.set_rollback(True)
            return 0, 409 if conflict else 400
    return saved, 200
