"""The supply-chain risk register: the list (by item, framework, type; export) with its 5 x 5
likelihood x impact heat map, drawn by Chart.js from ``json_script`` data with the same counts in a
table beside it. Both read the same filtered, scoped rows, so no count reveals a hidden risk."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from boards import filtersets, selectors, services, tables
from boards.choices import RiskType
from boards.forms import RiskCreateForm, RiskEditForm
from boards.models import Risk
from boards.rules import MARK_SENSITIVE
from portal.permissions import ADD, CHANGE, VIEW, allows, may
from portal.selectors import objectchange_history
from portal.web import FORM_METHODS, form_page, get_for, list_page, post_data
from procurement import selectors as procurement_selectors
from procurement.models import FrameworkContract

HISTORY_ROWS = 20


def _heat(rows) -> dict:
    heat = selectors.heat_map_of(rows)
    return {
        "heat": heat,
        "heat_points": heat.points(),
        "hostile": rows.filter(risk_type=RiskType.HOSTILE_INFLUENCE).count(),
        "hostile_type": RiskType.HOSTILE_INFLUENCE.value,
    }


@require_GET
def risk_list(request):
    return list_page(
        request,
        model=Risk,
        queryset=selectors.risk_list(user=request.user),
        filterset_class=filtersets.RiskFilterSet,
        table_class=tables.RiskTable,
        title=_("Supply-chain risks"),
        export_stem="supply-chain-risks",
        template="boards/risk_list.html",
        # An export shows no button: it costs no query there.
        create_url=reverse("boards:risk-create")
        if "export" not in request.GET and _registers(request.user).exists()
        else "",
        extra_context=_heat,
    )


def _registers(user):
    """The registers (bodies that keep one) ``user`` may record risks in."""
    if not may(user, Risk, ADD):
        return Risk.objects.none()
    return selectors.bodies_open_to(user=user, model=Risk).filter(keeps_risk_register=True)


def _url(risk) -> str:
    return reverse("boards:risk-detail", kwargs={"pk": risk.pk})


@require_GET
def risk_detail(request, pk: int):
    user = request.user
    risk = get_for(request, selectors.risk_detail, pk)
    return render(
        request,
        "boards/risk_detail.html",
        {
            "risk": risk,
            "frameworks": list(risk.frameworks.all()),
            "dependent_items": list(risk.dependent_items.all()),
            "history": objectchange_history(user=user, targets=[(Risk, [risk.pk])], limit=HISTORY_ROWS),
            "may_edit": allows(user, CHANGE, risk),
        },
    )


def _choices(user, **bodies) -> dict:
    """What a risk's form offers ``user``: the items, the frameworks (none offered to a reader who
    sees none: the risk's stay as they are), and as owners the members of the register's body
    (``body=``, or any of ``bodies=``)."""
    sees_frameworks = may(user, FrameworkContract, VIEW)
    return {
        "items": procurement_selectors.item_list(user=user),
        "frameworks": procurement_selectors.framework_list(user=user) if sees_frameworks else None,
        "people": selectors.member_users(user=user, on=timezone.localdate(), **bodies),
    }


@FORM_METHODS
def risk_create(request):
    user = request.user
    registers = _registers(user)
    bodies = list(registers)
    if not bodies:
        raise PermissionDenied  # no register this reader sits on
    form = RiskCreateForm(
        post_data(request),
        initial={"body": bodies[0].pk} if len(bodies) == 1 else None,
        bodies=registers,
        may_mark_sensitive=may(user, Risk, MARK_SENSITIVE),
        **_choices(user, bodies=registers),
    )
    return form_page(
        request,
        form,
        lambda data: services.risk_create(actor=user, **data),
        title=_("Record a supply-chain risk"),
        success_url=_url,
        success_message=_("Risk recorded."),
        cancel_url=reverse("boards:risk-list"),
    )


@FORM_METHODS
def risk_edit(request, pk: int):
    user = request.user
    risk = get_for(request, selectors.risk_detail, pk, CHANGE)
    if not allows(user, CHANGE, risk):
        raise PermissionDenied  # a risk read beyond the register one sits on
    choices = _choices(user, body=risk.body)
    initial = {name: getattr(risk, name) for name in RiskEditForm.base_fields if hasattr(risk, name)}
    initial.update(
        item=risk.item_id,
        owner=risk.owner_id,
        frameworks=[f.pk for f in risk.frameworks.all()],
        dependent_items=[i.pk for i in risk.dependent_items.all()],
    )
    return form_page(
        request,
        RiskEditForm(
            post_data(request),
            initial=initial,
            may_mark_sensitive=allows(user, MARK_SENSITIVE, risk),
            **choices,
        ),
        lambda data: services.risk_update(actor=user, risk=risk, **data),
        title=_("Edit “%(title)s”") % {"title": risk.title},
        success_url=_url,
        success_message=_("Risk saved."),
        cancel_url=_url(risk),
    )
