"""The boards' notifications: who is told of an action assigned or overdue, a meeting scheduled
(with its calendar file), minutes put up for approval and CNAD's decision on a recommendation;
who is not (other bodies, other nations, partners, the actor); and that reminders go once."""

from __future__ import annotations

import datetime as dt
import email
from urllib.parse import urlsplit

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from boards import services
from boards.choices import ActionStatus, MeetingStatus, MemberRole, RecommendationState
from boards.selectors.deadlines import meeting_day
from boards.tests.factories import START, make_meeting, make_world
from portal import notifications
from portal.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit publish of the mail job, as a real commit would."""
    return django_capture_on_commit_callbacks


def told(kind: str) -> dict:
    """Who got a notification of ``kind``: username -> [(text, url)], in order."""
    rows = Notification.objects.filter(kind=kind).select_related("recipient").order_by("pk")
    out: dict = {}
    for row in rows:
        out.setdefault(row.recipient.username, []).append((str(row), row.url))
    return out


def name(user) -> str:
    return user.get_full_name()


# --- Actions -------------------------------------------------------------------------------------


def test_an_action_assigned_to_a_member_tells_them_and_nobody_else(world, owner):
    due = timezone.localdate() + dt.timedelta(days=10)
    action = services.action_create(
        actor=world.secretariat,
        body=world.wg1,
        text="Compile the capacity returns.",
        due_on=due,
        owner_user=world.wg1_member,
    )
    assert told("action_assigned") == {
        "w_wg1": [
            (
                f"{name(world.secretariat)} assigned an action of WG1, due on {date_format(due)}: "
                "Compile the capacity returns.",
                reverse("boards:action-edit", args=[action.pk]),
            )
        ]
    }
    # Being given work cannot be turned off.
    assert notifications.KINDS["action_assigned"].compulsory


def test_a_nations_action_tells_its_directors_not_another_nations_or_a_partner(
    world, owner, other, make_user
):
    colleague = make_user("director", "POL", username="pol_colleague")
    make_user("partner", "POL", username="pol_partner")
    services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Send Poland's figures.",
        due_on=timezone.localdate() + dt.timedelta(days=3),
        owner_nation=owner.nation,
    )
    got = told("action_assigned")
    assert set(got) == {owner.username, colleague.username}
    # Directors read the action but do not edit it: they are sent to their nation's rows.
    assert got[owner.username][0][1] == reverse("boards:action-list") + "?nation=POL"


def test_only_a_new_owner_is_told_and_never_the_one_who_assigns(world, owner, other):
    action = services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Draft the terms of reference.",
        due_on=timezone.localdate() + dt.timedelta(days=20),
        owner_user=world.wg1_member,  # their own: nobody to tell
        owner_nation=owner.nation,
    )
    assert set(told("action_assigned")) == {owner.username}
    action = services.action_update(actor=world.secretariat, action=action, text="Draft the terms, v2.")
    action = services.action_update(actor=world.secretariat, action=action, owner_user=world.chair)
    assert set(told("action_assigned")) == {owner.username, world.chair.username}
    assert len(told("action_assigned")[owner.username]) == 1  # the nation did not change
    services.action_update(actor=world.secretariat, action=action, owner_nation=other.nation)
    assert {user: len(rows) for user, rows in told("action_assigned").items()} == {
        owner.username: 1,
        world.chair.username: 1,
        other.username: 1,
    }


def test_a_closed_action_given_to_someone_else_tells_nobody(world):
    action = services.action_create(
        actor=world.secretariat,
        body=world.wg1,
        text="Done already.",
        due_on=timezone.localdate(),
        owner_user=world.chair,
        status=ActionStatus.DONE,
    )
    services.action_update(actor=world.secretariat, action=action, owner_user=world.wg1_member)
    assert told("action_assigned") == {}


def test_an_overdue_action_is_reminded_once_to_its_owners(world, owner, other):
    today = timezone.localdate()
    late = services.action_create(
        actor=world.secretariat,
        body=world.wg1,
        text="Late returns.",
        due_on=today - dt.timedelta(days=2),
        owner_user=world.wg1_member,
        owner_nation=owner.nation,
    )
    due_today = services.action_create(  # not late yet
        actor=world.secretariat, body=world.wg1, text="Due today.", due_on=today, owner_user=world.wg1_member
    )
    services.action_create(  # done: never late
        actor=world.secretariat,
        body=world.wg1,
        text="Finished.",
        due_on=today - dt.timedelta(days=5),
        owner_user=world.wg1_member,
        status=ActionStatus.DONE,
    )
    notifications.send_reminders(today)
    notifications.send_reminders(today)  # a second run, or a run after a worker died, adds nothing
    expected = f"An action of WG1 was due on {date_format(late.due_on)} and is still open: Late returns."
    assert told("action_overdue") == {
        "w_wg1": [(expected, reverse("boards:action-edit", args=[late.pk]))],
        owner.username: [(expected, reverse("boards:action-list") + "?nation=POL")],
    }
    assert Notification.objects.get(recipient=owner, kind="action_overdue").actor is None
    # Given a later date and missed again, it is reminded again.
    services.action_update(actor=world.secretariat, action=late, due_on=today + dt.timedelta(days=5))
    notifications.send_reminders(today + dt.timedelta(days=9))
    notifications.send_reminders(today + dt.timedelta(days=9))
    again = Notification.objects.filter(kind="action_overdue", object_id=str(late.pk))
    assert sorted(again.values_list("recipient__username", flat=True)) == sorted(
        ["w_wg1", owner.username] * 2
    )
    # The action that was due on the first day is late by now, and reminded in its turn.
    assert Notification.objects.filter(kind="action_overdue", object_id=str(due_today.pk)).count() == 1


# --- Meetings and minutes ------------------------------------------------------------------------


def test_a_scheduled_meeting_tells_the_bodys_current_members_only(world, owner, make_user):
    former = make_user("board_member", None, username="former")
    seat = services.membership_add(actor=world.secretariat, body=world.wg1, user=former, from_date=START)
    services.membership_end(actor=world.secretariat, membership=seat, to_date=START + dt.timedelta(days=30))
    partner = make_user("partner", "UKR", username="ukr_partner")
    services.membership_add(
        actor=world.secretariat, body=world.wg1, user=partner, role=MemberRole.NIAG_OBSERVER, from_date=START
    )
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=5, title="Capacity returns")
    day = date_format(meeting_day(meeting))  # its day where it sits
    # The member who scheduled it is not told; a former member, another group's member, a
    # director and a partner (who may not see meetings) are not either.
    assert told("meeting_scheduled") == {
        world.chair.username: [
            (
                f"{name(world.wg1_member)} scheduled WG1: Capacity returns on {day}",
                reverse("boards:meeting-detail", args=[meeting.pk]),
            )
        ]
    }


def test_a_meeting_recorded_after_the_fact_tells_nobody(world):
    make_meeting(world.secretariat, world.wg1, days_from_now=-3)  # held
    assert told("meeting_scheduled") == {}


def _ics_parts(message) -> list[tuple[str, bytes]]:
    parsed = email.message_from_bytes(message.message().as_bytes())
    return [
        (part.get_filename(), part.get_payload(decode=True))
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    ]


def test_the_meeting_mail_carries_the_same_event_as_the_calendar(world, client, on_commit, settings):
    for user, address in [(world.chair, "chair@example.org"), (world.wg1_member, "wg1@example.org")]:
        user.email = address
        user.save()
    with on_commit(execute=True):
        meeting = make_meeting(world.secretariat, world.wg1, days_from_now=5, title="Capacity returns")
    assert sorted(m.to[0] for m in mail.outbox) == ["chair@example.org", "wg1@example.org"]
    [(filename, content)] = _ics_parts(mail.outbox[0])
    assert filename == f"meeting-{meeting.pk}.ics"
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["SUMMARY"]) == "WG1: Capacity returns"
    # The same UID as the meeting's own .ics download and the feeds: one event in a client.
    client.force_login(world.chair)
    download = client.get(reverse("boards:meeting-ics", args=[meeting.pk])).content
    [same] = icalendar.Calendar.from_ical(download).walk("VEVENT")
    host = urlsplit(settings.PORTAL_BASE_URL).hostname
    assert str(event["UID"]) == str(same["UID"]) == f"boards-meeting-{meeting.pk}@{host}"
    assert Notification.objects.filter(kind="meeting_scheduled", email_state="sent").count() == 2


def test_a_moved_meeting_tells_its_members_with_the_event_again(world):
    for user, address in [(world.chair, "chair@example.org"), (world.wg1_member, "wg1@example.org")]:
        user.email = address
        user.save()
    meeting = make_meeting(world.secretariat, world.wg1, days_from_now=5, title="Capacity returns")
    # A new title is not a move: the invitation still says when and where.
    meeting = services.meeting_update(actor=world.secretariat, meeting=meeting, title="Capacity")
    assert told("meeting_moved") == {}
    later = meeting.starts_at + dt.timedelta(days=2)
    notifications.send_pending()  # the invitations
    mail.outbox.clear()
    meeting = services.meeting_update(
        actor=world.wg1_member,
        meeting=meeting,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
        expected_version=meeting.version,
    )
    notifications.send_pending()  # what the mail job sends
    text = f"{name(world.wg1_member)} moved WG1: Capacity to {date_format(meeting_day(meeting))}"
    url = reverse("boards:meeting-detail", args=[meeting.pk])
    assert told("meeting_moved") == {world.chair.username: [(text, url)]}  # not the mover
    [message] = mail.outbox
    [(_, content)] = _ics_parts(message)
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("DTSTART") == later
    assert int(event["SEQUENCE"]) == meeting.version > 1  # a client replaces the one it holds


def test_a_cancelled_meeting_tells_its_members_and_the_event_says_cancelled(world):
    world.chair.email = "chair@example.org"
    world.chair.save()
    meeting = make_meeting(world.secretariat, world.wg1, days_from_now=5, title="Capacity returns")
    day = date_format(meeting_day(meeting))
    notifications.send_pending()
    mail.outbox.clear()
    meeting = services.meeting_update(
        actor=world.secretariat, meeting=meeting, status=MeetingStatus.CANCELLED
    )
    notifications.send_pending()
    notice = (
        f"{name(world.secretariat)} cancelled WG1: Capacity returns of {day}",
        reverse("boards:meeting-detail", args=[meeting.pk]),
    )
    assert told("meeting_cancelled") == {world.chair.username: [notice], world.wg1_member.username: [notice]}
    [(_, content)] = _ics_parts(mail.outbox[0])
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    # Reinstated, it is scheduled again (a second notice of that kind).
    services.meeting_update(actor=world.secretariat, meeting=meeting, status=MeetingStatus.PLANNED)
    assert len(told("meeting_scheduled")[world.chair.username]) == 2


def test_cancelling_or_moving_a_past_meeting_tells_nobody(world):
    held = make_meeting(world.secretariat, world.wg1, days_from_now=-3)
    services.meeting_update(actor=world.secretariat, meeting=held, status=MeetingStatus.CANCELLED)
    services.meeting_update(actor=world.secretariat, meeting=held, location="Mons")
    assert told("meeting_cancelled") == told("meeting_moved") == told("meeting_scheduled") == {}


def test_minutes_put_up_for_approval_tell_the_chair_and_secretary(world, make_user):
    secretary = make_user("board_member", None, username="wg1_secretary")
    services.membership_add(
        actor=world.secretariat, body=world.wg1, user=secretary, role=MemberRole.SECRETARY, from_date=START
    )
    held = make_meeting(world.secretariat, world.wg1, days_from_now=-10, title="Held")
    later = make_meeting(world.secretariat, world.wg1, days_from_now=-3, title="Later")
    minutes = services.minutes_draft(actor=secretary, meeting=held, text="We met.")
    url = reverse("boards:meeting-detail", args=[held.pk])
    # A plain member of the group, another group's member and the secretariat are not told; the
    # secretary drafted them.
    assert told("minutes_to_approve") == {
        world.chair.username: [
            (f"{name(secretary)} put version 1 of the minutes of WG1: Held up for approval", url)
        ]
    }
    minutes = services.minutes_approve(actor=world.chair, minutes=minutes, at_meeting=later)
    services.minutes_correct(actor=world.chair, minutes=minutes, text="We met twice.", reason="A typo.")
    assert told("minutes_to_approve")[secretary.username] == [
        (f"{name(world.chair)} put version 2 of the minutes of WG1: Held up for approval", url)
    ]
    assert len(told("minutes_to_approve")[world.chair.username]) == 1


# --- Recommendations -----------------------------------------------------------------------------


def test_cnads_decision_tells_the_body_and_the_secretariat(world, owner, make_user):
    colleague = make_user("secretariat", None, username="sec_colleague")
    make_user("partner", "UKR", username="ukr_partner")
    rec = services.recommendation_create(
        actor=world.wg1_member, body=world.wg1, title="Stockpile 155 mm", text="Raise stocks."
    )
    for step in (RecommendationState.ENDORSED, RecommendationState.SUBMITTED):
        rec = services.recommendation_move(actor=world.secretariat, recommendation=rec, to=step)
    assert told("recommendation_decided") == {}  # only CNAD's answer is news
    services.recommendation_move(actor=world.secretariat, recommendation=rec, to=RecommendationState.APPROVED)
    today = date_format(timezone.localdate())
    text = (
        f"{name(world.secretariat)} recorded CNAD's decision of {today} on Stockpile 155 mm: Approved by CNAD"
    )
    url = reverse("boards:recommendation-list") + "#state-approved"
    # Working group 1 (its member and its chair) and the rest of the secretariat; not the actor,
    # not working group 2, not a director (who reads it) nor a partner.
    assert told("recommendation_decided") == {
        world.wg1_member.username: [(text, url)],
        world.chair.username: [(text, url)],
        colleague.username: [(text, url)],
    }
    stored = Notification.objects.get(recipient=colleague)
    assert stored.params["decision"] == "approved"
    # The decision is stored as its value and named in the reader's language.
    with translation.override("fr"):
        assert notifications.render_text(stored).endswith("\u00a0: Approuvée par la CDNAA")
