"""Framework contract pages (NSPA's): the list, the detail with its history and burn-down, and the
forms that create, edit and amend a framework or add a participant or a line."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.models import ObjectChange
from portal.permissions import ADD, CHANGE, VIEW, may
from portal.selectors import objectchange_history
from portal.web import FORM_METHODS, create_view, detail_url, form_page, get_for, list_view, post_data
from procurement import filtersets, forms, selectors, services, tables
from procurement.analytics import framework_burndown
from procurement.models import (
    Amendment,
    CallOff,
    FrameworkContract,
    FrameworkLine,
    FrameworkParticipant,
    Item,
    Programme,
    Supplier,
)
from procurement.views import DETAIL_ROWS

HISTORY_ROWS = 100

framework_list = list_view(
    model=FrameworkContract,
    selector=selectors.framework_list,
    filterset_class=filtersets.FrameworkContractFilterSet,
    table_class=tables.FrameworkTable,
    title=gettext_lazy("Framework contracts"),
    export_stem="frameworks",
    create="procurement:framework-create",
    links=(
        (Programme, VIEW, "procurement:programme-list", gettext_lazy("Programmes")),
        (Supplier, VIEW, "procurement:supplier-list", gettext_lazy("Suppliers")),
        (Item, VIEW, "procurement:item-list", gettext_lazy("Catalogue")),
    ),
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
    framework = get_for(request, selectors.framework_get, pk)
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


def framework_url(framework) -> str:
    return reverse("procurement:framework-detail", kwargs={"pk": framework.pk})


def _framework_choices(form, user) -> None:
    form.set_choices(
        selectors.programme_list(user=user).prefetch_related(None), selectors.supplier_list(user=user)
    )


framework_create = create_view(
    model=FrameworkContract,
    form_class=forms.FrameworkCreateForm,
    service=services.framework_create,
    title=gettext_lazy("New framework contract"),
    success_url=detail_url("procurement:framework-detail"),
    cancel="procurement:framework-list",
    prepare=_framework_choices,
)


@FORM_METHODS
def framework_edit(request, pk: int):
    framework = get_for(request, selectors.framework_get, pk, CHANGE)
    form = forms.FrameworkEditForm(
        post_data(request), initial=forms.FrameworkEditForm.initial_from(framework)
    )
    _framework_choices(form, request.user)
    return form_page(
        request,
        form,
        lambda data: services.framework_update(actor=request.user, framework=framework, **data),
        title=_("Edit %(reference)s") % {"reference": framework.reference},
        intro=_("Contract values (ceiling, period, status) change through an amendment."),
        success_url=detail_url("procurement:framework-detail"),
        success_message=_("Framework saved."),
        cancel_url=framework_url(framework),
    )


@FORM_METHODS
def framework_amend(request, pk: int):
    framework = get_for(request, selectors.framework_get, pk, CHANGE)
    form = forms.FrameworkAmendForm(
        post_data(request), framework=framework, initial=forms.FrameworkAmendForm.initial_from(framework)
    )
    return form_page(
        request,
        form,
        lambda data: services.framework_amend(actor=request.user, framework=framework, **data),
        title=_("Amend %(reference)s") % {"reference": framework.reference},
        intro=_("Change the values that the amendment changes; the old and new values are recorded."),
        success_url=lambda amendment: framework_url(framework),
        success_message=_("Amendment recorded."),
        cancel_url=framework_url(framework),
    )


@FORM_METHODS
def framework_participant_add(request, pk: int):
    framework = get_for(request, selectors.framework_get, pk, CHANGE)
    return form_page(
        request,
        forms.ParticipantForm(post_data(request)),
        lambda data: services.framework_participant_add(actor=request.user, framework=framework, **data),
        title=_("Add a participant to %(reference)s") % {"reference": framework.reference},
        success_url=lambda participant: framework_url(framework),
        success_message=_("Participant added."),
        cancel_url=framework_url(framework),
    )


@FORM_METHODS
def framework_line_add(request, pk: int):
    framework = get_for(request, selectors.framework_get, pk, CHANGE)
    form = forms.FrameworkLineForm(post_data(request))
    form.fields["item"].queryset = selectors.item_list(user=request.user)
    return form_page(
        request,
        form,
        lambda data: services.framework_line_add(actor=request.user, framework=framework, **data),
        title=_("Add a line to %(reference)s") % {"reference": framework.reference},
        success_url=lambda line: framework_url(framework),
        success_message=_("Line added."),
        cancel_url=framework_url(framework),
    )
