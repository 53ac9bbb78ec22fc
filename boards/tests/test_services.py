"""Every rule and transition of the boards services (issue 13, "Model and workflow" and "Bad
input"): each refusal is a field message or a 409/403 naming why, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from boards import services
from boards.choices import ActionStatus, BodyKind, MinutesState, Presence, RecommendationState
from boards.models import ActionItem, AgendaItem, Membership, Minutes, Recommendation, Risk
from boards.tests.factories import START, make_meeting, make_risk, make_world
from portal.exceptions import Conflict, Forbidden, NotFound
from portal.models import JobRun, Nation, ObjectChange
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(make_user):
    return make_world(make_user)


def messages(error: ValidationError) -> dict:
    return error.message_dict


# --- Bodies and seats --------------------------------------------------------------------------


def test_a_working_group_reports_to_the_board_and_the_board_to_no_body(world):
    with pytest.raises(ValidationError) as error:
        services.body_create(
            actor=world.secretariat,
            code="wg9",
            kind=BodyKind.WORKING_GROUP,
            name="WG 9",
            mandate="x",
            starts_on=START,
        )
    assert "parent" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        services.body_create(
            actor=world.secretariat,
            code="b2",
            kind=BodyKind.BOARD,
            name="B2",
            mandate="x",
            starts_on=START,
            parent=world.board,
        )
    assert "parent" in messages(error.value)


def test_only_the_secretariat_manages_bodies_and_seats(world):
    with pytest.raises(Forbidden):
        services.body_create(
            actor=world.chair, code="wg4", kind=BodyKind.WORKING_GROUP, name="x", mandate="x", starts_on=START
        )
    with pytest.raises(Forbidden):
        services.membership_add(actor=world.chair, body=world.wg1, user=world.wg2_member)


def test_a_member_added_twice_for_overlapping_dates_is_refused(world, make_user):
    user = make_user("board_member", None, username="twice")
    services.membership_add(
        actor=world.secretariat,
        body=world.wg1,
        user=user,
        from_date=dt.date(2024, 1, 1),
        to_date=dt.date(2024, 6, 30),
    )
    with pytest.raises(ValidationError) as error:
        services.membership_add(
            actor=world.secretariat, body=world.wg1, user=user, from_date=dt.date(2024, 6, 30)
        )
    assert "1 Jan 2024 to 30 Jun 2024" in messages(error.value)["from_date"][0]
    assert Membership.objects.filter(body=world.wg1, user=user).count() == 1
    # The next day is a new seat; so is a seat on another body at the same time.
    services.membership_add(actor=world.secretariat, body=world.wg1, user=user, from_date=dt.date(2024, 7, 1))
    services.membership_add(actor=world.secretariat, body=world.wg2, user=user, from_date=dt.date(2024, 1, 1))
    assert Membership.objects.filter(user=user).count() == 3


def test_a_seat_ends_no_earlier_than_it_starts(world):
    seat = Membership.objects.get(body=world.wg1, user=world.wg1_member)
    with pytest.raises(ValidationError):
        services.membership_end(
            actor=world.secretariat, membership=seat, to_date=START - dt.timedelta(days=1)
        )
    ended = services.membership_end(
        actor=world.secretariat, membership=seat, to_date=TODAY - dt.timedelta(days=1)
    )
    assert ended.to_date == TODAY - dt.timedelta(days=1)


# --- Meetings and the agenda ------------------------------------------------------------------


def test_a_meeting_needs_a_place_or_to_be_virtual_and_a_real_time_zone(world):
    with pytest.raises(ValidationError) as error:
        make_meeting(world.wg1_member, world.wg1, location="")
    assert "location" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        make_meeting(world.wg1_member, world.wg1, time_zone="Mars/Olympus")
    assert "time_zone" in messages(error.value)
    assert make_meeting(world.wg1_member, world.wg1, location="", virtual=True).virtual


def test_a_member_schedules_their_own_groups_meetings_only(world):
    make_meeting(world.wg1_member, world.wg1)
    with pytest.raises(Forbidden):
        make_meeting(world.wg1_member, world.wg2)


def test_agenda_items_take_the_next_position_and_reorder(world):
    meeting = make_meeting(world.wg1_member, world.wg1)
    items = [services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title=t) for t in "ABC"]
    assert [i.position for i in items] == [1, 2, 3]
    meeting.refresh_from_db()
    version = meeting.agenda_version
    services.agenda_reorder(
        actor=world.wg1_member,
        meeting=meeting,
        order=[items[2].pk, items[0].pk, items[1].pk],
        expected_agenda_version=version,
    )
    assert list(meeting.agenda_items.order_by("position").values_list("title", flat=True)) == ["C", "A", "B"]
    assert ObjectChange.objects.filter(action="agenda.reordered", object_id=str(meeting.pk)).count() == 1


def test_the_second_of_two_reorders_gets_a_409_with_the_order_now(world):
    meeting = make_meeting(world.wg1_member, world.wg1)
    a, b = (services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title=t) for t in "AB")
    meeting.refresh_from_db()
    opened = meeting.agenda_version
    services.agenda_reorder(
        actor=world.chair, meeting=meeting, order=[b.pk, a.pk], expected_agenda_version=opened
    )
    with pytest.raises(Conflict) as error:
        services.agenda_reorder(
            actor=world.wg1_member, meeting=meeting, order=[a.pk, b.pk], expected_agenda_version=opened
        )
    assert [row["title"] for row in error.value.detail["agenda"]] == ["B", "A"]
    assert error.value.detail["current_agenda_version"] == opened + 1


def test_a_reorder_names_every_item_once(world):
    meeting = make_meeting(world.wg1_member, world.wg1)
    a, _b = (services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title=t) for t in "AB")
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.agenda_reorder(
            actor=world.wg1_member,
            meeting=meeting,
            order=[a.pk, a.pk],
            expected_agenda_version=meeting.agenda_version,
        )
    assert "order" in messages(error.value)


def test_removing_an_item_closes_the_gap(world):
    meeting = make_meeting(world.wg1_member, world.wg1)
    _a, b, _c = (services.agenda_item_add(actor=world.wg1_member, meeting=meeting, title=t) for t in "ABC")
    services.agenda_item_remove(actor=world.wg1_member, item=b)
    assert list(
        AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("title", "position")
    ) == [
        ("A", 1),
        ("C", 2),
    ]


def test_attendance_is_recorded_once_per_person_and_can_change(world):
    meeting = make_meeting(world.wg1_member, world.wg1)
    services.attendance_record(
        actor=world.wg1_member, meeting=meeting, user=world.chair, presence=Presence.APOLOGIES
    )
    row = services.attendance_record(
        actor=world.wg1_member, meeting=meeting, user=world.chair, presence=Presence.PRESENT
    )
    assert row.presence == Presence.PRESENT
    assert meeting.attendance.count() == 1


# --- Minutes -----------------------------------------------------------------------------------


@pytest.fixture
def two_meetings(world):
    first = make_meeting(world.wg1_member, world.wg1, days_from_now=-30)
    second = make_meeting(world.wg1_member, world.wg1, days_from_now=-2)
    return first, second


def test_minutes_are_drafted_once_the_meeting_has_begun(world):
    later = make_meeting(world.wg1_member, world.wg1, days_from_now=5)
    with pytest.raises(ValidationError) as error:
        services.minutes_draft(actor=world.wg1_member, meeting=later, text="Too early")
    assert "text" in messages(error.value)


def test_minutes_are_approved_at_a_later_meeting_of_the_same_body(world, two_meetings):
    first, second = two_meetings
    minutes = services.minutes_draft(actor=world.wg1_member, meeting=first, text="Draft")
    minutes = services.minutes_update(actor=world.wg1_member, minutes=minutes, text="Draft, edited")
    with pytest.raises(ValidationError) as error:
        services.minutes_approve(actor=world.chair, minutes=minutes, at_meeting=first)
    assert "later meeting" in messages(error.value)["at_meeting"][0]
    other_body = make_meeting(world.secretariat, world.board, days_from_now=-1)
    with pytest.raises(ValidationError) as error:
        services.minutes_approve(actor=world.secretariat, minutes=minutes, at_meeting=other_body)
    assert "same body" in messages(error.value)["at_meeting"][0]
    approved = services.minutes_approve(actor=world.chair, minutes=minutes, at_meeting=second)
    assert (approved.state, approved.approved_at_meeting, approved.approved_by) == (
        MinutesState.APPROVED,
        second,
        world.chair,
    )
    assert ObjectChange.objects.filter(action="minutes.approved", object_id=str(minutes.pk)).exists()


def test_a_plain_member_may_not_approve_minutes(world, two_meetings):
    first, second = two_meetings
    minutes = services.minutes_draft(actor=world.wg1_member, meeting=first, text="Draft")
    with pytest.raises(Forbidden):
        services.minutes_approve(actor=world.wg1_member, minutes=minutes, at_meeting=second)


def test_approved_minutes_are_frozen_and_corrected_by_a_new_version(world, two_meetings):
    first, second = two_meetings
    minutes = services.minutes_draft(actor=world.wg1_member, meeting=first, text="Original")
    services.minutes_approve(actor=world.chair, minutes=minutes, at_meeting=second)
    minutes.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.minutes_update(actor=world.wg1_member, minutes=minutes, text="Rewritten")
    assert "propose a correction" in messages(error.value)["text"][0]
    with pytest.raises(ValidationError):
        services.minutes_draft(actor=world.wg1_member, meeting=first, text="Again")
    with pytest.raises(Conflict):
        services.minutes_approve(actor=world.chair, minutes=minutes, at_meeting=second)
    with pytest.raises(ValidationError) as error:
        services.minutes_correct(actor=world.wg1_member, minutes=minutes, text="Corrected", reason=" ")
    assert "reason" in messages(error.value)
    correction = services.minutes_correct(
        actor=world.wg1_member, minutes=minutes, text="Corrected", reason="A name was misspelt."
    )
    assert (correction.number, correction.corrects, correction.state) == (2, minutes, MinutesState.DRAFT)
    minutes.refresh_from_db()
    assert minutes.text == "Original"  # the approved record is untouched
    with pytest.raises(Conflict):
        services.minutes_correct(actor=world.wg1_member, minutes=minutes, text="Another", reason="Twice")
    services.minutes_approve(actor=world.chair, minutes=correction, at_meeting=second)
    assert list(Minutes.objects.filter(meeting=first).values_list("number", "state")) == [
        (1, "approved"),
        (2, "approved"),
    ]
    assert ObjectChange.objects.filter(action="minutes.corrected", object_id=str(correction.pk)).exists()


# --- Actions -----------------------------------------------------------------------------------


def test_an_action_due_before_its_meeting_is_refused(world):
    meeting = make_meeting(world.wg1_member, world.wg1, days_from_now=-3)
    with pytest.raises(ValidationError) as error:
        services.action_create(
            actor=world.wg1_member,
            body=world.wg1,
            meeting=meeting,
            text="Too early",
            due_on=meeting.starts_at.date() - dt.timedelta(days=1),
            owner_user=world.wg1_member,
        )
    assert "due_on" in messages(error.value)
    assert not ActionItem.objects.exists()


def test_an_action_needs_an_owner_a_person_or_a_nation(world):
    with pytest.raises(ValidationError) as error:
        services.action_create(actor=world.wg1_member, body=world.wg1, text="Nobody's", due_on=TODAY)
    assert "owner_user" in messages(error.value)
    owned = services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Poland's",
        due_on=TODAY,
        owner_nation=Nation.objects.get(code="POL"),
    )
    assert owned.owner_nation.code == "POL"


def test_the_daily_job_flags_overdue_actions_once_and_records_a_job_run(world):
    from boards.tasks import flag_overdue_actions

    late = services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Late",
        due_on=TODAY - dt.timedelta(days=2),
        owner_user=world.wg1_member,
    )
    services.action_create(
        actor=world.wg1_member, body=world.wg1, text="On time", due_on=TODAY, owner_user=world.wg1_member
    )
    flag_overdue_actions.apply().get()
    flag_overdue_actions.apply().get()
    late.refresh_from_db()
    assert late.overdue_since == TODAY
    assert ObjectChange.objects.filter(action="action.overdue").count() == 1
    runs = JobRun.objects.filter(job_name="boards.tasks.flag_overdue_actions").order_by("pk")
    assert [run.result for run in runs] == [{"flagged_overdue": 1}, {"flagged_overdue": 0}]
    # Done, it is no longer overdue; the mark goes so a later slip is flagged afresh.
    done = services.action_update(actor=world.wg1_member, action=late, status=ActionStatus.DONE)
    assert done.overdue_since is None


def test_a_stale_action_edit_gets_a_409_naming_the_change(world):
    action = services.action_create(
        actor=world.wg1_member, body=world.wg1, text="Edit me", due_on=TODAY, owner_user=world.wg1_member
    )
    services.action_update(
        actor=world.chair, action=action, expected_version=1, status=ActionStatus.IN_PROGRESS
    )
    with pytest.raises(Conflict) as error:
        services.action_update(actor=world.wg1_member, action=action, expected_version=1, text="Mine")
    assert error.value.detail["changed_fields"] == ["status"]


# --- Recommendations ---------------------------------------------------------------------------


def test_a_recommendation_goes_from_the_working_group_to_cnad(world):
    rec = services.recommendation_create(
        actor=world.wg1_member, body=world.wg1, title="Capacity view", text="..."
    )
    rec = services.recommendation_move(actor=world.chair, recommendation=rec, to=RecommendationState.ENDORSED)
    rec = services.recommendation_move(
        actor=world.secretariat, recommendation=rec, to=RecommendationState.SUBMITTED
    )
    with pytest.raises(ValidationError) as error:
        services.recommendation_move(
            actor=world.secretariat, recommendation=rec, to=RecommendationState.RETURNED
        )
    assert "note" in messages(error.value)
    rec = services.recommendation_move(
        actor=world.secretariat, recommendation=rec, to=RecommendationState.APPROVED, note="Approved at CNAD."
    )
    assert (rec.state, rec.decided_on, rec.decision_note) == ("approved", TODAY, "Approved at CNAD.")
    events = list(
        ObjectChange.objects.filter(object_id=str(rec.pk), content_type__model="recommendation")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert events == [
        "create",
        "recommendation.endorsed",
        "recommendation.submitted",
        "recommendation.approved",
    ]


def test_a_wrong_transition_is_a_409_naming_the_state(world):
    rec = services.recommendation_create(actor=world.wg1_member, body=world.wg1, title="T", text="...")
    with pytest.raises(Conflict) as error:
        services.recommendation_move(
            actor=world.secretariat, recommendation=rec, to=RecommendationState.SUBMITTED
        )
    assert error.value.detail["state"] == "drafted"
    assert "drafted by the working group" in error.value.message
    assert Recommendation.objects.get(pk=rec.pk).state == "drafted"


def test_a_wrong_role_is_a_403(world):
    rec = services.recommendation_create(actor=world.wg1_member, body=world.wg1, title="T", text="...")
    with pytest.raises(Forbidden):  # a working-group member does not endorse for the Board
        services.recommendation_move(
            actor=world.wg1_member, recommendation=rec, to=RecommendationState.ENDORSED
        )
    rec = services.recommendation_move(actor=world.chair, recommendation=rec, to=RecommendationState.ENDORSED)
    with pytest.raises(Forbidden):  # only the secretariat sends to CNAD
        services.recommendation_move(actor=world.chair, recommendation=rec, to=RecommendationState.SUBMITTED)


def test_only_a_draft_is_edited(world):
    rec = services.recommendation_create(actor=world.wg1_member, body=world.wg1, title="T", text="...")
    services.recommendation_update(actor=world.wg1_member, recommendation=rec, text="Better")
    services.recommendation_move(actor=world.chair, recommendation=rec, to=RecommendationState.ENDORSED)
    with pytest.raises(Conflict):
        services.recommendation_update(actor=world.wg1_member, recommendation=rec, text="Later")


# --- Risks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("likelihood", "impact", "field"), [(0, 3, "likelihood"), (3, 6, "impact")])
def test_likelihood_and_impact_outside_one_to_five_are_refused(world, likelihood, impact, field):
    with pytest.raises(ValidationError) as error:
        make_risk(world.wg2_member, world.wg2, likelihood=likelihood, impact=impact)
    assert field in messages(error.value)
    assert not Risk.objects.exists()


def test_the_score_is_computed(world):
    risk = make_risk(world.wg2_member, world.wg2, likelihood=4, impact=5)
    risk.refresh_from_db()
    assert risk.score == 20
    risk = services.risk_update(actor=world.wg2_member, risk=risk, likelihood=2)
    assert risk.score == 10


def test_risks_are_kept_by_the_register_working_group(world):
    with pytest.raises(ValidationError) as error:
        make_risk(world.wg1_member, world.wg1)
    assert "body" in messages(error.value)
    with pytest.raises(Forbidden):  # a member of working group 1 does not write working group 2's register
        make_risk(world.wg1_member, world.wg2)


def test_a_risk_names_what_depends_on_it(world):
    item = ItemFactory()
    risk = make_risk(world.wg2_member, world.wg2, dependent_items=[item])
    assert list(risk.dependent_items.all()) == [item]
    services.risk_update(actor=world.wg2_member, risk=risk, dependent_items=[])
    assert not risk.dependent_items.exists()
    assert ObjectChange.objects.filter(object_id=str(risk.pk), content_type__model="risk").count() == 2


# --- Links -------------------------------------------------------------------------------------


def test_a_link_goes_only_to_an_object_the_actor_may_see(world):
    action = services.action_create(
        actor=world.wg1_member, body=world.wg1, text="Look", due_on=TODAY, owner_user=world.wg1_member
    )
    hidden = make_risk(world.wg2_member, world.wg2, sensitive=True)
    with pytest.raises(NotFound):
        services.link_add(actor=world.wg1_member, action=action, target=hidden)
    shown = make_risk(world.wg2_member, world.wg2, likelihood=1)
    link = services.link_add(actor=world.wg1_member, action=action, target=shown)
    assert link.target_id == shown.pk
    with pytest.raises(ValidationError):
        services.link_add(actor=world.wg1_member, action=action, target=shown)
    with pytest.raises(ValidationError):  # a user is not a linkable object
        services.link_add(actor=world.wg1_member, action=action, target=world.chair)
