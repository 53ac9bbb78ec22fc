"""Reads of bodies, their members and their meetings."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from boards.choices import MinutesState
from boards.models import AgendaItem, Attendance, Body, Document, Meeting, Membership, Minutes
from portal.permissions import VIEW, restrict, restricted_prefetch


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
        rows = rows.filter(from_date__lte=on).filter(Q(to_date__isnull=True) | Q(to_date__gte=on))
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


def minutes_list(*, user, meeting=None) -> QuerySet[Minutes]:
    rows = restrict(Minutes.objects.all(), user, VIEW).select_related("meeting", "meeting__body")
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
