"""Meetings in calendar clients: a user's secret feed addresses (all their meetings, and one
body's), which a client polls without a session, and .ics downloads for a signed-in reader (the
calendar they may see, one body's, one meeting's invitation).

A feed reads exactly as its user would now (``boards.selectors.meeting_list``), so a lost seat or
a deactivated account empties it. An unknown key, or a body the user may not see, is a 404, with
nothing to tell them apart."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from boards import selectors, services
from boards.calendar import calendar
from boards.models import CalendarFeed, Meeting
from portal.permissions import ADD, VIEW, may, restrict
from portal.web import get_for, require

# How far back a calendar reaches: clients keep what they already hold; a feed of every meeting
# since 2023 would only grow.
PAST_DAYS = 366


def _ics(request, meetings, *, name: str, filename: str, attachment: bool) -> HttpResponse:
    content = calendar(
        meetings,
        name=name,
        url_of=lambda meeting: request.build_absolute_uri(
            reverse("boards:meeting-detail", args=[meeting.pk])
        ),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Meetings are not public: no shared cache keeps a copy, whoever asked.
    patch_cache_control(response, no_store=True, private=True)
    return response


def _window(user, body=None):
    since = timezone.now() - dt.timedelta(days=PAST_DAYS)
    return selectors.meeting_list(user=user, body=body, start=since)


def _body(user, pk: int):
    body = selectors.body_list(user=user).filter(pk=pk).first()
    if body is None:
        raise Http404
    return body


@login_not_required
@require_GET
def feed(request, key: str):
    """All the meetings the key's user may see."""
    user = selectors.feed_user(key)
    if user is None or not may(user, Meeting, VIEW):
        raise Http404
    return _ics(
        request, _window(user), name=_("DIPB meetings"), filename="dipb-meetings.ics", attachment=False
    )


@login_not_required
@require_GET
def body_feed(request, key: str, pk: int):
    """One body's meetings that the key's user may see."""
    user = selectors.feed_user(key)
    if user is None or not may(user, Meeting, VIEW):
        raise Http404
    body = _body(user, pk)
    return _ics(
        request, _window(user, body), name=body.name, filename=f"{body.code}-meetings.ics", attachment=False
    )


@require_GET
def meetings_ics(request):
    """The calendar the signed-in reader may see, as a file to import."""
    require(request.user, Meeting, VIEW)
    return _ics(
        request, _window(request.user), name=_("DIPB meetings"), filename="dipb-meetings.ics", attachment=True
    )


@require_GET
def body_ics(request, pk: int):
    require(request.user, Meeting, VIEW)
    body = _body(request.user, pk)
    return _ics(
        request,
        _window(request.user, body),
        name=body.name,
        filename=f"{body.code}-meetings.ics",
        attachment=True,
    )


@require_GET
def meeting_ics(request, pk: int):
    """One meeting's invitation file."""
    meeting = get_for(request, selectors.meeting_list, pk)
    return _ics(request, [meeting], name=meeting.title, filename=f"meeting-{meeting.pk}.ics", attachment=True)


@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """The user's feed: its addresses right after it is made (shown once), a reset (a new key; the
    old addresses stop working) and a revoke."""
    user = request.user
    require(user, CalendarFeed, ADD)
    created, status = None, 200
    action = request.POST.get("action", "") if request.method == "POST" else None
    if action not in (None, "reset", "revoke"):
        messages.error(request, _("Choose to make, reset or revoke your feed."))
        status = 400
    elif action:
        if action == "revoke":
            if services.calendar_feed_revoke(actor=user):
                messages.success(request, _("Your calendar feed is revoked: its addresses no longer answer."))
            return redirect("boards:calendar-feed")
        _feed, key = services.calendar_feed_reset(actor=user)
        created = {
            "all": request.build_absolute_uri(reverse("boards:feed", kwargs={"key": key})),
            "bodies": [
                (
                    body,
                    request.build_absolute_uri(
                        reverse("boards:body-feed", kwargs={"key": key, "pk": body.pk})
                    ),
                )
                for body in selectors.body_list(user=user)
            ],
        }
    current = restrict(CalendarFeed.objects.all(), user, VIEW).first()
    return render(
        request,
        "boards/calendar_feed.html",
        {
            "created": created,
            "current": current,
            "bodies": list(selectors.body_list(user=user)),
        },
        status=status,
    )
