"""Meetings: the calendar of those a reader may see, a meeting's page (agenda, attendance, minutes,
the actions it decided, its history), and the minutes' forms: draft, edit, approve at a later
meeting, and correct once approved (a new version; approved minutes are frozen)."""

from __future__ import annotations

from itertools import groupby

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from boards import selectors, services
from boards.forms import MinutesApproveForm, MinutesCorrectForm, MinutesDraftForm, MinutesEditForm
from boards.models import ActionItem, AgendaItem, Attendance, Document, Meeting, Minutes
from boards.rules import APPROVE
from portal.permissions import ADD, CHANGE, VIEW, allows, may
from portal.selectors import objectchange_history
from portal.web import FORM_METHODS, form_page, get_for, post_data, require

HISTORY_ROWS = 20


def _meeting_url(meeting_id: int) -> str:
    return reverse("boards:meeting-detail", kwargs={"pk": meeting_id})


@require_GET
def meeting_list(request):
    """The calendar: upcoming meetings first, then past ones, each month under its heading."""
    user = request.user
    require(user, Meeting, VIEW)
    now = timezone.now()
    meetings = list(selectors.meeting_list(user=user))
    upcoming = [m for m in meetings if m.ends_at >= now]
    past = sorted((m for m in meetings if m.ends_at < now), key=lambda m: (m.starts_at, m.pk), reverse=True)

    def months(rows):
        return [
            (month, list(group))
            for month, group in groupby(rows, key=lambda m: m.starts_at.date().replace(day=1))
        ]

    return render(request, "boards/meeting_list.html", {"upcoming": months(upcoming), "past": months(past)})


@require_GET
def meeting_detail(request, pk: int):
    user = request.user
    meeting = get_for(request, selectors.meeting_detail, pk)
    minutes = list(meeting.minutes.all())
    record = selectors.minutes_record(meeting)
    draft = next((v for v in minutes if v.state == "draft"), None)
    actions = list(selectors.action_list(user=user).filter(meeting=meeting))
    history = objectchange_history(
        user=user,
        targets=[
            (Meeting, [meeting.pk]),
            (AgendaItem, [item.pk for item in meeting.agenda_items.all()]),
            (Minutes, [v.pk for v in minutes]),
            (Attendance, [row.pk for row in meeting.attendance.all()]),
        ],
        limit=HISTORY_ROWS,
    )
    return render(
        request,
        "boards/meeting_detail.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "record": record,
            "draft": draft,
            "actions": actions,
            "history": history,
            "may_draft": not minutes and may(user, Minutes, ADD) and allows(user, CHANGE, meeting),
            "may_edit_draft": draft is not None and allows(user, CHANGE, draft),
            "may_approve": draft is not None and allows(user, APPROVE, draft),
            "may_correct": record is not None
            and record.frozen
            and draft is None
            and allows(user, CHANGE, meeting),
            "may_add_action": may(user, ActionItem, ADD) and allows(user, CHANGE, meeting),
            "may_add_document": may(user, Document, ADD) and allows(user, CHANGE, meeting),
        },
    )


@FORM_METHODS
def minutes_draft(request, pk: int):
    meeting = get_for(request, selectors.meeting_list, pk, (Minutes, ADD))
    return form_page(
        request,
        MinutesDraftForm(post_data(request)),
        lambda data: services.minutes_draft(actor=request.user, meeting=meeting, **data),
        title=_("Minutes of %(meeting)s") % {"meeting": meeting},
        intro=_(
            "The minutes stay a draft, editable by the body's members, until a later meeting approves them."
        ),
        success_url=lambda minutes: _meeting_url(minutes.meeting_id),
        success_message=_("Draft minutes saved."),
        cancel_url=_meeting_url(meeting.pk),
    )


@FORM_METHODS
def minutes_edit(request, pk: int):
    minutes = get_for(request, selectors.minutes_list, pk, CHANGE)
    return form_page(
        request,
        MinutesEditForm(post_data(request), initial={"text": minutes.text, "version": minutes.version}),
        lambda data: services.minutes_update(actor=request.user, minutes=minutes, **data),
        title=_("Edit the minutes of %(meeting)s") % {"meeting": minutes.meeting},
        success_url=lambda minutes: _meeting_url(minutes.meeting_id),
        success_message=_("Draft minutes saved."),
        cancel_url=_meeting_url(minutes.meeting_id),
    )


@FORM_METHODS
def minutes_approve(request, pk: int):
    minutes = get_for(request, selectors.minutes_list, pk, APPROVE)
    later = selectors.meeting_list(user=request.user, body=minutes.meeting.body).filter(
        starts_at__gt=minutes.meeting.starts_at
    )
    return form_page(
        request,
        MinutesApproveForm(post_data(request), initial={"version": minutes.version}, meetings=later),
        lambda data: services.minutes_approve(actor=request.user, minutes=minutes, **data),
        title=_("Approve the minutes of %(meeting)s") % {"meeting": minutes.meeting},
        intro=_(
            "Once approved, the minutes are frozen; a correction becomes a new version, approved in turn."
        ),
        success_url=lambda minutes: _meeting_url(minutes.meeting_id),
        success_message=_("Minutes approved."),
        cancel_url=_meeting_url(minutes.meeting_id),
    )


@FORM_METHODS
def minutes_correct(request, pk: int):
    minutes = get_for(request, selectors.minutes_list, pk, (Minutes, ADD))
    return form_page(
        request,
        MinutesCorrectForm(post_data(request), initial={"text": minutes.text}),
        lambda data: services.minutes_correct(actor=request.user, minutes=minutes, **data),
        title=_("Correct the approved minutes of %(meeting)s") % {"meeting": minutes.meeting},
        intro=_("The approved version stays the record until the correction is approved at a later meeting."),
        success_url=lambda minutes: _meeting_url(minutes.meeting_id),
        success_message=_("Correction drafted."),
        cancel_url=_meeting_url(minutes.meeting_id),
    )
