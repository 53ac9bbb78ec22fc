"""Who reads what of the boards app (issue 13, "Access"): working group 1 against working group 2,
sensitive risks in lists, counts and the heat map, directors, partners and NSPA, and former
members; query counts at two sizes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boards import selectors, services
from boards.choices import Presence, RecommendationState
from boards.models import Membership
from boards.tests.factories import make_meeting, make_risk, make_world
from portal.models import Nation
from portal.selectors import objectchange_list

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.fixture
def drafts(world):
    """Each group's meeting with draft minutes; the Board's first meeting approved at its second."""
    wg1 = make_meeting(world.wg1_member, world.wg1, days_from_now=-10, title="WG1 held")
    wg2 = make_meeting(world.wg2_member, world.wg2, days_from_now=-10, title="WG2 held")
    board_first = make_meeting(world.secretariat, world.board, days_from_now=-60, title="Board 1")
    board_second = make_meeting(world.secretariat, world.board, days_from_now=-5, title="Board 2")
    services.minutes_draft(actor=world.wg1_member, meeting=wg1, text="WG1 draft")
    services.minutes_draft(actor=world.wg2_member, meeting=wg2, text="WG2 draft")
    board = services.minutes_draft(actor=world.secretariat, meeting=board_first, text="Board minutes")
    services.minutes_approve(actor=world.secretariat, minutes=board, at_meeting=board_second)
    return {"wg1": wg1, "wg2": wg2, "board_first": board_first, "board_second": board_second}


def texts(rows) -> set[str]:
    return {row.text for row in rows}


def test_a_working_group_member_does_not_see_another_groups_meetings_or_draft_minutes(world, drafts):
    assert texts(selectors.minutes_list(user=world.wg1_member)) == {"WG1 draft"}
    assert texts(selectors.minutes_list(user=world.wg2_member)) == {"WG2 draft"}
    assert {m.title for m in selectors.meeting_list(user=world.wg1_member)} == {"WG1 held"}
    assert texts(selectors.minutes_list(user=world.secretariat)) == {
        "WG1 draft",
        "WG2 draft",
        "Board minutes",
    }
    # The Board's chair sits on the Board and on working group 1, not on working group 2.
    assert texts(selectors.minutes_list(user=world.chair)) == {"WG1 draft", "Board minutes"}


def test_directors_read_the_boards_approved_minutes_and_nothing_in_draft(world, drafts, owner):
    assert texts(selectors.minutes_list(user=owner)) == {"Board minutes"}
    assert {m.title for m in selectors.meeting_list(user=owner)} == {"Board 1"}
    [meeting] = selectors.meeting_detail(user=owner)
    assert [v.text for v in meeting.minutes.all()] == ["Board minutes"]


def test_partners_and_nspa_see_no_meeting_minutes_action_recommendation_or_risk(world, drafts, users_by_role):
    make_risk(world.wg2_member, world.wg2)
    services.recommendation_create(actor=world.wg1_member, body=world.wg1, title="R", text="...")
    for role in ("partner", "nspa"):
        user = users_by_role[role]
        for rows in (
            selectors.meeting_list(user=user),
            selectors.minutes_list(user=user),
            selectors.action_list(user=user),
            selectors.recommendation_list(user=user),
            selectors.risk_list(user=user),
            selectors.membership_list(user=user),
        ):
            assert not rows.exists(), role
        assert selectors.risk_heat_map(user=user).total == 0
    assert not selectors.body_list(user=users_by_role["partner"]).exists()
    assert selectors.body_list(user=users_by_role["nspa"]).count() == 3


def test_sensitive_risks_are_hidden_from_lists_counts_and_the_heat_map(world):
    make_risk(world.wg2_member, world.wg2, likelihood=2, impact=2)
    make_risk(world.wg2_member, world.wg2, likelihood=5, impact=5, sensitive=True)
    assert selectors.risk_list(user=world.wg1_member).count() == 1
    heat = selectors.risk_heat_map(user=world.wg1_member)
    assert (heat.total, heat.cells) == (1, {(2, 2): 1})
    assert selectors.risk_heat_map(user=world.wg2_member).total == 2
    assert selectors.risk_heat_map(user=world.secretariat).cells == {(2, 2): 1, (5, 5): 1}
    # The heat map's table reads likelihood 5 first, every cell present.
    rows = selectors.risk_heat_map(user=world.secretariat).rows()
    assert [likelihood for likelihood, _ in rows] == [5, 4, 3, 2, 1]
    assert rows[0][1][4] == (5, 1)


def test_the_audit_trail_of_a_hidden_risk_stays_hidden(world):
    risk = make_risk(world.wg2_member, world.wg2, sensitive=True)
    assert not objectchange_list(user=world.wg1_member).filter(object_id=str(risk.pk)).exists()
    assert objectchange_list(user=world.secretariat).filter(object_id=str(risk.pk)).exists()


def test_recommendations_a_reader_sees_follow_their_seat_and_the_state(world, owner):
    draft = services.recommendation_create(
        actor=world.wg2_member, body=world.wg2, title="WG2 draft", text="..."
    )
    sent = services.recommendation_create(
        actor=world.wg1_member, body=world.wg1, title="WG1 sent", text="..."
    )
    sent = services.recommendation_move(
        actor=world.chair, recommendation=sent, to=RecommendationState.ENDORSED
    )
    services.recommendation_move(
        actor=world.secretariat, recommendation=sent, to=RecommendationState.SUBMITTED
    )
    titles = lambda user: {r.title for r in selectors.recommendation_list(user=user)}  # noqa: E731
    assert titles(owner) == {"WG1 sent"}
    assert titles(world.wg1_member) == {"WG1 sent"}
    assert titles(world.wg2_member) == {"WG2 draft"}
    assert titles(world.chair) == {"WG1 sent"}  # on the Board: past the draft only, for other groups
    assert titles(world.secretariat) == {"WG1 sent", "WG2 draft"}
    # Once the Board endorses working group 2's draft, its Board members read it; working group 1's
    # members still do not.
    services.recommendation_move(actor=world.chair, recommendation=draft, to=RecommendationState.ENDORSED)
    assert titles(world.chair) == {"WG1 sent", "WG2 draft"}
    assert titles(world.wg1_member) == {"WG1 sent"}
    assert titles(owner) == {"WG1 sent"}


def test_a_director_reads_the_actions_their_nation_owns(world, owner, other):
    poland = Nation.objects.get(code="POL")
    services.action_create(
        actor=world.wg1_member, body=world.wg1, text="Poland's", due_on=TODAY, owner_nation=poland
    )
    services.action_create(
        actor=world.wg1_member, body=world.wg1, text="A person's", due_on=TODAY, owner_user=world.wg1_member
    )
    assert texts(selectors.action_list(user=owner)) == {"Poland's"}
    assert not selectors.action_list(user=other).exists()
    assert texts(selectors.action_list(user=world.wg1_member)) == {"Poland's", "A person's"}
    assert not selectors.action_list(user=world.wg2_member).exists()


def test_the_action_tracker_filters_overdue_from_the_date(world):
    services.action_create(
        actor=world.wg1_member,
        body=world.wg1,
        text="Late",
        due_on=TODAY - dt.timedelta(days=1),
        owner_user=world.chair,
    )
    services.action_create(
        actor=world.wg1_member, body=world.wg1, text="Due", due_on=TODAY, owner_user=world.chair
    )
    assert texts(selectors.action_list(user=world.secretariat, overdue=True)) == {"Late"}
    assert texts(selectors.action_list(user=world.secretariat, overdue=False)) == {"Due"}
    assert texts(selectors.action_list(user=world.secretariat, owner_user=world.chair, body=world.wg1)) == {
        "Late",
        "Due",
    }


def test_a_former_member_loses_the_groups_content(world, drafts):
    seat = Membership.objects.get(body=world.wg1, user=world.wg1_member)
    services.membership_end(actor=world.secretariat, membership=seat, to_date=TODAY - dt.timedelta(days=1))
    assert not selectors.minutes_list(user=world.wg1_member).exists()
    assert not selectors.meeting_list(user=world.wg1_member).exists()


def _grow(world, meeting, n: int) -> None:
    for i in range(n):
        services.agenda_item_add(
            actor=world.wg1_member, meeting=meeting, title=f"Item {i}", presenter=world.chair
        )
    for user in (world.chair, world.wg1_member, world.secretariat)[: max(1, min(3, n))]:
        services.attendance_record(
            actor=world.wg1_member, meeting=meeting, user=user, presence=Presence.PRESENT
        )


def test_a_meetings_page_reads_in_a_constant_number_of_queries(world):
    small = make_meeting(world.wg1_member, world.wg1, days_from_now=-3, title="small")
    large = make_meeting(world.wg1_member, world.wg1, days_from_now=-2, title="large")
    _grow(world, small, 1)
    _grow(world, large, 8)
    services.minutes_draft(actor=world.wg1_member, meeting=large, text="Draft")
    counts = []
    for meeting in (small, large):
        with CaptureQueriesContext(connection) as queries:
            [read] = selectors.meeting_detail(user=world.wg1_member).filter(pk=meeting.pk)
            _ = [(item.title, item.presenter and item.presenter.username) for item in read.agenda_items.all()]
            _ = [(row.user.username, row.presence) for row in read.attendance.all()]
            _ = selectors.minutes_record(read)
            _ = [document.title for document in read.documents.all()]
        counts.append(len(queries))
    assert counts[0] == counts[1] == 5


def test_the_heat_map_is_one_query_at_any_size(world):
    for likelihood in range(1, 6):
        make_risk(world.wg2_member, world.wg2, likelihood=likelihood, impact=likelihood)
    with CaptureQueriesContext(connection) as queries:
        heat = selectors.risk_heat_map(user=world.wg1_member)
    assert len(queries) == 1
    assert heat.total == 5
