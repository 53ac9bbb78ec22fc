"""Placing call-off orders under a framework, checked against its ceiling and line maxima under
the framework's row lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, IntegerField, Sum
from django.db.models.functions import Cast, ExtractYear
from django.urls import reverse

from portal.audit import record_change, snapshot
from portal.models import Nation
from portal.notifications import notify
from procurement.choices import AuditEvent, FrameworkStatus
from procurement.models import (
    CallOff,
    CallOffLine,
    FrameworkContract,
    FrameworkLine,
    FrameworkParticipant,
    OrderedPerYear,
    ScheduledDelivery,
)
from procurement.money import money
from procurement.services.common import add_year_totals, ensure_may_add, rebuild_year_totals
from procurement.services.frameworks import notify_if_near_ceiling
from procurement.tasks import refresh_analytics_after_commit


@dataclass(frozen=True)
class CallOffLineInput:
    framework_line: FrameworkLine
    quantity: int
    # Requested delivery schedule: (due date, quantity) pairs.
    schedule: Sequence[tuple[dt.date, int]] = ()

    @classmethod
    def from_cleaned(cls, data: Mapping) -> CallOffLineInput:
        """A line from validated input, the order form's line row or the API's line alike:
        ``framework_line``, ``quantity`` and an optional ``schedule`` of (due date, quantity)."""
        return cls(
            framework_line=data["framework_line"],
            quantity=data["quantity"],
            schedule=list(data.get("schedule") or ()),
        )


def _tranches(line: CallOffLine, schedule: Sequence[tuple[dt.date, int]]) -> list[ScheduledDelivery]:
    """A line's schedule in due-date order (so pks follow it), each tranche with the quantity
    scheduled through it (``ScheduledDelivery.quantity_through``)."""
    tranches, through = [], 0
    for due, quantity in sorted(schedule, key=lambda tranche: tranche[0]):
        through += quantity
        tranches.append(
            ScheduledDelivery(call_off_line=line, due_date=due, quantity=quantity, quantity_through=through)
        )
    return tranches


@transaction.atomic
def calloff_create(
    *,
    actor,
    framework: FrameworkContract,
    nation: Nation,
    reference: str,
    order_date: dt.date,
    lines: Sequence[CallOffLineInput],
    illustrative: bool = False,
) -> CallOff:
    """Place a call-off. The framework row is locked first, so two concurrent call-offs that
    would together breach the ceiling or a line's maximum cannot both succeed."""
    ensure_may_add(actor, CallOff)
    framework = FrameworkContract.objects.select_for_update().get(pk=framework.pk)
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if framework.status != FrameworkStatus.ACTIVE:
        error(
            "framework",
            f"Framework {framework.reference} is {framework.get_status_display().lower()}, not active.",
        )
    if not framework.period_start <= order_date <= framework.period_end:
        error(
            "order_date",
            f"The order date must fall inside the framework period "
            f"({framework.period_start} to {framework.period_end}).",
        )
    participation = FrameworkParticipant.objects.filter(framework=framework, nation=nation).first()
    if participation is None:
        error("nation", f"{nation} does not take part in framework {framework.reference}.")
    elif order_date < participation.joined_on:
        error(
            "order_date",
            f"{nation} joined this framework on {participation.joined_on}; it cannot order before that.",
        )
    if not lines:
        error("lines", "A call-off needs at least one line.")

    # Lock the framework lines in pk order (deadlock-free), then check maxima and the ceiling.
    line_ids = sorted({entry.framework_line.pk for entry in lines})
    framework_lines = {
        fl.pk: fl for fl in FrameworkLine.objects.select_for_update().filter(pk__in=line_ids).order_by("pk")
    }
    wanted: dict[int, int] = {}
    total = Decimal("0")
    for index, entry in enumerate(lines):
        fl = framework_lines.get(entry.framework_line.pk)
        if fl is None or fl.framework_id != framework.pk:
            error(f"lines[{index}].framework_line", "This line does not belong to the framework.")
            continue
        if entry.quantity < 1:
            error(f"lines[{index}].quantity", "Order at least one unit.")
            continue
        wanted[fl.pk] = wanted.get(fl.pk, 0) + entry.quantity
        total += money(fl.unit_price * entry.quantity)
        scheduled = sum(q for _, q in entry.schedule)
        if entry.schedule and scheduled != entry.quantity:
            error(
                f"lines[{index}].schedule",
                f"The schedule adds up to {scheduled}, not the {entry.quantity} ordered.",
            )
        for due, quantity in entry.schedule:
            if due < order_date or quantity < 1:
                error(
                    f"lines[{index}].schedule",
                    "Each scheduled delivery needs a positive quantity, due after the order.",
                )
                break
    for pk, quantity in wanted.items():
        fl = framework_lines[pk]
        if fl.ordered_quantity + quantity > fl.max_quantity:
            error(
                "lines",
                f"{fl.item}: ordering {quantity} would exceed the line's maximum of {fl.max_quantity} "
                f"({fl.max_quantity - fl.ordered_quantity} left).",
            )
    if framework.committed_value + total > framework.ceiling_value:
        error(
            "lines",
            f"This call-off ({total} {framework.currency}) would push the framework over its ceiling: "
            f"{framework.remaining_value} {framework.currency} remain.",
        )
    if errors:
        raise ValidationError(errors)

    call_off = CallOff(
        framework=framework,
        nation=nation,
        reference=reference,
        order_date=order_date,
        total_value=total,
        illustrative=illustrative,
        created_by=actor,
    )
    call_off.full_clean()
    call_off.save()
    created_lines = []
    for entry in lines:
        fl = framework_lines[entry.framework_line.pk]
        line = CallOffLine(
            call_off=call_off,
            framework_line=fl,
            quantity=entry.quantity,
            unit_price=fl.unit_price,
            value=money(fl.unit_price * entry.quantity),
        )
        line.full_clean(exclude=["call_off"])
        line.save()
        created_lines.append(line)
        ScheduledDelivery.objects.bulk_create(_tranches(line, entry.schedule))
    for pk, quantity in wanted.items():
        FrameworkLine.objects.filter(pk=pk).update(ordered_quantity=F("ordered_quantity") + quantity)
    year_totals: dict[tuple[int, int, int], int] = {}
    for line in created_lines:
        key = (line.framework_line.item_id, nation.pk, order_date.year)
        year_totals[key] = year_totals.get(key, 0) + line.quantity
    add_year_totals(OrderedPerYear, year_totals)
    FrameworkContract.objects.filter(pk=framework.pk).update(committed_value=F("committed_value") + total)
    was_near = framework.near_ceiling
    framework.committed_value += total  # as the UPDATE left it: the row is locked
    record_change(
        actor=actor,
        obj=call_off,
        action=AuditEvent.CALL_OFF_PLACED,
        after={**snapshot(call_off), "lines": [snapshot(line) for line in created_lines]},
        message=f"{nation} ordered {total:,} {framework.currency} under {framework.reference}",
    )
    url = reverse("procurement:call-off-detail", args=[call_off.pk])
    notify("call_off_placed", call_off, actor=actor, params={"framework": framework.reference}, url=url)
    notify_if_near_ceiling(framework, was_near=was_near, actor=actor)
    refresh_analytics_after_commit()
    return call_off


def ordered_per_year_rebuild() -> int:
    """Recompute every ``OrderedPerYear`` total from the call-off lines themselves
    (``rebuild_year_totals``); returns how many there are."""
    with transaction.atomic():
        rows = (
            CallOffLine.objects.order_by()
            .values(
                item=F("framework_line__item_id"),
                nation=F("call_off__nation_id"),
                year=Cast(ExtractYear("call_off__order_date"), IntegerField()),
            )
            .annotate(total=Sum("quantity"))
        )
        return rebuild_year_totals(OrderedPerYear, rows)
