"""The boards' calendars: feeds and downloads parse with ``icalendar`` (which nobody here wrote)
and hold what their reader may see; feed keys are secrets shown once, reset and revoked; the
approved minutes print as PDF with the meeting's classification on every page; and the deadline
selector gathers meetings, action due dates and risk reviews."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from boards import selectors, services
from boards.choices import MeetingStatus
from boards.models import CalendarFeed
from boards.tests.factories import make_meeting, make_risk, make_world
from pledges.tests.test_pdfs import assert_banner_once_per_page_edge, pdf_pages
from portal.models import ObjectChange

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(make_user):
    return make_world(make_user)


def parse(content: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(content)


def events(content: bytes) -> dict[str, icalendar.Event]:
    return {str(event["SUMMARY"]): event for event in parse(content).walk("VEVENT")}


def make_feed(client, user) -> str:
    """The user makes their feed on its page; the address is read off the page, as they would."""
    client.force_login(user)
    page = client.post(reverse("boards:calendar-feed"), {"action": "reset"}).content.decode()
    client.logout()
    return re.search(r'data-testid="feed-url">([^<]+)<', page).group(1)


def test_a_feed_parses_and_holds_the_meetings_its_user_may_see(client, world):
    brussels = make_meeting(
        world.wg1_member,
        world.wg1,
        days_from_now=10,
        title="Capacity; review, and plan",
        time_zone="Europe/Brussels",
        location="NATO HQ, Brussels",
    )
    make_meeting(world.wg2_member, world.wg2, days_from_now=10, title="Supply chains")
    cancelled = make_meeting(
        world.wg1_member, world.wg1, days_from_now=20, title="Dropped", virtual=True, location=""
    )
    services.meeting_update(actor=world.wg1_member, meeting=cancelled, status=MeetingStatus.CANCELLED)
    url = make_feed(client, world.wg1_member)

    response = client.get(url)  # no session: the key is the credential
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert b"\r\n" in response.content
    assert b"\n" not in response.content.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    found = events(response.content)
    assert set(found) == {"WG1: Capacity; review, and plan", "WG1: Dropped"}  # not working group 2's
    event = found["WG1: Capacity; review, and plan"]
    assert event.decoded("DTSTART") == brussels.starts_at
    assert event.decoded("DTEND") == brussels.ends_at
    assert str(event["LOCATION"]) == "NATO HQ, Brussels"
    assert str(event["UID"]).startswith(f"boards-meeting-{brussels.pk}@")
    assert "Europe/Brussels" in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(f"/boards/meetings/{brussels.pk}/")
    assert str(found["WG1: Dropped"]["STATUS"]) == "CANCELLED"
    assert int(found["WG1: Dropped"]["SEQUENCE"]) == 2  # the edit bumps it: clients replace their copy


def test_a_body_feed_holds_that_body_only_and_hides_bodies_the_user_may_not_see(client, world, owner):
    make_meeting(world.chair, world.board, days_from_now=5, title="Board")
    make_meeting(world.chair, world.wg1, days_from_now=5, title="Group")
    url = make_feed(client, world.chair)
    key = url.rsplit("/", 1)[1].removesuffix(".ics")
    board = client.get(reverse("boards:body-feed", kwargs={"key": key, "pk": world.board.pk}))
    assert set(events(board.content)) == {"DIPB: Board"}
    # The chair sees working group 2's body (bodies are public to readers) but none of its meetings.
    wg2 = client.get(reverse("boards:body-feed", kwargs={"key": key, "pk": world.wg2.pk}))
    assert wg2.status_code == 200
    assert events(wg2.content) == {}
    assert client.get(reverse("boards:body-feed", kwargs={"key": key, "pk": 999_999})).status_code == 404


def test_an_unknown_reset_or_revoked_key_answers_nothing(client, world):
    make_meeting(world.wg1_member, world.wg1, days_from_now=3)
    first = make_feed(client, world.wg1_member)
    assert client.get(first).status_code == 200
    second = make_feed(client, world.wg1_member)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert client.get(reverse("boards:feed", kwargs={"key": "x" * 43})).status_code == 404
    assert client.get(reverse("boards:feed", kwargs={"key": "short"})).status_code == 404
    client.force_login(world.wg1_member)
    client.post(reverse("boards:calendar-feed"), {"action": "revoke"})
    client.logout()
    assert client.get(second).status_code == 404
    assert not CalendarFeed.objects.exists()
    # The trail says a key was made and revoked, never any part of one.
    changes = ObjectChange.objects.filter(content_type__model="calendarfeed")
    assert changes.count() == 3 + 1  # two made, one replaced, one revoked
    key = second.rsplit("/", 1)[1].removesuffix(".ics")
    assert all(key[:8] not in repr((c.before, c.after, c.object_repr, c.message)) for c in changes)


def test_a_feed_follows_its_user_a_lost_seat_or_a_deactivated_account(client, world):
    make_meeting(world.wg1_member, world.wg1, days_from_now=3, title="Soon")
    url = make_feed(client, world.wg1_member)
    assert set(events(client.get(url).content)) == {"WG1: Soon"}
    seat = world.wg1.memberships.get(user=world.wg1_member)
    services.membership_end(actor=world.secretariat, membership=seat, to_date=TODAY - dt.timedelta(days=1))
    assert events(client.get(url).content) == {}
    world.wg1_member.is_active = False
    world.wg1_member.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_the_key_is_shown_once_and_partners_have_no_feed(client, world, make_user):
    client.force_login(world.wg1_member)
    made = client.post(reverse("boards:calendar-feed"), {"action": "reset"}).content.decode()
    url = re.search(r'data-testid="feed-url">([^<]+)<', made).group(1)
    again = client.get(reverse("boards:calendar-feed")).content.decode()
    assert url not in again
    assert 'data-testid="current-feed"' in again
    client.force_login(make_user("partner", "UKR"))
    assert client.get(reverse("boards:calendar-feed")).status_code == 403
    assert client.post(reverse("boards:calendar-feed"), {"action": "reset"}).status_code == 403


def test_downloads_parse_and_a_director_sees_the_boards_recorded_meetings_only(client, world, owner):
    held = make_meeting(world.chair, world.board, days_from_now=-10, title="Recorded")
    later = make_meeting(world.chair, world.board, days_from_now=-2, title="Later")
    make_meeting(world.chair, world.board, days_from_now=4, title="Future")
    minutes = services.minutes_draft(actor=world.chair, meeting=held, text="We met.")
    services.minutes_approve(actor=world.chair, minutes=minutes, at_meeting=later)
    client.force_login(owner)  # Poland's director
    response = client.get(reverse("boards:meetings-ics"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dipb-meetings.ics"'
    assert set(events(response.content)) == {"DIPB: Recorded"}
    one = client.get(reverse("boards:meeting-ics", args=[held.pk]))
    assert set(events(one.content)) == {"DIPB: Recorded"}
    assert client.get(reverse("boards:meeting-ics", args=[later.pk])).status_code == 404


def test_approved_minutes_print_with_the_banner_and_drafts_never(client, world):
    held = make_meeting(
        world.chair, world.board, days_from_now=-10, title="Inaugural", classification="NATO RESTRICTED"
    )
    later = make_meeting(world.chair, world.board, days_from_now=-2)
    text = "\n\n".join(f"Point {n}: the Board discussed production rates at length." for n in range(80))
    minutes = services.minutes_draft(actor=world.chair, meeting=held, text=text)
    client.force_login(world.chair)
    assert client.get(reverse("boards:minutes-pdf", args=[held.pk])).status_code == 404  # a draft
    services.minutes_approve(actor=world.chair, minutes=minutes, at_meeting=later)
    response = client.get(reverse("boards:minutes-pdf", args=[held.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pages = pdf_pages(response.content)
    assert len(pages) > 1
    assert_banner_once_per_page_edge(pages, "NATO RESTRICTED")
    assert "Minutes: Inaugural" in pages[0].text
    assert "Point 79" in pages[-1].text


def test_deadlines_gather_meetings_actions_and_risk_reviews_in_scope(world, django_assert_num_queries):
    make_meeting(world.wg1_member, world.wg1, days_from_now=5, title="Next")
    make_meeting(world.wg2_member, world.wg2, days_from_now=5, title="Other group")
    make_meeting(world.wg1_member, world.wg1, days_from_now=60, title="Too far")
    action = services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Late",
        due_on=TODAY - dt.timedelta(days=2),
        owner_user=world.chair,
    )
    risk = make_risk(world.wg2_member, world.wg2, review_on=TODAY + dt.timedelta(days=7))
    until = TODAY + dt.timedelta(days=30)
    with django_assert_num_queries(3):  # meetings, actions, risks (the seats are subqueries)
        rows = selectors.deadlines(user=world.wg1_member, until=until)
    assert [(row.kind, row.object.pk) for row in rows] == [
        ("action_due", action.pk),
        ("meeting", rows[1].object.pk),
        ("risk_review", risk.pk),
    ]
    assert rows[1].object.title == "Next"
    assert rows[0].url == reverse("boards:action-edit", args=[action.pk])
    everything = selectors.deadlines(user=world.secretariat, until=until)
    assert {row.kind for row in everything} == {"meeting", "action_due", "risk_review"}
    assert len([row for row in everything if row.kind == "meeting"]) == 2
