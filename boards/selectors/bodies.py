"""Reads of bodies, their members and their meetings."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from boards import rules
from boards.choices import MinutesState
from boards.models import AgendaItem, Attendance, Body, Document, Meeting, Membership, Minutes
from portal.permissions import ADD, ALL, VIEW, restrict, restricted_prefetch, scope_label


def body_list(*, user) -> QuerySet[Body]:
    return (
        restrict(Body.objects.all(), user, VIEW)
        .select_related("parent", "chair")
        .order_by("kind", "code", "pk")
    )


def membership_list(*, user, body=None, on: dt.date | None = None) -> QuerySet[Membership]:
    """Seats the user may see, optionally of one ``body`` and current ``on`` a day."""
    rows = restrict(Membership.objects.all(), user, VIEW).select_related("user", "body")
    if body is not None:
        rows = rows.filter(body=body)
    if on is not None:
        rows = rows.filter(Membership.current_q(on))
    return rows.order_by("body__code", "role", "user__username", "pk")


def meeting_list(
    *, user, body=None, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> QuerySet[Meeting]:
    """Meetings the user may see, oldest first; ``start`` and ``end`` bound a calendar window."""
    rows = restrict(Meeting.objects.all(), user, VIEW).select_related("body")
    if body is not None:
        rows = rows.filter(body=body)
    if start is not None:
        rows = rows.filter(ends_at__gte=start)
    if end is not None:
        rows = rows.filter(starts_at__lt=end)
    return rows.order_by("starts_at", "pk")


def meeting_detail(*, user) -> QuerySet[Meeting]:
    """Meetings with what their page shows, each part scoped: the agenda with its presenters, the
    attendance, the documents and the minutes versions the user may read."""
    return meeting_list(user=user).prefetch_related(
        restricted_prefetch(
            "agenda_items", AgendaItem.objects.select_related("presenter").order_by("position", "pk"), user
        ),
        restricted_prefetch(
            "attendance", Attendance.objects.select_related("user").order_by("user__username", "pk"), user
        ),
        restricted_prefetch(
            "documents",
            Document.objects.select_related("agenda_item", "uploaded_by").order_by("uploaded_at", "pk"),
            user,
        ),
        restricted_prefetch(
            "minutes",
            Minutes.objects.select_related("approved_at_meeting", "approved_by", "drafted_by").order_by(
                "number"
            ),
            user,
        ),
    )


def agenda_item_list(*, user, meeting=None) -> QuerySet[AgendaItem]:
    """Agenda items the user may see, optionally of one ``meeting``, in agenda order."""
    rows = restrict(AgendaItem.objects.all(), user, VIEW).select_related("meeting", "presenter")
    if meeting is not None:
        rows = rows.filter(meeting=meeting)
    return rows.order_by("meeting", "position", "pk")


def minutes_list(*, user, meeting=None) -> QuerySet[Minutes]:
    rows = restrict(Minutes.objects.all(), user, VIEW).select_related(
        "meeting", "meeting__body", "drafted_by", "approved_by"
    )
    if meeting is not None:
        rows = rows.filter(meeting=meeting)
    return rows.order_by("meeting__starts_at", "meeting", "number", "pk")


def minutes_record(meeting: Meeting) -> Minutes | None:
    """The record of a meeting (from its prefetched, scoped ``minutes``): the newest approved
    version, else the draft the reader may see."""
    versions = list(meeting.minutes.all())
    approved = [v for v in versions if v.state == MinutesState.APPROVED]
    if approved:
        return approved[-1]
    return versions[-1] if versions else None


def bodies_open_to(*, user, model, action: str = ADD) -> QuerySet[Body]:
    """The bodies under which ``user`` may ``action`` rows of ``model`` (schedule a meeting, draft a
    recommendation, record a risk), for the forms' choices and the pages' buttons: every body they
    see when their grant covers all rows, the bodies they sit on today when it covers their own
    bodies' rows (``rules.member_of``), else none. The service still checks the row it saves."""
    bodies = body_list(user=user)
    label = scope_label(user, model, action)
    if label == ALL.label:
        return bodies
    if label == rules.OWN_BODIES:
        return bodies.filter(pk__in=rules.seats(user))
    return bodies.none()


def member_users(*, user, on: dt.date, body=None, bodies=None):
    """The people seated on ``body`` (or on any of ``bodies``, a queryset) on day ``on``, as far as
    ``user`` may see their seats: who may present an item, own an action or be marked present."""
    seated = membership_list(user=user, body=body, on=on)
    if bodies is not None:
        seated = seated.filter(body__in=bodies)
    seated = seated.values("user")
    return get_user_model().objects.filter(pk__in=seated).order_by("username", "pk")


def seatable_users(*, user):
    """The active users ``user`` may see, to be given a seat."""
    return restrict(get_user_model().objects.filter(is_active=True), user, VIEW).order_by("username", "pk")
