"""Meetings, their agenda and attendance, their minutes, and links to portal objects.

Minutes are drafted once the meeting has begun and approved at a later meeting of the same body.
Approved minutes are frozen: a correction is a new version, drafted and approved in turn, and the
newest approved version is the record. The agenda carries its own version, so of two people
reordering it at once the second gets a 409 with the order the first saved.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from boards.choices import AuditEvent, MeetingStatus, MinutesState
from boards.models import LINKABLE, ActionItem, AgendaItem, Attendance, Link, Meeting, Minutes
from boards.notifications import meeting_scheduled_params, minutes_params
from boards.rules import APPROVE
from portal.audit import record_change
from portal.concurrency import check_version
from portal.exceptions import Conflict, NotFound
from portal.notifications import notify
from portal.permissions import ADD, CHANGE, DELETE, VIEW, ensure_added, ensure_allowed, restrict
from portal.services import ensure_may, locked_for, model_create, model_update, only_fields

MEETING_FIELDS = {
    "title",
    "starts_at",
    "ends_at",
    "time_zone",
    "location",
    "virtual",
    "status",
    "classification",
}
CREATE_ONLY = {"illustrative"}
# What an invitation says of when and where a meeting is: a change to one of them is a move.
WHEN_AND_WHERE = ("starts_at", "ends_at", "time_zone", "location", "virtual")
AGENDA_FIELDS = {"title", "presenter", "notes"}
# Above any real agenda's length: positions move out of the way before they are renumbered.
_PARKED = 10_000


@transaction.atomic
def meeting_create(*, actor, body, **fields) -> Meeting:
    ensure_may(actor, Meeting, ADD)
    only_fields(fields, MEETING_FIELDS | CREATE_ONLY)
    meeting = model_create(Meeting(body=body, **fields), actor=actor)
    ensure_added(actor, meeting, _("You may not schedule meetings of this body."))
    # A meeting entered after the fact (held, cancelled, or over) is a record, not a summons.
    if _upcoming(meeting):
        _tell("meeting_scheduled", meeting, actor, meeting_scheduled_params(meeting), meeting.pk)
    return meeting


def _tell(kind: str, obj, actor, params: dict, meeting_id: int) -> None:
    """Notify ``kind`` about ``obj`` with a link to its meeting's page, where the meeting and its
    minutes are read and approved."""
    notify(kind, obj, actor=actor, params=params, url=reverse("boards:meeting-detail", args=[meeting_id]))


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, expected_version: int | None = None, **changes) -> Meeting:
    meeting = locked_for(meeting, actor=actor)
    check_version(meeting, expected_version)
    only_fields(changes, MEETING_FIELDS)
    was_upcoming = _upcoming(meeting)
    was_at = {name: getattr(meeting, name) for name in WHEN_AND_WHERE}
    meeting = model_update(meeting, actor=actor, changes=changes)
    # The members hold the invitation: they hear of what makes it wrong, with the event again.
    kind = None
    if was_upcoming and meeting.status == MeetingStatus.CANCELLED:
        kind = "meeting_cancelled"
    elif _upcoming(meeting):
        if not was_upcoming:
            kind = "meeting_scheduled"  # reinstated, or moved from the past into the future
        elif any(getattr(meeting, name) != value for name, value in was_at.items()):
            kind = "meeting_moved"
    if kind:
        _tell(kind, meeting, actor, meeting_scheduled_params(meeting), meeting.pk)
    return meeting


def _upcoming(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.PLANNED and meeting.ends_at > timezone.now()


# --- The agenda --------------------------------------------------------------------------------


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.agenda_items.order_by("position", "pk"))


def _check_agenda(meeting: Meeting, expected: int | None) -> None:
    if expected is not None and expected != meeting.agenda_version:
        raise Conflict(
            _("Someone changed this agenda since you opened it. Here is its order now; reorder again."),
            detail={
                "current_agenda_version": meeting.agenda_version,
                "agenda": [
                    {"id": item.pk, "position": item.position, "title": item.title}
                    for item in _agenda(meeting)
                ],
            },
        )


def _agenda_locked(meeting: Meeting, actor, expected: int | None) -> Meeting:
    """The meeting's row locked (the agenda's lock), after the actor's right to edit its agenda
    and the agenda's version are checked."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_allowed(actor, CHANGE, meeting)
    _check_agenda(meeting, expected)
    return meeting


def _bump_agenda(meeting: Meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(agenda_version=F("agenda_version") + 1)
    meeting.refresh_from_db(fields=["agenda_version"])


@transaction.atomic
def agenda_item_add(
    *, actor, meeting: Meeting, title: str, presenter=None, notes: str = "", expected_agenda_version=None
) -> AgendaItem:
    ensure_may(actor, AgendaItem, ADD)
    meeting = _agenda_locked(meeting, actor, expected_agenda_version)
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = model_create(
        AgendaItem(meeting=meeting, position=last + 1, title=title, presenter=presenter, notes=notes),
        actor=actor,
    )
    ensure_added(actor, item, _("You may not change this agenda."))
    _bump_agenda(meeting)
    return item


@transaction.atomic
def agenda_item_update(*, actor, item: AgendaItem, **changes) -> AgendaItem:
    item = locked_for(item, actor=actor)
    only_fields(changes, AGENDA_FIELDS)
    return model_update(item, actor=actor, changes=changes)


def _renumber(meeting: Meeting, order: list[AgendaItem]) -> None:
    # Two steps, so no row ever takes a position another still holds (the constraint is checked
    # row by row, not at the end of the statement).
    meeting.agenda_items.update(position=F("position") + _PARKED)
    for position, item in enumerate(order, start=1):
        AgendaItem.objects.filter(pk=item.pk).update(position=position)
        item.position = position


@transaction.atomic
def agenda_reorder(
    *, actor, meeting: Meeting, order: list[int], expected_agenda_version: int | None
) -> list[AgendaItem]:
    """Put the agenda in ``order`` (every item's id, each once)."""
    meeting = _agenda_locked(meeting, actor, expected_agenda_version)
    items = _agenda(meeting)
    by_id = {item.pk: item for item in items}
    if sorted(order) != sorted(by_id) or len(set(order)) != len(order):
        raise ValidationError(
            {
                "order": _("Give every item of this agenda once: %(ids)s.")
                % {"ids": ", ".join(map(str, by_id))}
            }
        )
    before = [item.pk for item in items]
    ordered = [by_id[pk] for pk in order]
    if before != order:
        _renumber(meeting, ordered)
        _bump_agenda(meeting)
        record_change(
            actor=actor,
            obj=meeting,
            action=AuditEvent.AGENDA_REORDERED,
            before={"agenda": before, "agenda_version": meeting.agenda_version - 1},
            after={"agenda": order, "agenda_version": meeting.agenda_version},
            message="Agenda reordered",
        )
    return ordered


@transaction.atomic
def agenda_item_remove(*, actor, item: AgendaItem, expected_agenda_version: int | None = None) -> None:
    meeting = _agenda_locked(item.meeting, actor, expected_agenda_version)
    item = locked_for(item, actor=actor, action=DELETE)
    if item.actions.exists():
        raise ValidationError(
            {"item": _("Actions were decided under this item; move them before removing it.")}
        )
    record_change(
        actor=actor, obj=item, action="delete", before={"title": item.title, "position": item.position}
    )
    item.delete()
    _renumber(meeting, _agenda(meeting))
    _bump_agenda(meeting)


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, user, presence: str) -> Attendance:
    """Record (or change) whether ``user`` attended ``meeting``."""
    meeting = locked_for(meeting, actor=actor, action=VIEW)
    row = Attendance.objects.select_for_update().filter(meeting=meeting, user=user).first()
    if row is None:
        ensure_may(actor, Attendance, ADD)
        row = model_create(Attendance(meeting=meeting, user=user, presence=presence), actor=actor)
        ensure_added(actor, row, _("You may not record attendance at this meeting."))
        return row
    ensure_allowed(actor, CHANGE, row)
    return model_update(row, actor=actor, changes={"presence": presence})


# --- Minutes -----------------------------------------------------------------------------------


def _frozen_error(minutes: Minutes) -> ValidationError:
    return ValidationError(
        {
            "text": _(
                "Version %(number)s of these minutes was approved on %(day)s and is frozen. "
                "To change it, propose a correction: it becomes a new version, approved in turn."
            )
            % {"number": minutes.number, "day": date_format(timezone.localtime(minutes.approved_on).date())}
        }
    )


@transaction.atomic
def minutes_draft(*, actor, meeting: Meeting, text: str) -> Minutes:
    """Start the minutes of ``meeting``: version 1, a draft. Approved minutes are corrected with
    ``minutes_correct``, never drafted over."""
    ensure_may(actor, Minutes, ADD)
    meeting = locked_for(meeting, actor=actor, action=VIEW)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"text": _("A cancelled meeting has no minutes.")})
    if meeting.starts_at > timezone.now():
        raise ValidationError({"text": _("Minutes are drafted once the meeting has begun.")})
    existing = meeting.minutes.order_by("-number").first()
    if existing is not None:
        if existing.frozen:
            raise _frozen_error(existing)
        raise ValidationError({"text": _("These minutes are already being drafted; edit the draft.")})
    minutes = model_create(
        Minutes(meeting=meeting, number=1, text=text, drafted_by=actor if actor.pk else None), actor=actor
    )
    ensure_added(actor, minutes, _("You may not draft the minutes of this meeting."))
    _tell("minutes_to_approve", minutes, actor, minutes_params(minutes), meeting.pk)
    return minutes


@transaction.atomic
def minutes_update(*, actor, minutes: Minutes, text: str, expected_version: int | None = None) -> Minutes:
    minutes = locked_for(minutes, actor=actor)
    if minutes.frozen:
        raise _frozen_error(minutes)
    check_version(minutes, expected_version)
    return model_update(minutes, actor=actor, changes={"text": text})


@transaction.atomic
def minutes_approve(
    *, actor, minutes: Minutes, at_meeting: Meeting, expected_version: int | None = None
) -> Minutes:
    """Record that ``at_meeting``, a later meeting of the same body, approved the draft."""
    minutes = locked_for(minutes, actor=actor, action=APPROVE)
    check_version(minutes, expected_version)
    if minutes.frozen:
        raise Conflict(
            _("These minutes are already approved."),
            detail={"state": minutes.state, "approved_at_meeting": minutes.approved_at_meeting_id},
        )
    if not restrict(Meeting.objects.filter(pk=at_meeting.pk), actor, VIEW).exists():
        raise NotFound(_("Meeting not found."))
    meeting = minutes.meeting
    if at_meeting.body_id != meeting.body_id:
        raise ValidationError({"at_meeting": _("Minutes are approved by a meeting of the same body.")})
    if at_meeting.starts_at <= meeting.starts_at:
        raise ValidationError(
            {"at_meeting": _("Minutes are approved at a later meeting than the one they record.")}
        )
    if at_meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"at_meeting": _("A cancelled meeting approves nothing.")})
    return model_update(
        minutes,
        actor=actor,
        changes={
            "state": MinutesState.APPROVED,
            "approved_at_meeting": at_meeting,
            "approved_by": actor if actor.pk else None,
            "approved_on": timezone.now(),
        },
        action=AuditEvent.MINUTES_APPROVED,
    )


@transaction.atomic
def minutes_correct(*, actor, minutes: Minutes, text: str, reason: str) -> Minutes:
    """Propose a correction of approved minutes: a new draft version that ``corrects`` them. The
    approved version stays the record until the correction is approved."""
    ensure_may(actor, Minutes, ADD)
    minutes = locked_for(minutes, actor=actor, action=VIEW)
    Meeting.objects.select_for_update().get(pk=minutes.meeting_id)  # one correction at a time
    if not minutes.frozen:
        raise ValidationError({"text": _("These minutes are still a draft: edit them instead.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the correction changes and why.")})
    newest = minutes.meeting.minutes.order_by("-number").first()
    if newest.pk != minutes.pk:
        raise Conflict(
            _("Version %(number)s already follows these minutes; correct that one.")
            % {"number": newest.number},
            detail={"current_version_number": newest.number, "state": newest.state},
        )
    correction = model_create(
        Minutes(
            meeting=minutes.meeting,
            number=minutes.number + 1,
            text=text,
            corrects=minutes,
            correction_reason=reason.strip(),
            drafted_by=actor if actor.pk else None,
        ),
        actor=actor,
        action=AuditEvent.MINUTES_CORRECTED,
    )
    ensure_added(actor, correction, _("You may not correct the minutes of this meeting."))
    _tell("minutes_to_approve", correction, actor, minutes_params(correction), correction.meeting_id)
    return correction


# --- Links -------------------------------------------------------------------------------------


@transaction.atomic
def link_add(
    *, actor, target, agenda_item: AgendaItem | None = None, action: ActionItem | None = None
) -> Link:
    """Link an agenda item or an action to ``target``, a portal object the actor may see."""
    ensure_may(actor, Link, ADD)
    owner = agenda_item or action
    if owner is None or (agenda_item is not None and action is not None):
        raise ValidationError({"target": _("A link belongs to one agenda item or one action.")})
    locked_for(owner, actor=actor)
    label = target._meta.label_lower
    if label not in LINKABLE:
        raise ValidationError({"target": _("This kind of object cannot be linked.")})
    if not restrict(type(target).objects.filter(pk=target.pk), actor, VIEW).exists():
        raise NotFound(_("%(model)s not found.") % {"model": target._meta.verbose_name})
    kind = ContentType.objects.get_for_model(target, for_concrete_model=True)
    if Link.objects.filter(
        agenda_item=agenda_item, action=action, target_type=kind, target_id=target.pk
    ).exists():
        raise ValidationError({"target": _("This link exists already.")})
    link = model_create(
        Link(agenda_item=agenda_item, action=action, target_type=kind, target_id=target.pk), actor=actor
    )
    ensure_added(actor, link, _("You may not link this."))
    return link


@transaction.atomic
def link_remove(*, actor, link: Link) -> None:
    link = locked_for(link, actor=actor, action=DELETE)
    record_change(
        actor=actor, obj=link, action="delete", before={"target": f"{link.target_type_id}:{link.target_id}"}
    )
    link.delete()
