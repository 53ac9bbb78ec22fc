"""The boards' dates as deadlines (DESIGN, convention 18): what the workspaces and reminders read."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Collection

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boards.choices import LIVE_RISKS, OPEN_ACTIONS, MeetingStatus
from boards.models import ActionItem, Meeting, Risk
from boards.rules import seats
from portal.deadlines import Deadline as BaseDeadline
from portal.deadlines import earliest
from portal.permissions import VIEW, restrict

KINDS = {
    "meeting": _("Meeting"),
    "action_due": _("Action due"),
    "risk_review": _("Risk review due"),
}


class Deadline(BaseDeadline):
    kinds = KINDS

    @property
    def url(self) -> str:
        """Where the work is done: the meeting's page, the action's form, the risk's page."""
        if isinstance(self.object, Meeting):
            return reverse("boards:meeting-detail", args=[self.object.pk])
        if isinstance(self.object, ActionItem):
            return reverse("boards:action-edit", args=[self.object.pk])
        return reverse("boards:risk-detail", args=[self.object.pk])


def meeting_day(meeting: Meeting) -> dt.date:
    """The meeting's date where it sits (a 09:00 Brussels meeting is on its Brussels day)."""
    return meeting.starts_at.astimezone(zoneinfo.ZoneInfo(meeting.time_zone)).date()


def deadlines(
    *,
    user,
    until: dt.date,
    today: dt.date | None = None,
    limit: int | None = None,
    kinds: Collection[str] = tuple(KINDS),
    seated: bool = False,
) -> list[Deadline]:
    """Every boards date up to ``until`` that ``user`` may see, in three queries whatever the
    number: planned meetings from ``today`` (not yet ended), open actions by their due date and
    live risks by their review date (overdue ones included: they still need someone). ``kinds``
    leaves the others out (and their query); ``limit`` keeps the first ``limit``; ``seated`` keeps
    the meetings and risks of the bodies ``user`` sits on today (a member's workspace: every board
    member reads the register, but reviews only their own groups' risks)."""
    today = today or timezone.localdate()
    last = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    meetings = (
        restrict(Meeting.objects.all(), user, VIEW)
        .filter(status=MeetingStatus.PLANNED, ends_at__gte=timezone.now(), starts_at__lt=last)
        .select_related("body")
        .order_by("starts_at", "pk")
    )
    actions = (
        restrict(ActionItem.objects.all(), user, VIEW)
        .filter(status__in=OPEN_ACTIONS, due_on__lte=until)
        .select_related("body", "owner_user", "owner_nation")
        .order_by("due_on", "pk")
    )
    risks = (
        restrict(Risk.objects.all(), user, VIEW)
        .filter(status__in=LIVE_RISKS, review_on__lte=until)
        .select_related("body")
        .order_by("review_on", "pk")
    )
    if seated:
        meetings = meetings.filter(body__in=seats(user))
        risks = risks.filter(body__in=seats(user))
    rows = []
    if "meeting" in kinds:
        rows += [Deadline(meeting_day(m), "meeting", m) for m in earliest(meetings, limit)]
        rows = [row for row in rows if row.date <= until]
    if "action_due" in kinds:
        rows += [Deadline(action.due_on, "action_due", action) for action in earliest(actions, limit)]
    if "risk_review" in kinds:
        rows += [Deadline(risk.review_on, "risk_review", risk) for risk in earliest(risks, limit)]
    rows.sort(key=lambda row: (row.date, row.kind, row.object.pk))
    return rows if limit is None else rows[:limit]
