"""The boards' panels on the home page (portal.workspace): next meetings and risk reviews, minutes
to approve, one's own actions, the nation's actions, and recommendations awaiting CNAD."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from boards import selectors
from boards.choices import OPEN_ACTIONS, MinutesState, RecommendationState
from boards.models import ActionItem, Meeting, Minutes, Recommendation, Risk
from portal import workspace
from portal.permissions import CHANGE, VIEW, may, restrict
from portal.workspace import Entry, Panel, capped, days_note, waited_note

# How far ahead the next meetings and risk reviews are listed.
HORIZON = dt.timedelta(days=60)


def _meeting_text(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    return _("%(body)s: %(title)s, %(time)s") % {
        "body": meeting.body.name,
        "title": meeting.title,
        "time": date_format(start, "SHORT_DATETIME_FORMAT"),
    }


def upcoming_panel(user, today: dt.date) -> Panel | None:
    """The next meetings of the bodies the user sits on and those bodies' risks whose review is
    due (overdue ones first), from ``boards.selectors.deadlines``."""
    if not may(user, Meeting, VIEW) and not may(user, Risk, VIEW):
        return None
    rows, more = capped(
        selectors.deadlines(
            user=user,
            until=today + HORIZON,
            today=today,
            limit=workspace.LIMIT + 1,
            kinds=("meeting", "risk_review"),
            seated=True,
        )
    )
    entries = []
    for row in rows:
        if row.kind == "meeting":
            entries.append(Entry(_meeting_text(row.object), row.url, row.date, row.label))
        else:
            note, tone = days_note(row.date, today)
            risk = row.object
            entries.append(
                Entry(
                    _("%(label)s: %(risk)s") % {"label": row.label, "risk": risk.title},
                    row.url,
                    row.date,
                    note,
                    tone,
                )
            )
    return Panel(
        "boards.upcoming",
        _("Next meetings and risk reviews"),
        entries,
        more_url=reverse("boards:meeting-list"),
        more=more,
        empty=_("No meeting or risk review in the next 60 days."),
        more_label=_("All meetings"),
    )


def minutes_panel(user, today: dt.date) -> Panel | None:
    """Draft minutes of the user's bodies, waiting to be approved at a later meeting."""
    if not may(user, Minutes, VIEW):
        return None
    drafts, more = capped(selectors.minutes_list(user=user).filter(state=MinutesState.DRAFT))
    entries = [
        Entry(
            _("Minutes of %(meeting)s") % {"meeting": _meeting_text(minutes.meeting)},
            reverse("boards:meeting-detail", args=[minutes.meeting_id]),
            timezone.localtime(minutes.meeting.starts_at).date(),
        )
        for minutes in drafts
    ]
    return Panel(
        "boards.minutes",
        _("Minutes to approve"),
        entries,
        more_url=reverse("boards:meeting-list"),
        more=more,
        empty=_("No draft minutes are waiting."),
        more_label=_("All meetings"),
    )


def _action_entries(user, actions, today: dt.date) -> list[Entry]:
    """Each action links to its form where the user may update it, else to the tracker's row
    (one query for which ones, whatever their number)."""
    editable = set()
    if actions and may(user, ActionItem, CHANGE):
        ids = [action.pk for action in actions]
        editable = set(
            restrict(ActionItem.objects.filter(pk__in=ids), user, CHANGE).values_list("pk", flat=True)
        )
    entries = []
    for action in actions:
        note, tone = days_note(action.due_on, today)
        if action.pk in editable:
            url = reverse("boards:action-edit", args=[action.pk])
        else:
            url = f"{reverse('boards:action-list')}?{urlencode({'body': action.body_id})}"
        entries.append(Entry(Truncator(action.text).chars(140), url, action.due_on, note, tone))
    return entries


def my_actions_panel(user, today: dt.date) -> Panel | None:
    """The open actions the user owns, soonest due first."""
    if not may(user, ActionItem, VIEW):
        return None
    actions, more = capped(selectors.action_list(user=user, owner_user=user).filter(status__in=OPEN_ACTIONS))
    return Panel(
        "boards.my_actions",
        _("Your actions"),
        _action_entries(user, actions, today),
        more_url=f"{reverse('boards:action-list')}?owner={user.pk}",
        more=more,
        empty=_("You own no open action."),
        more_label=_("The action tracker"),
    )


def nation_actions_panel(user, today: dt.date) -> Panel | None:
    """The open actions owned by the user's nation, soonest due first."""
    if not user.nation_id or not may(user, ActionItem, VIEW):
        return None
    actions, more = capped(
        selectors.action_list(user=user, owner_nation=user.nation_id).filter(status__in=OPEN_ACTIONS)
    )
    return Panel(
        "boards.nation_actions",
        _("Actions owned by %(nation)s") % {"nation": user.nation.name},
        _action_entries(user, actions, today),
        more_url=f"{reverse('boards:action-list')}?nation={user.nation.code}",
        more=more,
        empty=_("Your nation owns no open action."),
        more_label=_("The action tracker"),
    )


def recommendations_panel(user, today: dt.date) -> Panel | None:
    """Recommendations submitted to CNAD and waiting for its decision, the longest waiting first."""
    from boards.rules import DECIDE

    if not may(user, Recommendation, DECIDE):
        return None
    waiting, more = capped(
        selectors.recommendation_list(user=user, state=RecommendationState.SUBMITTED).order_by(
            "submitted_on", "pk"
        )
    )
    entries = [
        Entry(
            _("%(body)s: %(title)s") % {"body": rec.body.name, "title": rec.title},
            reverse("boards:recommendation-edit", args=[rec.pk]),
            rec.submitted_on,
            waited_note(rec.submitted_on, today) if rec.submitted_on else "",
        )
        for rec in waiting
    ]
    return Panel(
        "boards.recommendations",
        _("Recommendations awaiting decision"),
        entries,
        more_url=f"{reverse('boards:recommendation-list')}?state={RecommendationState.SUBMITTED}",
        more=more,
        empty=_("No recommendation is waiting for CNAD's decision."),
        more_label=_("All recommendations"),
    )


def register_panels() -> None:
    workspace.register("boards.upcoming", upcoming_panel)
    workspace.register("boards.minutes", minutes_panel)
    workspace.register("boards.my_actions", my_actions_panel)
    workspace.register("boards.nation_actions", nation_actions_panel)
    workspace.register("boards.recommendations", recommendations_panel)
