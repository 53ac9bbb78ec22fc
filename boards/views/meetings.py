"""Meetings: the calendar of those a reader may see, a meeting's page (agenda, attendance, minutes,
the actions it decided, its history), scheduling and editing a meeting and marking it held or
cancelled, its agenda (add, edit, remove, move up and down: the agenda's version makes the second of
two reorders at once a 409), its attendance, links from agenda items and actions to portal
objects, and the minutes' forms: draft, edit, approve at a later meeting, and correct once
approved (a new version; approved minutes are frozen)."""

from __future__ import annotations

from itertools import groupby

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from boards import selectors, services
from boards.choices import MeetingStatus
from boards.forms import (
    DEFAULT_ZONE,
    DOWN,
    LINK_LABELS,
    UP,
    AgendaItemForm,
    AgendaReorderForm,
    AgendaVersionForm,
    AttendanceForm,
    ConfirmForm,
    LinkForm,
    MeetingEditForm,
    MeetingForm,
    MeetingStatusForm,
    MinutesApproveForm,
    MinutesCorrectForm,
    MinutesDraftForm,
    MinutesEditForm,
    wall_clock,
)
from boards.models import ActionItem, AgendaItem, Attendance, CalendarFeed, Document, Link, Meeting, Minutes
from boards.rules import APPROVE
from portal.permissions import ADD, CHANGE, DELETE, VIEW, allows, may
from portal.selectors import objectchange_history
from portal.web import FORM_METHODS, form_page, get_for, post_data, require

HISTORY_ROWS = 20


def _meeting_url(meeting_id: int, part: str = "") -> str:
    url = reverse("boards:meeting-detail", kwargs={"pk": meeting_id})
    return f"{url}#{part}" if part else url


def ensure_open(user, body, model) -> None:
    """403 unless ``user`` may add ``model`` rows under ``body`` (they sit on it, or manage all)."""
    if not selectors.bodies_open_to(user=user, model=model).filter(pk=body.pk).exists():
        raise PermissionDenied


def _meeting_day(meeting: Meeting):
    """The meeting's date where it sits: whose seats it counts."""
    return wall_clock(meeting.starts_at, meeting.time_zone).date()


def _attendance_form(user, meeting: Meeting, data=None) -> AttendanceForm:
    """The presence choice for each member seated on the meeting's day, and anyone else already
    recorded (from the meeting's prefetched, scoped attendance)."""
    people = list(selectors.member_users(user=user, body=meeting.body, on=_meeting_day(meeting)))
    listed = {person.pk for person in people}
    rows = list(meeting.attendance.all())
    people += [row.user for row in rows if row.user_id not in listed]
    return AttendanceForm(
        data,
        people=people,
        recorded={row.user_id: row.presence for row in rows},
        auto_id="attendance_%s",
    )


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

    schedulable = list(selectors.bodies_open_to(user=user, model=Meeting)) if may(user, Meeting, ADD) else []
    return render(
        request,
        "boards/meeting_list.html",
        {
            "upcoming": months(upcoming),
            "past": months(past),
            "schedulable": schedulable,
            "may_feed": may(user, CalendarFeed, ADD),
        },
    )


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
    may_change = allows(user, CHANGE, meeting)
    items = list(meeting.agenda_items.all())
    links: dict[int, list] = {}
    agenda_links = selectors.link_list(user=user).filter(agenda_item__meeting=meeting)
    for shown in selectors.shown_links(user=user, links=agenda_links):
        links.setdefault(shown.link.agenda_item_id, []).append(shown)
    may_mark = may_change and may(user, Attendance, ADD)
    return render(
        request,
        "boards/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": [(item, links.get(item.pk, [])) for item in items],
            "last_position": items[-1].position if items else 0,
            "minutes": minutes,
            "record": record,
            "draft": draft,
            "actions": actions,
            "history": history,
            "may_edit_meeting": may_change,
            "statuses": [s for s in MeetingStatus if s != meeting.status] if may_change else [],
            "may_add_item": may_change and may(user, AgendaItem, ADD),
            "may_edit_agenda": may_change and may(user, AgendaItem, CHANGE),
            "may_remove_item": may_change and may(user, AgendaItem, DELETE),
            "may_link": may_change and may(user, Link, ADD),
            "may_unlink": may_change and may(user, Link, DELETE),
            "link_kinds": list(LINK_LABELS.items()),
            "attendance_form": _attendance_form(user, meeting) if may_mark else None,
            "may_draft": not minutes and may(user, Minutes, ADD) and may_change,
            "may_edit_draft": draft is not None and allows(user, CHANGE, draft),
            "may_approve": draft is not None and allows(user, APPROVE, draft),
            "may_correct": record is not None and record.frozen and draft is None and may_change,
            "may_add_action": may(user, ActionItem, ADD) and may_change,
            "may_add_document": may(user, Document, ADD) and may_change,
        },
    )


# --- Scheduling --------------------------------------------------------------------------------


@FORM_METHODS
def meeting_create(request, pk: int):
    """Schedule a meeting of body ``pk``: its times as the clocks show them where it sits."""
    user = request.user
    body = get_for(request, selectors.body_list, pk, (Meeting, ADD))
    ensure_open(user, body, Meeting)
    return form_page(
        request,
        MeetingForm(post_data(request), initial={"time_zone": DEFAULT_ZONE}),
        lambda data: services.meeting_create(actor=user, body=body, **data),
        title=_("Schedule a meeting of %(body)s") % {"body": body},
        intro=_("Give the start and end as the clocks show them where the meeting sits."),
        success_url=lambda meeting: _meeting_url(meeting.pk),
        success_message=_("Meeting scheduled."),
        cancel_url=reverse("boards:body-detail", kwargs={"pk": body.pk}),
    )


@FORM_METHODS
def meeting_edit(request, pk: int):
    user = request.user
    meeting = get_for(request, selectors.meeting_list, pk, CHANGE)
    initial = {
        "title": meeting.title,
        "starts_at": wall_clock(meeting.starts_at, meeting.time_zone),
        "ends_at": wall_clock(meeting.ends_at, meeting.time_zone),
        "time_zone": meeting.time_zone,
        "virtual": meeting.virtual,
        "location": meeting.location,
        "classification": meeting.classification,
        "version": meeting.version,
    }
    return form_page(
        request,
        MeetingEditForm(post_data(request), initial=initial),
        lambda data: services.meeting_update(actor=user, meeting=meeting, **data),
        title=_("Edit %(meeting)s") % {"meeting": meeting},
        intro=_("Give the start and end as the clocks show them where the meeting sits."),
        success_url=lambda meeting: _meeting_url(meeting.pk),
        success_message=_("Meeting saved."),
        cancel_url=_meeting_url(meeting.pk),
    )


@FORM_METHODS
def meeting_status(request, pk: int):
    """Mark a meeting held or cancelled (or planned again)."""
    user = request.user
    meeting = get_for(request, selectors.meeting_list, pk, CHANGE)
    return form_page(
        request,
        MeetingStatusForm(post_data(request), initial={"status": meeting.status, "version": meeting.version}),
        lambda data: services.meeting_update(actor=user, meeting=meeting, **data),
        title=_("Status of %(meeting)s") % {"meeting": meeting},
        success_url=lambda meeting: _meeting_url(meeting.pk),
        success_message=_("Meeting status saved."),
        cancel_url=_meeting_url(meeting.pk),
    )


# --- The agenda --------------------------------------------------------------------------------


@FORM_METHODS
def agenda_item_add(request, pk: int):
    user = request.user
    meeting = get_for(request, selectors.meeting_list, pk, (AgendaItem, ADD))
    people = selectors.member_users(user=user, body=meeting.body, on=_meeting_day(meeting))
    return form_page(
        request,
        AgendaItemForm(post_data(request), people=people),
        lambda data: services.agenda_item_add(actor=user, meeting=meeting, **data),
        title=_("Add an item to the agenda of %(meeting)s") % {"meeting": meeting},
        success_url=lambda item: _meeting_url(item.meeting_id, "agenda"),
        success_message=_("Agenda item added."),
        cancel_url=_meeting_url(meeting.pk, "agenda"),
    )


@FORM_METHODS
def agenda_item_edit(request, pk: int):
    user = request.user
    item = get_for(request, selectors.agenda_item_list, pk, CHANGE)
    meeting = item.meeting
    people = selectors.member_users(user=user, body=meeting.body, on=_meeting_day(meeting))
    initial = {"title": item.title, "presenter": item.presenter_id, "notes": item.notes}
    return form_page(
        request,
        AgendaItemForm(post_data(request), initial=initial, people=people),
        lambda data: services.agenda_item_update(actor=user, item=item, **data),
        title=_("Edit agenda item %(position)s of %(meeting)s")
        % {"position": item.position, "meeting": meeting},
        success_url=lambda item: _meeting_url(item.meeting_id, "agenda"),
        success_message=_("Agenda item saved."),
        cancel_url=_meeting_url(meeting.pk, "agenda"),
    )


@FORM_METHODS
def agenda_item_remove(request, pk: int):
    user = request.user
    item = get_for(request, selectors.agenda_item_list, pk, DELETE)
    return form_page(
        request,
        AgendaVersionForm(post_data(request), initial={"agenda_version": item.meeting.agenda_version}),
        lambda data: services.agenda_item_remove(actor=user, item=item, **data) or item,
        title=_("Remove “%(title)s” from the agenda") % {"title": item.title},
        intro=_("The items after it move up. Its documents stay with the meeting."),
        success_url=lambda item: _meeting_url(item.meeting_id, "agenda"),
        success_message=_("Agenda item removed."),
        cancel_url=_meeting_url(item.meeting_id, "agenda"),
        context={"confirm_label": _("Remove")},
    )


def moved(order: list[int], item: int, direction: str) -> list[int]:
    """``order`` with ``item`` moved one place up or down (unchanged at either end). An item not
    in ``order`` is added, so the service refuses the order as not this agenda's."""
    if item not in order:
        return [*order, item]
    order = list(order)
    at = order.index(item)
    to = at - 1 if direction == UP else at + 1
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
    return order


@FORM_METHODS
def agenda_reorder(request, pk: int):
    """Move one agenda item up or down. The form carries the agenda's version the page showed: if
    someone changed the agenda since, the service's 409 comes back with the order now, and this
    page offers the moves again from it."""
    user = request.user
    meeting = get_for(request, selectors.meeting_list, pk, CHANGE)
    items = list(selectors.agenda_item_list(user=user, meeting=meeting))

    def reorder(data):
        order = moved([i.pk for i in items], data["item"], data["direction"])
        return services.agenda_reorder(
            actor=user, meeting=meeting, order=order, expected_agenda_version=data["expected_agenda_version"]
        )

    return form_page(
        request,
        AgendaReorderForm(
            post_data(request), initial={"agenda_version": meeting.agenda_version}, items=items
        ),
        reorder,
        title=_("Reorder the agenda of %(meeting)s") % {"meeting": meeting},
        success_url=lambda order: _meeting_url(meeting.pk, "agenda"),
        success_message=_("Agenda reordered."),
        cancel_url=_meeting_url(meeting.pk, "agenda"),
        template="boards/agenda_reorder.html",
        context={"meeting": meeting, "up": UP, "down": DOWN},
    )


# --- Attendance --------------------------------------------------------------------------------


@FORM_METHODS
def attendance_record(request, pk: int):
    user = request.user
    meeting = get_for(request, selectors.meeting_detail, pk, (Attendance, ADD))

    @transaction.atomic
    def record(data):
        # One save for the whole list: all the marks are recorded, or none is.
        return [
            services.attendance_record(actor=user, meeting=meeting, user=person, presence=presence)
            for person, presence in data["marks"]
        ]

    return form_page(
        request,
        _attendance_form(user, meeting, post_data(request)),
        record,
        title=_("Attendance at %(meeting)s") % {"meeting": meeting},
        intro=_(
            "The body's members on the day of the meeting; leave a person unmarked to keep them as they are."
        ),
        success_url=lambda rows: _meeting_url(meeting.pk, "attendance"),
        success_message=_("Attendance recorded."),
        cancel_url=_meeting_url(meeting.pk, "attendance"),
    )


# --- Links to portal objects -------------------------------------------------------------------


def _link_page(request, *, owner: dict, title: str, back: str):
    """The form that links an agenda item or an action (``owner``) to a portal object given by
    kind and reference; a reference to nothing the reader may see is a field message."""
    user = request.user

    def add(data):
        target = selectors.link_target(user=user, kind=data["kind"], reference=data["reference"])
        if target is None:
            raise ValidationError(
                {"reference": _("Nothing of this kind that you may see has this reference.")}
            )
        return services.link_add(actor=user, target=target, **owner)

    return form_page(
        request,
        LinkForm(post_data(request)),
        add,
        title=title,
        success_url=lambda link: back,
        success_message=_("Link added."),
        cancel_url=back,
    )


def _link_back(link: Link) -> str:
    if link.agenda_item_id:
        return _meeting_url(link.agenda_item.meeting_id, "agenda")
    return reverse("boards:action-edit", kwargs={"pk": link.action_id})


@FORM_METHODS
def agenda_link_add(request, pk: int):
    item = get_for(request, selectors.agenda_item_list, pk, (Link, ADD))
    return _link_page(
        request,
        owner={"agenda_item": item},
        title=_("Link agenda item “%(title)s” to a portal object") % {"title": item.title},
        back=_meeting_url(item.meeting_id, "agenda"),
    )


@FORM_METHODS
def action_link_add(request, pk: int):
    action = get_for(request, selectors.action_list, pk, (Link, ADD))
    return _link_page(
        request,
        owner={"action": action},
        title=_("Link the action to a portal object"),
        back=reverse("boards:action-edit", kwargs={"pk": action.pk}),
    )


@FORM_METHODS
def link_remove(request, pk: int):
    user = request.user
    link = get_for(request, selectors.link_list, pk, DELETE)
    shown = selectors.shown_links(user=user, links=[link])
    back = _link_back(link)
    return form_page(
        request,
        ConfirmForm(post_data(request)),
        lambda data: services.link_remove(actor=user, link=link) or link,
        title=_("Remove the link to %(target)s") % {"target": shown[0].target if shown else _("this object")},
        success_url=lambda link: back,
        success_message=_("Link removed."),
        cancel_url=back,
        context={"confirm_label": _("Remove")},
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
