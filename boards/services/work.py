"""Action items and recommendations to CNAD.

A recommendation moves drafted → endorsed (by the Board) → submitted (to CNAD) → noted, approved
or returned; a returned or endorsed one can go back to its working group as a draft. The right to
make a move is a named grant in rules.py (403 without it); a move the current state does not allow
is a 409 that names that state. Every move is an audit event.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from boards.choices import OPEN_ACTIONS, RECOMMENDATION_FLOW, AuditEvent, RecommendationState
from boards.models import ActionItem, Recommendation
from boards.notifications import notify_owners
from boards.rules import DECIDE, ENDORSE, SUBMIT
from portal.audit import record_change
from portal.concurrency import check_version
from portal.exceptions import Conflict
from portal.notifications import notify
from portal.permissions import ADD, CHANGE, ensure_added
from portal.services import ensure_may, locked_for, model_create, model_update, only_fields

ACTION_FIELDS = {"text", "owner_user", "owner_nation", "due_on", "status", "is_decision", "agenda_item"}


@transaction.atomic
def action_create(*, actor, body, text: str, due_on: dt.date, meeting=None, **fields) -> ActionItem:
    ensure_may(actor, ActionItem, ADD)
    only_fields(fields, {*ACTION_FIELDS, "illustrative"}, creating=True)
    action = ActionItem(
        body=body, meeting=meeting, text=text, due_on=due_on, created_by=actor if actor.pk else None, **fields
    )
    action = model_create(action, actor=actor)
    ensure_added(actor, action, _("You may not record actions of this body."))
    if action.status in OPEN_ACTIONS:
        notify_owners(action, actor=actor)
    return action


@transaction.atomic
def action_update(*, actor, action: ActionItem, expected_version: int | None = None, **changes) -> ActionItem:
    """Change an action (its status, owner, due date...). An action that is no longer overdue
    (done, dropped, or given a later date) loses its overdue mark, so the daily job can flag it
    again if it falls behind again."""
    action = locked_for(action, actor=actor)
    check_version(action, expected_version)
    only_fields(changes, ACTION_FIELDS)
    status, due_on = changes.get("status", action.status), changes.get("due_on", action.due_on)
    if action.overdue_since and not ActionItem.late(status, due_on, timezone.localdate()):
        changes = {**changes, "overdue_since": None}
    owners = action.owner_user_id, action.owner_nation_id
    action = model_update(action, actor=actor, changes=changes)
    # A new owner hears of it; one who stays is not told again.
    if action.status in OPEN_ACTIONS and owners != (action.owner_user_id, action.owner_nation_id):
        notify_owners(
            action,
            actor=actor,
            user=action.owner_user_id != owners[0],
            nation=action.owner_nation_id != owners[1],
        )
    return action


def actions_flag_overdue(*, today: dt.date) -> int:
    """Flag open actions past their due date, once each: one conditional UPDATE per action, and
    only the run whose UPDATE changed the row audits it, so two runs at once flag each action once."""
    late = ActionItem.objects.filter(ActionItem.late_q(today), overdue_since__isnull=True)
    flagged = 0
    for action in late.order_by("pk"):
        with transaction.atomic():
            if not ActionItem.objects.filter(pk=action.pk, overdue_since__isnull=True).update(
                overdue_since=today
            ):
                continue  # another run flagged it between the read and this UPDATE
            flagged += 1
            record_change(
                actor=None,
                obj=action,
                action=AuditEvent.ACTION_OVERDUE,
                after={"overdue_since": today.isoformat()},
                message=f"Due {action.due_on.isoformat()}",
            )
    return flagged


# --- Recommendations ---------------------------------------------------------------------------

RECOMMENDATION_FIELDS = {"title", "text"}
# Each target state: the grant it needs, and the event it records.
MOVES = {
    RecommendationState.ENDORSED: (ENDORSE, AuditEvent.RECOMMENDATION_ENDORSED),
    RecommendationState.SUBMITTED: (SUBMIT, AuditEvent.RECOMMENDATION_SUBMITTED),
    RecommendationState.NOTED: (DECIDE, AuditEvent.RECOMMENDATION_NOTED),
    RecommendationState.APPROVED: (DECIDE, AuditEvent.RECOMMENDATION_APPROVED),
    RecommendationState.RETURNED: (DECIDE, AuditEvent.RECOMMENDATION_RETURNED),
    RecommendationState.DRAFTED: (CHANGE, AuditEvent.RECOMMENDATION_REDRAFTED),
}


@transaction.atomic
def recommendation_create(
    *, actor, body, title: str, text: str, illustrative: bool = False
) -> Recommendation:
    ensure_may(actor, Recommendation, ADD)
    recommendation = model_create(
        Recommendation(body=body, title=title, text=text, illustrative=illustrative), actor=actor
    )
    ensure_added(actor, recommendation, _("You may not draft recommendations for this body."))
    return recommendation


def _wrong_state(recommendation: Recommendation, doing: str) -> Conflict:
    allowed = [state for state, nexts in RECOMMENDATION_FLOW.items() if any(n == doing for n in nexts)]
    return Conflict(
        _("This recommendation is %(state)s; it cannot be %(target)s from there.")
        % {
            "state": recommendation.get_state_display().lower(),
            "target": RecommendationState(doing).label.lower(),
        },
        detail={"state": recommendation.state, "allowed_from": sorted(allowed)},
    )


@transaction.atomic
def recommendation_update(
    *, actor, recommendation: Recommendation, expected_version: int | None = None, **changes
) -> Recommendation:
    """Edit a draft's title or text; anything past the draft is what was endorsed or sent, so it
    is frozen."""
    recommendation = locked_for(recommendation, actor=actor)
    check_version(recommendation, expected_version)
    only_fields(changes, RECOMMENDATION_FIELDS)
    if recommendation.state != RecommendationState.DRAFTED:
        raise Conflict(
            _("This recommendation is %(state)s; only a draft is edited.")
            % {"state": recommendation.get_state_display().lower()},
            detail={"state": recommendation.state, "allowed_from": [RecommendationState.DRAFTED]},
        )
    return model_update(recommendation, actor=actor, changes=changes)


@transaction.atomic
def recommendation_move(
    *,
    actor,
    recommendation: Recommendation,
    to: str,
    note: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Recommendation:
    """Move a recommendation to state ``to``: the grant first (403), then the workflow (409)."""
    if to not in MOVES:
        raise ValidationError({"to": _("Choose a state to move to.")})
    grant, event = MOVES[to]
    recommendation = locked_for(recommendation, actor=actor, action=grant)
    check_version(recommendation, expected_version)
    if to not in RECOMMENDATION_FLOW[recommendation.state]:
        raise _wrong_state(recommendation, to)
    today = on or timezone.localdate()
    if today > timezone.localdate():
        raise ValidationError({"on": _("A decision cannot be dated in the future.")})
    changes: dict = {}
    if to == RecommendationState.ENDORSED:
        changes["endorsed_on"] = today
    elif to == RecommendationState.SUBMITTED:
        changes["submitted_on"] = today
    elif to == RecommendationState.DRAFTED:
        changes.update(endorsed_on=None, submitted_on=None)
    else:
        if to == RecommendationState.RETURNED and not note.strip():
            raise ValidationError({"note": _("Say why CNAD returned the recommendation.")})
        changes.update(decided_on=today, decision_note=note.strip())
    recommendation = model_update(
        recommendation, actor=actor, changes={"state": to, **changes}, action=event, message=note.strip()
    )
    if grant == DECIDE:
        notify(
            "recommendation_decided",
            recommendation,
            actor=actor,
            # The decision itself is kept for the text to name once portal translates it.
            params={"date": today.isoformat(), "decision": to},
            url=f"{reverse('boards:recommendation-list')}#state-{to}",
        )
    return recommendation
