"""The boards' form pages as their users meet them: scheduling a meeting in its own time zone, the
agenda (a second reorder at once is a 409 that shows the order now), attendance, recommendations,
the risk register's forms (an out-of-range likelihood is a field message and saves nothing),
seats (a second, overlapping seat is refused on its dates), links to portal objects, stale
versions, junk input (never a 500) and French."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from boards import services
from boards.choices import MeetingStatus, MemberRole, RecommendationState
from boards.models import AgendaItem, Attendance, Link, Meeting, Membership, Recommendation, Risk
from boards.tests.factories import make_meeting, make_risk, make_world
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def world(make_user):
    return make_world(make_user)


def _meeting_data(**overrides) -> dict:
    return {
        "title": "Capacity sprint",
        "starts_at": "2031-06-10T10:00",
        "ends_at": "2031-06-10T12:30",
        "time_zone": "America/New_York",
        "location": "Norfolk, Virginia",
        **overrides,
    }


def _errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


def _changed(html: str) -> str:
    """What a 409 page says changed since the editor opened the form."""
    found = re.search(r'<p data-testid="conflict-fields">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


# --- Scheduling --------------------------------------------------------------------------------


def test_a_meeting_scheduled_in_its_zone_is_stored_in_utc_and_shown_in_that_zone(client, world):
    client.force_login(world.wg1_member)
    body_page = client.get(f"/boards/bodies/{world.wg1.pk}/").content.decode()
    assert f"/boards/bodies/{world.wg1.pk}/meetings/new/" in body_page
    response = client.post(f"/boards/bodies/{world.wg1.pk}/meetings/new/", _meeting_data())
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Capacity sprint")
    # 10:00 in New York in June (EDT, UTC-4) is 14:00 UTC.
    assert meeting.starts_at == dt.datetime(2031, 6, 10, 14, 0, tzinfo=UTC)
    assert meeting.ends_at == dt.datetime(2031, 6, 10, 16, 30, tzinfo=UTC)
    assert meeting.time_zone == "America/New_York"
    assert meeting.classification == "NATO UNCLASSIFIED"  # left empty: the default marking
    calendar = client.get("/boards/meetings/").content.decode()
    assert "Capacity sprint" in calendar
    assert 'datetime="2031-06-10T14:00:00+00:00"' in calendar  # the moment, for the reader's zone
    assert (
        "10 Jun 2031, 10:00 EDT \N{EN DASH} 12:30 (America/New_York)" in calendar
    )  # the meeting's own clock
    # The edit form gives the times back as the meeting's clocks show them.
    edit = client.get(f"/boards/meetings/{meeting.pk}/edit/").content.decode()
    assert 'value="2031-06-10T10:00"' in edit
    data = _meeting_data(classification="  NATO RESTRICTED ", version=meeting.version)
    assert client.post(f"/boards/meetings/{meeting.pk}/edit/", data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.classification == "NATO RESTRICTED"


def test_scheduling_is_offered_and_allowed_only_on_ones_own_bodies(client, world):
    client.force_login(world.wg2_member)
    assert (
        f"/boards/bodies/{world.wg1.pk}/meetings/new/"
        not in client.get(f"/boards/bodies/{world.wg1.pk}/").content.decode()
    )
    calendar = client.get("/boards/meetings/").content.decode()
    assert f"/boards/bodies/{world.wg2.pk}/meetings/new/" in calendar
    assert f"/boards/bodies/{world.wg1.pk}/meetings/new/" not in calendar
    assert client.get(f"/boards/bodies/{world.wg1.pk}/meetings/new/").status_code == 403
    assert client.post(f"/boards/bodies/{world.wg1.pk}/meetings/new/", _meeting_data()).status_code == 403
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        # Brussels moves its clocks from 02:00 to 03:00 on 30 March 2031.
        (
            {"starts_at": "2031-03-30T02:30", "ends_at": "2031-03-30T05:00", "time_zone": "Europe/Brussels"},
            "starts_at",
            "does not exist",
        ),
        ({"ends_at": "2031-06-10T09:00"}, "ends_at", "ends after it starts"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "valid choice"),
        ({"starts_at": "9999-12-31T23:59"}, "starts_at", "Give a year"),
        ({"starts_at": "tomorrow"}, "starts_at", "valid date/time"),
        ({"location": "", "virtual": ""}, "location", "mark the meeting virtual"),
    ],
)
def test_a_bad_meeting_is_a_field_message_and_nothing_is_saved(client, world, overrides, field, message):
    client.force_login(world.wg1_member)
    response = client.post(f"/boards/bodies/{world.wg1.pk}/meetings/new/", _meeting_data(**overrides))
    assert response.status_code == 400
    assert any(message in error for error in _errors(response, field)), response.context["form"].errors
    assert not Meeting.objects.exists()


def test_a_virtual_meeting_needs_only_its_link(client, world):
    client.force_login(world.wg1_member)
    data = _meeting_data(virtual="on", location="https://meet.example.int/wg1")
    assert client.post(f"/boards/bodies/{world.wg1.pk}/meetings/new/", data).status_code == 302
    assert Meeting.objects.get().virtual


def test_a_stale_meeting_edit_is_a_409_naming_what_changed_and_who(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=10)
    services.meeting_update(actor=world.chair, meeting=meeting, title="Renamed by the chair")
    client.force_login(world.wg1_member)
    data = _meeting_data(title="My title", version="1", time_zone="Europe/Brussels")
    response = client.post(f"/boards/meetings/{meeting.pk}/edit/", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert "Title" in _changed(html)
    assert "w_chair" in _changed(html)
    meeting.refresh_from_db()
    assert meeting.title == "Renamed by the chair"


def test_a_meeting_is_marked_held_then_cancelled_from_its_page(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=3)
    client.force_login(world.wg1_member)
    page = client.get(f"/boards/meetings/{meeting.pk}/").content.decode()
    assert "Mark held" in page
    assert "Cancel the meeting" in page
    url = f"/boards/meetings/{meeting.pk}/status/"
    assert client.post(url, {"status": "held", "version": "1"}).status_code == 302
    assert client.post(url, {"status": "cancelled", "version": "2"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert client.post(url, {"status": "adjourned", "version": "3"}).status_code == 400
    # Another body's member does not see the meeting at all.
    client.force_login(world.wg2_member)
    assert client.post(url, {"status": "held", "version": "3"}).status_code == 404


# --- The agenda --------------------------------------------------------------------------------


def _agenda(meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("position").values_list("title", flat=True))


def test_the_agenda_is_built_edited_and_trimmed_from_the_meeting_page(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=5)
    client.force_login(world.wg1_member)
    for title in ("Opening", "Capacity", "Any other business"):
        response = client.post(
            f"/boards/meetings/{meeting.pk}/agenda/new/", {"title": title, "presenter": world.chair.pk}
        )
        assert response.status_code == 302
    assert _agenda(meeting) == ["Opening", "Capacity", "Any other business"]
    item = AgendaItem.objects.get(title="Capacity")
    response = client.post(f"/boards/agenda/{item.pk}/edit/", {"title": "Capacity ramp-up", "notes": "WG1"})
    assert response.status_code == 302
    page = client.get(f"/boards/meetings/{meeting.pk}/").content.decode()
    assert "Capacity ramp-up" in page
    assert "Move up" in page
    assert "Move down" in page
    meeting.refresh_from_db()
    response = client.post(f"/boards/agenda/{item.pk}/remove/", {"agenda_version": meeting.agenda_version})
    assert response.status_code == 302
    assert _agenda(meeting) == ["Opening", "Any other business"]
    # Someone outside the body presents nothing: the presenter must sit on it.
    response = client.post(
        f"/boards/meetings/{meeting.pk}/agenda/new/", {"title": "X", "presenter": world.wg2_member.pk}
    )
    assert response.status_code == 400
    assert _errors(response, "presenter")


def test_two_reorders_at_once_the_second_is_a_409_showing_the_order_now(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=5)
    first, _second, third = (
        services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title=title)
        for title in ("Opening", "Capacity", "Closing")
    )
    meeting.refresh_from_db()
    seen = meeting.agenda_version  # both editors opened the page at this version
    url = f"/boards/meetings/{meeting.pk}/agenda/reorder/"
    client.force_login(world.chair)
    moved = client.post(url, {"item": third.pk, "direction": "up", "agenda_version": seen})
    assert moved.status_code == 302
    assert _agenda(meeting) == ["Opening", "Closing", "Capacity"]
    client.force_login(world.wg1_member)
    late = client.post(url, {"item": first.pk, "direction": "down", "agenda_version": seen})
    assert late.status_code == 409
    html = late.content.decode()
    assert "Someone changed this agenda since you opened it" in html
    assert html.index("Closing") < html.index("Capacity")  # the order the first editor saved
    assert _agenda(meeting) == ["Opening", "Closing", "Capacity"]  # nothing moved
    # The 409 page offers the moves again, from the agenda's current version.
    meeting.refresh_from_db()
    assert f'name="agenda_version" value="{meeting.agenda_version}"' in html
    again = client.post(
        url, {"item": first.pk, "direction": "down", "agenda_version": meeting.agenda_version}
    )
    assert again.status_code == 302
    assert _agenda(meeting) == ["Closing", "Opening", "Capacity"]


def test_a_reorder_naming_no_item_of_the_agenda_is_refused(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=5)
    services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title="Only")
    meeting.refresh_from_db()
    client.force_login(world.wg1_member)
    url = f"/boards/meetings/{meeting.pk}/agenda/reorder/"
    response = client.post(url, {"item": 999999, "direction": "up", "agenda_version": meeting.agenda_version})
    assert response.status_code == 400
    assert client.post(url, {"item": "x", "direction": "sideways"}).status_code == 400


# --- Attendance --------------------------------------------------------------------------------


def test_attendance_is_recorded_for_the_bodys_members(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=-1)
    client.force_login(world.wg1_member)
    page = client.get(f"/boards/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="attendance-form"' in page
    assert f'name="presence_{world.chair.pk}"' in page
    assert f'name="presence_{world.wg2_member.pk}"' not in page  # not a member of working group 1
    url = f"/boards/meetings/{meeting.pk}/attendance/"
    response = client.post(
        url, {f"presence_{world.chair.pk}": "present", f"presence_{world.wg1_member.pk}": "remote"}
    )
    assert response.status_code == 302
    marks = dict(Attendance.objects.filter(meeting=meeting).values_list("user__username", "presence"))
    assert marks == {"w_chair": "present", "w_wg1": "remote"}
    assert "Present remotely" in client.get(f"/boards/meetings/{meeting.pk}/").content.decode()
    # Changing one mark leaves the other as it was; nothing marked at all is a message.
    assert client.post(url, {f"presence_{world.chair.pk}": "apologies"}).status_code == 302
    assert Attendance.objects.get(meeting=meeting, user=world.chair).presence == "apologies"
    assert Attendance.objects.get(meeting=meeting, user=world.wg1_member).presence == "remote"
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {f"presence_{world.chair.pk}": "asleep"}).status_code == 400


# --- Recommendations ---------------------------------------------------------------------------


def test_a_recommendation_is_drafted_from_the_working_groups_page_and_edited_while_a_draft(client, world):
    client.force_login(world.wg1_member)
    assert (
        f"/boards/bodies/{world.wg1.pk}/recommendations/new/"
        in client.get(f"/boards/bodies/{world.wg1.pk}/").content.decode()
    )
    board = client.get("/boards/recommendations/").content.decode()
    assert f"/boards/bodies/{world.wg1.pk}/recommendations/new/" in board
    assert f"/boards/bodies/{world.wg2.pk}/recommendations/new/" not in board
    response = client.post(
        f"/boards/bodies/{world.wg1.pk}/recommendations/new/",
        {"title": "Multi-year 155 mm orders", "text": "CNAD should encourage multi-year orders."},
    )
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert (rec.body, rec.state) == (world.wg1, RecommendationState.DRAFTED)
    assert "Multi-year 155 mm orders" in client.get("/boards/recommendations/").content.decode()
    edit = f"/boards/recommendations/{rec.pk}/edit/"
    assert (
        client.post(edit, {"title": "Multi-year orders", "text": "Edited.", "version": "1"}).status_code
        == 302
    )
    services.recommendation_move(actor=world.chair, recommendation=rec, to="endorsed")
    frozen = client.post(edit, {"title": "Too late", "text": "Edited.", "version": "3"})
    assert frozen.status_code == 409
    assert "only a draft is edited" in frozen.content.decode()
    rec.refresh_from_db()
    assert rec.title == "Multi-year orders"
    # Not a member of working group 1: refused before anything is drafted.
    client.force_login(world.wg2_member)
    refused = client.post(f"/boards/bodies/{world.wg1.pk}/recommendations/new/", {"title": "T", "text": "x"})
    assert refused.status_code == 403
    assert Recommendation.objects.count() == 1


# --- The risk register -------------------------------------------------------------------------


def _risk_data(world, **overrides) -> dict:
    return {
        "body": world.wg2.pk,
        "title": "Single TNT plant",
        "tier": "tier_2",
        "supplier": "Nitro-Chem",
        "supplier_country": "pol",
        "risk_type": "single_source",
        "likelihood": "4",
        "impact": "5",
        "status": "open",
        "review_on": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        **overrides,
    }


@pytest.mark.parametrize("likelihood", ["0", "6", "-1", "3.5", "99999999999999999999"])
def test_a_likelihood_outside_one_to_five_is_a_field_message_and_nothing_is_saved(client, world, likelihood):
    client.force_login(world.wg2_member)
    response = client.post("/boards/risks/new/", _risk_data(world, likelihood=likelihood))
    assert response.status_code == 400
    assert _errors(response, "likelihood") == ["Give a whole number from 1 to 5."]
    assert not Risk.objects.exists()


def test_a_risk_is_recorded_shown_with_its_history_and_edited(client, world):
    client.force_login(world.wg2_member)
    form = client.get("/boards/risks/new/").content.decode()
    assert 'name="sensitive"' in form  # the register's members may mark a risk sensitive
    response = client.post("/boards/risks/new/", _risk_data(world, sensitive="on"))
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert response.url == f"/boards/risks/{risk.pk}/"
    assert (risk.supplier_country, risk.score, risk.sensitive) == ("POL", 20, True)
    page = client.get(response.url).content.decode()
    assert 'data-testid="score">20<' in page
    assert 'data-testid="history"' in page
    assert 'title="create">Created<' in page  # the action in words, its stored name on hover
    edit = client.post(
        f"/boards/risks/{risk.pk}/edit/",
        _risk_data(world, impact="2", version="1", mitigation="Second source in Norway"),
    )
    assert edit.status_code == 302
    risk.refresh_from_db()
    assert (risk.score, risk.version, risk.sensitive) == (8, 2, False)
    stale = client.post(f"/boards/risks/{risk.pk}/edit/", _risk_data(world, impact="1", version="1"))
    assert stale.status_code == 409
    changed = _changed(stale.content.decode())
    assert "Impact" in changed
    assert "Mitigation" in changed
    assert "w_wg2" in changed
    # A member of working group 1 keeps no register: no button, and a 403.
    client.force_login(world.wg1_member)
    assert "/boards/risks/new/" not in client.get("/boards/risks/").content.decode()
    assert client.get("/boards/risks/new/").status_code == 403
    assert client.get(f"/boards/risks/{risk.pk}/").status_code == 200  # not sensitive any more


def test_a_sensitive_risk_is_a_404_to_readers_outside_the_register(client, world):
    risk = make_risk(world.wg2_member, world.wg2, sensitive=True)
    client.force_login(world.wg1_member)
    assert client.get(f"/boards/risks/{risk.pk}/").status_code == 404
    assert client.get(f"/boards/risks/{risk.pk}/edit/").status_code == 404


# --- Seats -------------------------------------------------------------------------------------


def test_a_second_overlapping_seat_is_refused_on_its_dates(client, world):
    client.force_login(world.secretariat)
    assert "Seat a member" in client.get(f"/boards/bodies/{world.wg1.pk}/").content.decode()
    url = f"/boards/bodies/{world.wg1.pk}/members/new/"
    response = client.post(url, {"user": world.wg1_member.pk, "role": "member", "from_date": "2024-06-01"})
    assert response.status_code == 400
    assert any("already sits on" in error for error in _errors(response, "from_date"))
    assert Membership.objects.filter(body=world.wg1, user=world.wg1_member).count() == 1
    # The wrong way round is refused on the end date; someone new is seated.
    backwards = client.post(
        url,
        {"user": world.wg2_member.pk, "role": "member", "from_date": "2024-06-01", "to_date": "2024-01-01"},
    )
    assert backwards.status_code == 400
    assert _errors(backwards, "to_date")
    seated = client.post(
        url, {"user": world.wg2_member.pk, "role": "niag_observer", "from_date": "2024-06-01"}
    )
    assert seated.status_code == 302
    seat = Membership.objects.get(body=world.wg1, user=world.wg2_member)
    assert seat.role == MemberRole.NIAG_OBSERVER
    ended = client.post(f"/boards/memberships/{seat.pk}/end/", {"to_date": "2024-12-31"})
    assert ended.status_code == 302
    seat.refresh_from_db()
    assert seat.to_date == dt.date(2024, 12, 31)
    # Board members do not manage seats.
    client.force_login(world.chair)
    assert client.get(url).status_code == 403
    assert client.post(f"/boards/memberships/{seat.pk}/end/", {"to_date": "2025-01-01"}).status_code == 403


# --- Links -------------------------------------------------------------------------------------


def test_a_link_is_added_to_an_agenda_item_and_to_an_action_and_removed(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=5)
    item = services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title="Energetics")
    risk = make_risk(world.wg2_member, world.wg2, title="Nitrocellulose bottleneck")
    hidden = make_risk(world.wg2_member, world.wg2, title="Secret supplier", sensitive=True)
    client.force_login(world.wg1_member)
    url = f"/boards/agenda/{item.pk}/links/new/"
    assert client.post(url, {"kind": "boards.risk", "reference": str(risk.pk)}).status_code == 302
    link = Link.objects.get()
    page = client.get(f"/boards/meetings/{meeting.pk}/").content.decode()
    assert f'href="/boards/risks/{risk.pk}/">Nitrocellulose bottleneck</a>' in page
    # A sensitive risk of another body is nothing this reader may see: a field message.
    refused = client.post(url, {"kind": "boards.risk", "reference": str(hidden.pk)})
    assert refused.status_code == 400
    assert _errors(refused, "reference") == ["Nothing of this kind that you may see has this reference."]
    twice = client.post(url, {"kind": "boards.risk", "reference": str(risk.pk)})
    assert twice.status_code == 400
    assert "exists already" in twice.content.decode()
    assert client.post(f"/boards/links/{link.pk}/remove/").status_code == 302
    assert not Link.objects.exists()
    assert "Nitrocellulose bottleneck" not in client.get(f"/boards/meetings/{meeting.pk}/").content.decode()
    # An action links to an item by its code, shown on the action's edit page.
    shell = ItemFactory(code="x-155-he", name="155 mm HE round")
    action = services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Survey 155 mm capacity",
        due_on=timezone.localdate() + dt.timedelta(days=30),
        owner_user=world.chair,
    )
    added = client.post(
        f"/boards/actions/{action.pk}/links/new/", {"kind": "procurement.item", "reference": "x-155-he"}
    )
    assert added.status_code == 302
    assert Link.objects.get().target_id == shell.pk
    assert "155 mm HE round" in client.get(f"/boards/actions/{action.pk}/edit/").content.decode()
    # Another body's member neither sees nor removes it.
    client.force_login(world.wg2_member)
    assert client.post(f"/boards/links/{Link.objects.get().pk}/remove/").status_code == 404
    assert Link.objects.exists()


# --- Junk input --------------------------------------------------------------------------------

JUNK = [
    {},
    {"title": "\x00", "starts_at": "\x00", "time_zone": "\x00", "version": "\x00"},
    {"item": "99999999999999999999999", "direction": "up", "agenda_version": "-5"},
    {"item": "١٢", "agenda_version": "٣", "version": "9" * 40, "likelihood": "٣"},
    {"user": "0", "from_date": "2024-02-30", "to_date": "99999-01-01", "role": "king"},
    {"kind": "portal.user", "reference": "1"},
    {"kind": "boards.risk", "reference": "9" * 30},
    {"kind": "procurement.item", "reference": "²"},
    {"presence_0": "present", "frameworks": ["x", "99999999999999999999"], "dependent_items": "-1"},
    {"status": ["held", "cancelled"], "version": ["1", "2"], "starts_at": "2031-13-45T25:61"},
]


def test_junk_never_breaks_a_form_page(client, world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=5)
    item = services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title="Item")
    risk = make_risk(world.wg2_member, world.wg2)
    rec = services.recommendation_create(actor=world.wg1_member, body=world.wg1, title="T", text="t")
    action = services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="A",
        due_on=timezone.localdate() + dt.timedelta(days=9),
        owner_user=world.chair,
    )
    seat = Membership.objects.filter(body=world.wg1).first()
    urls = [
        f"/boards/bodies/{world.wg1.pk}/meetings/new/",
        f"/boards/meetings/{meeting.pk}/edit/",
        f"/boards/meetings/{meeting.pk}/status/",
        f"/boards/meetings/{meeting.pk}/agenda/new/",
        f"/boards/meetings/{meeting.pk}/agenda/reorder/",
        f"/boards/meetings/{meeting.pk}/attendance/",
        f"/boards/agenda/{item.pk}/edit/",
        f"/boards/agenda/{item.pk}/remove/",
        f"/boards/agenda/{item.pk}/links/new/",
        f"/boards/actions/{action.pk}/links/new/",
        f"/boards/bodies/{world.wg1.pk}/recommendations/new/",
        f"/boards/recommendations/{rec.pk}/edit/",
        "/boards/risks/new/",
        f"/boards/risks/{risk.pk}/edit/",
        f"/boards/bodies/{world.wg1.pk}/members/new/",
        f"/boards/memberships/{seat.pk}/end/",
    ]
    failures = []
    for user in (world.secretariat, world.wg1_member, world.wg2_member):
        client.force_login(user)
        for url in urls:
            for data in JUNK:
                status = client.post(url, data).status_code
                if status >= 500 or status in (200, 302):
                    failures.append(f"{user} {url} {data}: {status}")
    assert failures == []
    assert AgendaItem.objects.count() == 1
    assert Link.objects.count() == 0


# --- French ------------------------------------------------------------------------------------


def test_the_scheduling_form_speaks_french(client, world):
    client.force_login(world.wg1_member)
    page = client.get(f"/boards/bodies/{world.wg1.pk}/meetings/new/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert "Planifier une réunion de l\N{RIGHT SINGLE QUOTATION MARK}organe « Working group 1 »" in html
    assert "Fuseau horaire" in html
    assert "Lieu, ou lien pour se connecter" in html
    assert "Réunion virtuelle" in html
    bad = client.post(
        f"/boards/bodies/{world.wg1.pk}/meetings/new/",
        _meeting_data(ends_at="2031-06-10T09:00"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Une réunion se termine après son début." in bad.content.decode()
