"""Review cycles and change proposals: the materiel standards review process.

A review is due, then in progress, then completed with an outcome. Completing it dates the
edition's last review (so its next review falls due a cycle later); "cancel" cancels the edition;
"new edition" creates the next edition in Study status, superseding this one once it is
promulgated, in the same transaction. A wrong state is a 409 that names the current one.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.concurrency import check_version
from portal.exceptions import Conflict
from portal.models import Nation
from portal.permissions import ADD, ensure_added
from portal.services import ensure_may, model_create, model_update
from portal.services import locked_for as locked
from standards.choices import (
    PROPOSAL_DECISIONS,
    PROPOSAL_OPEN,
    AuditEvent,
    ProposalStatus,
    ReviewOutcome,
    ReviewStatus,
    StandardStatus,
)
from standards.models import ChangeProposal, ReviewCycle, Standard
from standards.services.catalogue import standard_create

# What a new edition takes over from the one it replaces, unless the review says otherwise.
CARRIED_OVER = (
    "doc_type",
    "number",
    "title",
    "title_fr",
    "covering_publication",
    "custodian",
    "domain",
    "level",
    "review_cycle_months",
)


def _require(review: ReviewCycle, allowed: set[str], doing: str) -> None:
    if review.status not in allowed:
        raise Conflict(
            _("Cannot %(doing)s: the review is %(status)s.")
            % {"doing": doing, "status": review.get_status_display().lower()},
            detail={"status": review.status, "allowed_from": sorted(allowed)},
        )


@transaction.atomic
def review_open(*, actor, standard: Standard, due_on: dt.date, notes: str = "") -> ReviewCycle:
    """Schedule a review of a promulgated edition (one open review at a time)."""
    ensure_may(actor, ReviewCycle, ADD)
    standard = locked(standard, actor=actor)
    if standard.status != StandardStatus.PROMULGATED:
        raise ValidationError(
            {
                "standard": _("Only a promulgated edition is reviewed; %(standard)s is %(status)s.")
                % {"standard": standard, "status": standard.get_status_display().lower()}
            }
        )
    if standard.reviews.exclude(status=ReviewStatus.COMPLETED).exists():
        raise ValidationError(
            {"due_on": _("%(standard)s already has an open review.") % {"standard": standard}}
        )
    return model_create(ReviewCycle(standard=standard, due_on=due_on, notes=notes), actor=actor)


@transaction.atomic
def review_start(*, actor, review: ReviewCycle, expected_version: int | None = None) -> ReviewCycle:
    review = locked(review, actor=actor)
    check_version(review, expected_version)
    _require(review, {ReviewStatus.DUE}, _("start the review"))
    return model_update(
        review,
        actor=actor,
        changes={"status": ReviewStatus.IN_PROGRESS, "started_on": timezone.localdate()},
        action=AuditEvent.REVIEW_STARTED,
    )


@transaction.atomic
def review_complete(
    *,
    actor,
    review: ReviewCycle,
    outcome: str,
    notes: str = "",
    completed_on: dt.date | None = None,
    new_edition: str = "",
    expected_version: int | None = None,
) -> ReviewCycle:
    """Close the review with its outcome, and act on it in the same transaction."""
    review = locked(review, actor=actor)
    check_version(review, expected_version)
    _require(review, {ReviewStatus.DUE, ReviewStatus.IN_PROGRESS}, _("complete the review"))
    today = timezone.localdate()
    completed_on = completed_on or today
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if completed_on > today:
        raise ValidationError({"completed_on": _("A review cannot be completed in the future.")})
    if review.started_on and completed_on < review.started_on:
        raise ValidationError({"completed_on": _("A review cannot be completed before it started.")})
    standard = locked(review.standard, actor=actor)
    created = None
    if outcome == ReviewOutcome.NEW_EDITION:
        if not new_edition.strip():
            raise ValidationError({"new_edition": _("Name the new edition, e.g. 3.")})
        created = standard_create(
            actor=actor,
            status=StandardStatus.STUDY,
            edition=new_edition.strip(),
            supersedes=standard,
            notes=_("New edition from the review completed on %(date)s.")
            % {"date": completed_on.isoformat()},
            message=f"New edition from the review of {standard}",
            **{name: getattr(standard, name) for name in CARRIED_OVER},
        )
    elif new_edition.strip():
        raise ValidationError({"new_edition": _("Only a “new edition” outcome names a new edition.")})
    review = model_update(
        review,
        actor=actor,
        changes={
            "status": ReviewStatus.COMPLETED,
            "outcome": outcome,
            "completed_on": completed_on,
            "notes": notes or review.notes,
            "new_edition": created,
            "started_on": review.started_on or completed_on,
        },
        action=AuditEvent.REVIEW_COMPLETED,
        message=f"Outcome: {outcome}",
    )
    changes: dict = {"last_reviewed_on": completed_on}
    if outcome == ReviewOutcome.CANCEL:
        changes["status"] = StandardStatus.CANCELLED
    model_update(standard, actor=actor, changes=changes, message=f"Review completed: {outcome}")
    return review


@transaction.atomic
def proposal_submit(*, actor, standard: Standard, nation: Nation, text: str) -> ChangeProposal:
    ensure_may(actor, ChangeProposal, ADD)
    if standard.status in (StandardStatus.CANCELLED, StandardStatus.SUPERSEDED):
        raise ValidationError(
            {
                "standard": _("%(standard)s is %(status)s; propose changes to the edition in force.")
                % {"standard": standard, "status": standard.get_status_display().lower()}
            }
        )
    proposal = ChangeProposal(
        standard=standard,
        nation=nation,
        text=text.strip(),
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    proposal = model_create(proposal, actor=actor, action=AuditEvent.PROPOSAL_SUBMITTED)
    ensure_added(actor, proposal, _("You may propose changes only for your own nation."))
    return proposal


@transaction.atomic
def proposal_decide(
    *,
    actor,
    proposal: ChangeProposal,
    status: str,
    decision: str = "",
    decided_on: dt.date | None = None,
    expected_version: int | None = None,
) -> ChangeProposal:
    """Move a proposal on: under consideration, or decided (accepted, rejected) with the decision's
    text and date, or withdrawn. A decided or withdrawn proposal is closed."""
    proposal = locked(proposal, actor=actor)
    check_version(proposal, expected_version)
    if proposal.status not in PROPOSAL_OPEN:
        raise Conflict(
            _("The proposal is already %(status)s.") % {"status": proposal.get_status_display().lower()},
            detail={"status": proposal.status, "allowed_from": sorted(PROPOSAL_OPEN)},
        )
    if status not in ProposalStatus.values or status == ProposalStatus.SUBMITTED:
        raise ValidationError({"status": _("Choose under consideration, accepted, rejected or withdrawn.")})
    today = timezone.localdate()
    changes: dict = {"status": status, "decision": decision.strip()}
    if status in PROPOSAL_DECISIONS:
        changes["decided_on"] = decided_on or today
        if changes["decided_on"] > today:
            raise ValidationError({"decided_on": _("A decision cannot be dated in the future.")})
    return model_update(proposal, actor=actor, changes=changes, action=AuditEvent.PROPOSAL_DECIDED)
