"""Writes to NSPA framework contracts: creation, descriptive edits, amendments (the contract
values), participants and lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from portal.concurrency import check_version
from portal.models import Nation
from portal.notifications import notify
from portal.services import model_create, model_update
from procurement.choices import AmendmentRationale, AuditEvent, FrameworkStatus
from procurement.models import (
    Amendment,
    FrameworkContract,
    FrameworkLine,
    FrameworkParticipant,
    Item,
    Programme,
    Supplier,
)
from procurement.services.common import ensure_may_add, locked_for_change
from procurement.tasks import refresh_analytics_after_commit


def notify_if_near_ceiling(framework: FrameworkContract, *, was_near: bool, actor) -> None:
    """Tell NSPA when a write has just brought ``framework`` (as it now stands) near its ceiling
    (``FrameworkContract.near_ceiling``), once per framework and reader: a framework that falls
    back and comes near again is not told of twice."""
    if was_near or not framework.near_ceiling:
        return
    notify(
        "framework_near_ceiling",
        framework,
        actor=actor,
        params={"share": framework.committed_percent},
        url=reverse("procurement:framework-detail", args=[framework.pk]),
        dedupe_key="90",
    )


@transaction.atomic
def framework_create(
    *,
    actor,
    reference: str,
    title: str,
    currency: str,
    ceiling_value: Decimal,
    period_start: dt.date,
    period_end: dt.date,
    firm_order_value: Decimal = Decimal("0"),
    programme: Programme | None = None,
    suppliers: Iterable[Supplier] = (),
    status: str = FrameworkStatus.DRAFT,
    notes: str = "",
) -> FrameworkContract:
    ensure_may_add(actor, FrameworkContract)
    framework = FrameworkContract(
        reference=reference,
        title=title,
        currency=currency,
        ceiling_value=ceiling_value,
        firm_order_value=firm_order_value,
        period_start=period_start,
        period_end=period_end,
        programme=programme,
        status=status,
        notes=notes,
    )
    model_create(framework, actor=actor)
    framework.suppliers.set(list(suppliers))
    return framework


# Values that change the contract itself: changed through an amendment, never a plain edit.
AMENDABLE_FIELDS = {"ceiling_value", "firm_order_value", "period_start", "period_end", "status", "title"}
EDITABLE_FIELDS = {"title", "notes", "programme"}


@transaction.atomic
def framework_update(
    *,
    actor,
    framework: FrameworkContract,
    expected_version: int | None,
    suppliers: Iterable[Supplier] | None = None,
    **changes,
) -> FrameworkContract:
    """Edit descriptive fields; contract values go through ``framework_amend``."""
    framework = locked_for_change(framework, actor=actor)
    check_version(framework, expected_version)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Change this through an amendment."))
    suppliers = list(suppliers) if suppliers is not None else None
    suppliers_changed = suppliers is not None and {s.pk for s in suppliers} != set(
        framework.suppliers.values_list("pk", flat=True)
    )
    model_update(framework, actor=actor, changes=changes, touched=suppliers_changed)
    if suppliers_changed:
        framework.suppliers.set(list(suppliers))
    return framework


@transaction.atomic
def framework_amend(
    *,
    actor,
    framework: FrameworkContract,
    expected_version: int | None,
    date: dt.date,
    rationale: str,
    description: str,
    changes: dict,
) -> Amendment:
    """Change contract values and record the amendment with old and new values (OCDS style)."""
    framework = locked_for_change(framework, actor=actor)
    check_version(framework, expected_version)
    unknown = set(changes) - AMENDABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be amended."))
    if not description.strip():
        raise ValidationError({"description": "Describe the amendment."})
    was_near = framework.near_ceiling
    diff = {}
    for field, new in changes.items():
        old = getattr(framework, field)
        if old != new:
            diff[field] = {"old": str(old), "new": str(new)}
    if not diff:
        raise ValidationError({"changes": "The amendment changes nothing."})
    model_update(
        framework, actor=actor, changes=changes, action=AuditEvent.FRAMEWORK_AMENDED, message=description
    )
    # A lower ceiling, or a framework made active again, can bring it near the ceiling too.
    notify_if_near_ceiling(framework, was_near=was_near, actor=actor)
    amendment = Amendment(
        framework=framework,
        date=date,
        rationale=rationale,
        description=description,
        changes=diff,
        created_by=actor,
    )
    refresh_analytics_after_commit()
    return model_create(amendment, actor=actor)


@transaction.atomic
def framework_participant_add(
    *, actor, framework: FrameworkContract, nation: Nation, joined_on: dt.date
) -> FrameworkParticipant:
    framework = locked_for_change(framework, actor=actor)
    if FrameworkParticipant.objects.filter(framework=framework, nation=nation).exists():
        raise ValidationError({"nation": f"{nation} already takes part in this framework."})
    participant = model_create(
        FrameworkParticipant(framework=framework, nation=nation, joined_on=joined_on),
        actor=actor,
        message=f"{nation} joined {framework.reference}",
    )
    if framework.status == FrameworkStatus.ACTIVE and joined_on > framework.period_start:
        # A nation joining a running framework changes it: keep that in the amendment history.
        model_create(
            Amendment(
                framework=framework,
                date=joined_on,
                rationale=AmendmentRationale.PARTICIPANT_ADDED,
                description=f"{nation} joined the framework.",
                changes={"participants": {"added": nation.code}},
                created_by=actor,
            ),
            actor=actor,
        )
    return participant


@transaction.atomic
def framework_line_add(
    *, actor, framework: FrameworkContract, item: Item, unit_price: Decimal, max_quantity: int
) -> FrameworkLine:
    framework = locked_for_change(framework, actor=actor)
    if FrameworkLine.objects.filter(framework=framework, item=item).exists():
        raise ValidationError({"item": f"{item} already has a line in this framework."})
    line = FrameworkLine(framework=framework, item=item, unit_price=unit_price, max_quantity=max_quantity)
    return model_create(line, actor=actor)
