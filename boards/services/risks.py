"""The supply-chain risk register, kept by the body that keeps it (working group 2)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from boards.models import Risk
from boards.rules import MARK_SENSITIVE
from portal.concurrency import check_version
from portal.permissions import ADD, ensure_added, ensure_allowed
from portal.services import ensure_may, locked_for, model_create, model_update, only_fields

RISK_FIELDS = {
    "title",
    "item",
    "component",
    "tier",
    "supplier",
    "supplier_country",
    "risk_type",
    "likelihood",
    "impact",
    "owner",
    "mitigation",
    "status",
    "review_on",
    "sensitive",
}


@transaction.atomic
def risk_create(
    *, actor, body, frameworks=(), dependent_items=(), illustrative: bool = False, **fields
) -> Risk:
    ensure_may(actor, Risk, ADD)
    only_fields(fields, RISK_FIELDS, creating=True)
    if not body.keeps_risk_register:
        raise ValidationError({"body": _("Risks are recorded in the register of the body that keeps it.")})
    risk = model_create(Risk(body=body, illustrative=illustrative, **fields), actor=actor)
    ensure_added(actor, risk, _("You may not record risks in this register."))
    if risk.sensitive:
        ensure_added(actor, risk, _("You may not mark this risk sensitive."), action=MARK_SENSITIVE)
    risk.frameworks.set(frameworks)
    risk.dependent_items.set(dependent_items)
    return risk


@transaction.atomic
def risk_update(
    *,
    actor,
    risk: Risk,
    expected_version: int | None = None,
    frameworks=None,
    dependent_items=None,
    **changes,
) -> Risk:
    risk = locked_for(risk, actor=actor)
    check_version(risk, expected_version)
    only_fields(changes, RISK_FIELDS, creating=True)
    if "sensitive" in changes and bool(changes["sensitive"]) != risk.sensitive:
        ensure_allowed(actor, MARK_SENSITIVE, risk)
    touched = False
    if frameworks is not None and {f.pk for f in frameworks} != set(
        risk.frameworks.values_list("pk", flat=True)
    ):
        risk.frameworks.set(frameworks)
        touched = True
    if dependent_items is not None and {i.pk for i in dependent_items} != set(
        risk.dependent_items.values_list("pk", flat=True)
    ):
        risk.dependent_items.set(dependent_items)
        touched = True
    risk = model_update(risk, actor=actor, changes=changes, touched=touched)
    # The database computes the score; read it back so the caller sees the saved value.
    risk.refresh_from_db(fields=["score"])
    return risk
