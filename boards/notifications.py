"""The boards' notifications: an action assigned or gone overdue, a meeting scheduled (with its
invitation file), minutes put up for approval and CNAD's decision on a recommendation. Who hears
of each is in boards/rules.py (``register_audiences``); the services call ``notify``, or
``notify_owners`` for an action, whose owners are sent to different pages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from boards.calendar import calendar, summary
from boards.choices import RecommendationState
from boards.selectors.deadlines import deadlines, meeting_day
from portal import notifications as n
from portal.permissions import CHANGE, SYSTEM, allows

GROUP = "boards"


def meeting_invitation(meeting) -> list[tuple[str, bytes, str]]:
    """The meeting as the .ics file its page offers: the same event (UID, SEQUENCE) as in the
    calendar feeds, so a client that holds it from a feed updates it rather than adding another."""
    content = calendar(
        [meeting],
        name=meeting.title,
        url_of=lambda m: n.absolute(reverse("boards:meeting-detail", args=[m.pk])),
    )
    return [(f"meeting-{meeting.pk}.ics", content, "text/calendar")]


# Being given work cannot be turned off (only moved to the digest); the reminder of it can.
n.define(
    "action_assigned",
    GROUP,
    _("An action is assigned to you or your nation"),
    _("%(actor)s assigned an action of %(body)s, due on %(due)s: %(object)s"),
    compulsory=True,
)
n.define(
    "action_overdue",
    GROUP,
    _("An action of yours or your nation's is overdue"),
    _("An action of %(body)s was due on %(due)s and is still open: %(object)s"),
)
n.define(
    "meeting_scheduled",
    GROUP,
    _("A meeting of a body you sit on is scheduled (with its calendar file)"),
    _("%(actor)s scheduled %(object)s on %(starts)s"),
    attachments=meeting_invitation,
)
# A move or a cancellation carries the event again, with a higher SEQUENCE (and STATUS:CANCELLED):
# a client holding the invitation updates it or takes it out of the diary.
n.define(
    "meeting_moved",
    GROUP,
    _("A meeting of a body you sit on is moved (with its calendar file)"),
    _("%(actor)s moved %(object)s to %(starts)s"),
    attachments=meeting_invitation,
)
n.define(
    "meeting_cancelled",
    GROUP,
    _("A meeting of a body you sit on is cancelled (with its calendar file)"),
    _("%(actor)s cancelled %(object)s of %(starts)s"),
    attachments=meeting_invitation,
)
n.define(
    "minutes_to_approve",
    GROUP,
    _("Minutes of a body you chair or are secretary of are put up for approval"),
    _("%(actor)s put version %(number)s of the minutes of %(object)s up for approval"),
)
n.define(
    "recommendation_decided",
    GROUP,
    _("CNAD decides on a recommendation of your body"),
    _("%(actor)s recorded CNAD's decision of %(date)s on %(object)s: %(decision)s"),
    choices={"decision": RecommendationState},
)


# Meetings and bodies are named as in the calendar (``WG1: Capacity returns``), in every language.


def meeting_scheduled_params(meeting) -> dict:
    return {"object": summary(meeting), "starts": meeting_day(meeting).isoformat()}


def minutes_params(minutes) -> dict:
    return {"object": summary(minutes.meeting), "number": minutes.number}


def _action_params(action) -> dict:
    return {"body": action.body.code.upper(), "due": action.due_on.isoformat()}


def owner_pages(action, *, user: bool = True, nation: bool = True) -> list[tuple[list, str]]:
    """The action's owners (``boards.rules.action_owners``) by the page each is sent to: those who
    may update it to its form, the others (its nation's directors, who read it) to the tracker."""
    from boards.rules import action_owners

    editors, readers = {}, {}
    for person in action_owners(action, user=user, nation=nation):
        (editors if allows(person, CHANGE, action) else readers)[person.pk] = person
    pages = []
    if editors:
        pages.append((list(editors.values()), reverse("boards:action-edit", args=[action.pk])))
    if readers:
        query = urlencode(
            {"nation": action.owner_nation.code} if action.owner_nation_id else {"body": action.body_id}
        )
        pages.append((list(readers.values()), f"{reverse('boards:action-list')}?{query}"))
    return pages


def notify_owners(action, *, actor, user: bool = True, nation: bool = True) -> int:
    """Tell the action's owners (or, with ``user``/``nation`` False, one side of them) that it is
    theirs, each with the page they work from; in the caller's transaction."""
    return sum(
        n.notify(
            "action_assigned", action, actor=actor, params=_action_params(action), url=url, recipients=people
        )
        for people, url in owner_pages(action, user=user, nation=nation)
    )


def overdue_actions(today: dt.date):
    """Each open action past its due date, once per due date: the threshold names the date, so an
    action given a later date that slips again is reminded again (as the daily job flags it again)."""
    for row in deadlines(user=SYSTEM, until=today, kinds=("action_due",)):
        if n.due_threshold(row.date, today) != "overdue":
            continue
        for people, url in owner_pages(row.object):
            yield n.Reminder(
                "action_overdue",
                row.object,
                f"overdue-{row.date.isoformat()}",
                params=_action_params(row.object),
                url=url,
                recipients=people,
            )


n.reminders(overdue_actions)
