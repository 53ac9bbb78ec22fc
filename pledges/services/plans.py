"""Plan writes and the review workflow. Every transition is a service: checked for role, nation
and state inside a transaction on the locked plan row, and audited with actor, time and comment.

Errors: another nation's plan → NotFound (404, indistinguishable from a missing plan); a role that
may see the plan but not do this → Forbidden (403); the wrong state → Conflict (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pledges.choices import AuditEvent, Commitment, PlanStatus
from pledges.models import (
    ENTRY_KINDS,
    NationalPlan,
    PlanCycle,
    PlanEntry,
    PlanSection,
    PlanVersion,
    ReviewComment,
)
from pledges.rules import REVIEW, SUBMIT
from portal.audit import record_change, release_draft, snapshot
from portal.choices import AuditAction
from portal.concurrency import check_version
from portal.exceptions import Conflict, Forbidden
from portal.models import Nation
from portal.notifications import notify
from portal.permissions import ADD, CHANGE, ensure_added, ensure_allowed, may
from portal.services import model_create, model_update


def _locked_plan(plan: NationalPlan) -> NationalPlan:
    return (
        NationalPlan.objects.select_for_update(of=("self",))
        .select_related("current_version", "nation", "cycle")
        .get(pk=plan.pk)
    )


def _require_state(plan: NationalPlan, allowed: set[str], doing: str) -> None:
    if plan.status not in allowed:
        raise Conflict(
            f"Cannot {doing}: the plan is {plan.get_status_display().lower()}.",
            detail={"status": plan.status, "allowed_from": sorted(allowed)},
        )


# --- Starting and editing --------------------------------------------------------------------


@transaction.atomic
def cycle_create(*, actor, year: int, due_date) -> PlanCycle:
    if not may(actor, PlanCycle, ADD):
        raise Forbidden("Only the secretariat opens plan cycles.")
    return model_create(PlanCycle(year=year, due_date=due_date), actor=actor)


@transaction.atomic
def plan_start(*, actor, nation: Nation, cycle: PlanCycle) -> NationalPlan:
    """Open a nation's plan for a cycle: a draft version with the nine empty sections."""
    refused = "A director starts their own nation's plan."
    if not may(actor, NationalPlan, ADD):
        raise Forbidden(refused)
    plan = NationalPlan(nation=nation, cycle=cycle)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        # Two quick clicks: the unique constraint, not a pre-check, decides which one starts it.
        raise ValidationError({"cycle": f"{nation} already has a plan for {cycle}."}) from None
    ensure_added(actor, plan, refused)  # the ADD scope: another nation's plan is rolled back
    version = PlanVersion.objects.create(plan=plan, number=1)
    PlanSection.objects.bulk_create(
        PlanSection(plan_version=version, commitment=c) for c in Commitment.values
    )
    plan.current_version = version
    plan.save(update_fields=["current_version"])
    record_change(actor=actor, obj=plan, action=AuditEvent.PLAN_STARTED, after=snapshot(plan))
    return plan


def _editable_version(actor, plan: NationalPlan) -> PlanVersion:
    """The plan's draft version, after checking the actor may edit it now."""
    ensure_allowed(actor, CHANGE, plan)
    _require_state(plan, {PlanStatus.DRAFT, PlanStatus.RETURNED}, "edit")
    version = plan.current_version
    if version.frozen:  # defensive: a draft plan always points at an unfrozen version
        raise Conflict("This version is frozen; reload the plan.")
    return version


@transaction.atomic
def section_save(*, actor, section: PlanSection, narrative: str, expected_version: int | None) -> PlanSection:
    """Save one section's narrative. A stale ``expected_version`` is a Conflict that carries the
    current text, so the editor can show what changed while keeping the user's own text."""
    section = PlanSection.objects.select_for_update().select_related("plan_version").get(pk=section.pk)
    plan = _locked_plan(section.plan_version.plan)
    if plan.current_version_id != section.plan_version_id:
        ensure_allowed(actor, CHANGE, plan)
        raise Conflict("This section belongs to an older version of the plan; reload it.")
    _editable_version(actor, plan)
    try:
        check_version(section, expected_version)
    except Conflict as exc:
        exc.detail["current"] = {"narrative": section.narrative, "version": section.version}
        raise
    if section.narrative == narrative:
        return section
    return model_update(section, actor=actor, changes={"narrative": narrative, "updated_by": actor})


def _entry_model(kind: str) -> type[PlanEntry]:
    try:
        return ENTRY_KINDS[kind]
    except KeyError:
        raise ValidationError({"type": f"Unknown entry type {kind!r}."}) from None


@transaction.atomic
def entry_save(
    *,
    actor,
    plan: NationalPlan,
    kind: str,
    fields: dict,
    entry_id: int | None = None,
    illustrative: bool = False,
) -> PlanEntry:
    """Add (``entry_id`` None) or edit a capacity line, investment or measure of the draft version."""
    plan = _locked_plan(plan)
    version = _editable_version(actor, plan)
    model = _entry_model(kind)
    allowed = {f.name for f in model._meta.concrete_fields} - {"id", "plan_version", "key", "illustrative"}
    unknown = set(fields) - allowed - {f"{name}_id" for name in allowed}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    if entry_id is None:
        # ``illustrative`` marks demo figures; it is not a field a nation fills in.
        return model_create(model(plan_version=version, illustrative=illustrative, **fields), actor=actor)
    entry = model.objects.select_for_update().filter(pk=entry_id, plan_version=version).first()
    if entry is None:
        raise ValidationError({"entry": "No such entry in this draft."})
    return model_update(entry, actor=actor, changes=fields)


@transaction.atomic
def entry_delete(*, actor, plan: NationalPlan, kind: str, entry_id: int) -> None:
    plan = _locked_plan(plan)
    version = _editable_version(actor, plan)
    entry = _entry_model(kind).objects.filter(pk=entry_id, plan_version=version).first()
    if entry is None:
        raise ValidationError({"entry": "No such entry in this draft."})
    record_change(actor=actor, obj=entry, action=AuditAction.DELETE, before=snapshot(entry))
    entry.delete()


# --- Workflow --------------------------------------------------------------------------------


@transaction.atomic
def plan_submit(*, actor, plan: NationalPlan, comment: str = "") -> NationalPlan:
    """draft or returned → submitted, by the nation's director: the draft version is frozen."""
    plan = _locked_plan(plan)
    ensure_allowed(actor, SUBMIT, plan)
    _require_state(plan, {PlanStatus.DRAFT, PlanStatus.RETURNED}, "submit")
    now = timezone.now()
    PlanVersion.objects.filter(pk=plan.current_version_id).update(
        frozen=True, submitted_at=now, submitted_by=actor
    )
    # The secretariat may now read this version, and so the trail of how it was drafted.
    release_draft(plan.current_version)
    plan = model_update(
        plan,
        actor=actor,
        action=AuditEvent.PLAN_SUBMITTED,
        message=comment,
        changes={
            "status": PlanStatus.SUBMITTED,
            "submitted_at": now,
            "first_submitted_at": plan.first_submitted_at or now,
            "overdue": False,
        },
    )
    notify("plan_submitted", plan, actor=actor, url=reverse("pledges:plan-review", args=[plan.pk]))
    return plan


@transaction.atomic
def plan_start_review(*, actor, plan: NationalPlan, comment: str = "") -> NationalPlan:
    """submitted → in review, by the secretariat."""
    plan = _locked_plan(plan)
    ensure_allowed(actor, REVIEW, plan)
    _require_state(plan, {PlanStatus.SUBMITTED}, "start the review")
    plan = model_update(
        plan,
        actor=actor,
        action=AuditEvent.PLAN_REVIEW_STARTED,
        message=comment,
        changes={"status": PlanStatus.IN_REVIEW, "reviewer": actor},
    )
    notify("plan_review_started", plan, actor=actor, url=reverse("pledges:plan-edit", args=[plan.pk]))
    return plan


@dataclass(frozen=True)
class CommentInput:
    text: str
    commitment: int | None = None  # None: on the plan as a whole


def _copy_version(source: PlanVersion) -> PlanVersion:
    """A new draft version with the source's sections and entries (same keys, for the diff)."""
    copy = PlanVersion.objects.create(plan=source.plan, number=source.number + 1)
    PlanSection.objects.bulk_create(
        PlanSection(plan_version=copy, commitment=s.commitment, narrative=s.narrative)
        for s in source.sections.all()
    )
    for model in ENTRY_KINDS.values():
        names = [f.name for f in model._meta.concrete_fields if f.name not in {"id", "plan_version"}]
        model.objects.bulk_create(
            model(plan_version=copy, **{n: getattr(e, n) for n in names})
            for e in model.objects.filter(plan_version=source)
        )
    return copy


@transaction.atomic
def plan_return(*, actor, plan: NationalPlan, comments: Sequence[CommentInput]) -> NationalPlan:
    """in review → returned, by the secretariat, with at least one comment. The director then
    works on a new draft version; the reviewed one stays frozen."""
    plan = _locked_plan(plan)
    ensure_allowed(actor, REVIEW, plan)
    _require_state(plan, {PlanStatus.IN_REVIEW}, "return the plan")
    cleaned = [c for c in comments if c.text.strip()]
    if not cleaned:
        raise ValidationError({"comments": "Give at least one comment when returning a plan."})
    reviewed = plan.current_version
    for c in cleaned:
        if c.commitment is not None and c.commitment not in Commitment.values:
            raise ValidationError({"comments": f"Unknown section {c.commitment}."})
        ReviewComment.objects.create(
            plan_version=reviewed, commitment=c.commitment, text=c.text.strip(), author=actor
        )
    draft = _copy_version(reviewed)
    plan = model_update(
        plan,
        actor=actor,
        action=AuditEvent.PLAN_RETURNED,
        message="\n".join(c.text.strip() for c in cleaned),
        changes={"status": PlanStatus.RETURNED, "current_version": draft},
    )
    notify("plan_returned", plan, actor=actor, url=reverse("pledges:plan-edit", args=[plan.pk]))
    return plan


@transaction.atomic
def plan_accept(*, actor, plan: NationalPlan, comment: str = "") -> NationalPlan:
    """in review → accepted, by the secretariat."""
    plan = _locked_plan(plan)
    ensure_allowed(actor, REVIEW, plan)
    _require_state(plan, {PlanStatus.IN_REVIEW}, "accept the plan")
    plan = model_update(
        plan,
        actor=actor,
        action=AuditEvent.PLAN_ACCEPTED,
        message=comment,
        changes={"status": PlanStatus.ACCEPTED},
    )
    notify("plan_accepted", plan, actor=actor, url=reverse("pledges:plan-edit", args=[plan.pk]))
    return plan


@transaction.atomic
def plans_mark_overdue(*, today) -> int:
    """Flag plans past their cycle's due date that are still with their nation (draft or returned).
    Each plan is one conditional UPDATE, and only the run whose UPDATE changed the row audits it:
    two runs at once (a retry overlapping the beat) flag and audit each plan once."""
    late = NationalPlan.objects.filter(
        cycle__due_date__lt=today, status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED], overdue=False
    )
    marked = 0
    for plan in late.select_related("cycle", "nation").order_by("pk"):
        if not NationalPlan.objects.filter(pk=plan.pk, overdue=False).update(overdue=True):
            continue  # another run flagged it between the read and this UPDATE
        marked += 1
        record_change(
            actor=None,
            obj=plan,
            action=AuditEvent.PLAN_OVERDUE,
            after={"overdue": True},
            message=f"Due {plan.cycle.due_date}",
        )
    return marked
