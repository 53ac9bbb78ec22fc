"""Reads of actions and recommendations."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from boards.models import ActionItem, Recommendation
from portal.permissions import VIEW, restrict


def action_list(
    *,
    user,
    body=None,
    owner_user=None,
    owner_nation=None,
    status: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[ActionItem]:
    """The action tracker's rows: actions the user may see, soonest due first. ``overdue`` is
    computed from the due date (an open action past it), so it is right before the daily job runs."""
    rows = restrict(ActionItem.objects.all(), user, VIEW).select_related(
        "body", "meeting", "owner_user", "owner_nation"
    )
    if body is not None:
        rows = rows.filter(body=body)
    if owner_user is not None:
        rows = rows.filter(owner_user=owner_user)
    if owner_nation is not None:
        rows = rows.filter(owner_nation=owner_nation)
    if status:
        rows = rows.filter(status=status)
    if overdue is not None:
        late = ActionItem.late_q(today or timezone.localdate())
        rows = rows.filter(late) if overdue else rows.exclude(late)
    return rows.order_by("due_on", "pk")


def recommendation_list(*, user, state: str | None = None, body=None) -> QuerySet[Recommendation]:
    rows = restrict(Recommendation.objects.all(), user, VIEW).select_related("body")
    if state:
        rows = rows.filter(state=state)
    if body is not None:
        rows = rows.filter(body=body)
    return rows.order_by("-created_at", "pk")
