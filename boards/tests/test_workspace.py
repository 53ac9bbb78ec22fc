"""The boards' home panels: a member's next meetings, risk reviews, minutes and actions; a
nation's actions; recommendations waiting on CNAD. Each shows only what its reader may see."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from boards import services, workspace
from boards.choices import RecommendationState
from boards.tests.factories import make_meeting, make_risk, make_world
from portal.workspace import LATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return make_world(make_user)


def texts(panel):
    return [entry.text for entry in panel.entries]


def test_a_member_sees_their_groups_next_meetings_and_risk_reviews_only(world):
    today = timezone.localdate()
    mine = make_meeting(world.secretariat, world.wg1, days_from_now=5, title="WG1 capacity returns")
    make_meeting(world.secretariat, world.wg2, days_from_now=6, title="WG2 energetics")
    make_meeting(world.secretariat, world.wg1, days_from_now=90, title="WG1 far away")
    risk = make_risk(world.secretariat, world.wg2, review_on=today - dt.timedelta(days=2))
    wg1 = workspace.upcoming_panel(world.wg1_member, today)
    assert [entry.url for entry in wg1.entries] == [reverse("boards:meeting-detail", args=[mine.pk])]
    assert "WG1 capacity returns" in wg1.entries[0].text
    wg2 = workspace.upcoming_panel(world.wg2_member, today)
    assert wg2.entries[0].text == f"Risk review due: {risk.title}"
    assert (wg2.entries[0].note, wg2.entries[0].tone) == ("2 days overdue", LATE)
    assert any("WG2 energetics" in text for text in texts(wg2))
    assert not any("WG1" in text for text in texts(wg2))


def test_minutes_to_approve_are_the_drafts_of_ones_bodies(world):
    today = timezone.localdate()
    held = make_meeting(world.secretariat, world.wg1, days_from_now=-3, title="WG1 held")
    services.minutes_draft(actor=world.secretariat, meeting=held, text="We met.")
    panel = workspace.minutes_panel(world.wg1_member, today)
    [entry] = panel.entries
    assert "WG1 held" in entry.text
    assert entry.url == reverse("boards:meeting-detail", args=[held.pk])
    assert workspace.minutes_panel(world.wg2_member, today).entries == []
    assert workspace.minutes_panel(world.wg2_member, today).empty == "No draft minutes are waiting."


def test_own_actions_and_the_nations_actions(world, owner, other):
    today = timezone.localdate()
    late = services.action_create(
        actor=world.secretariat,
        body=world.wg1,
        text="Compile the capacity returns.",
        due_on=today - dt.timedelta(days=1),
        owner_user=world.wg1_member,
    )
    services.action_create(
        actor=world.secretariat,
        body=world.wg1,
        text="Send Poland's figures.",
        due_on=today + dt.timedelta(days=3),
        owner_nation=owner.nation,
    )
    panel = workspace.my_actions_panel(world.wg1_member, today)
    assert texts(panel) == ["Compile the capacity returns."]
    assert panel.entries[0].url == reverse("boards:action-edit", args=[late.pk])
    assert panel.entries[0].tone == LATE
    assert workspace.my_actions_panel(world.wg2_member, today).entries == []
    nation = workspace.nation_actions_panel(owner, today)
    assert texts(nation) == ["Send Poland's figures."]
    assert nation.title == "Actions owned by Poland"
    assert workspace.nation_actions_panel(other, today).entries == []
    assert workspace.nation_actions_panel(world.secretariat, today) is None  # no nation


def test_recommendations_awaiting_decision_are_for_the_secretariat(world, owner):
    today = timezone.localdate()
    rec = services.recommendation_create(
        actor=world.wg1_member, body=world.wg1, title="Pool 155 mm", text="…"
    )
    services.recommendation_move(actor=world.chair, recommendation=rec, to=RecommendationState.ENDORSED)
    assert workspace.recommendations_panel(world.secretariat, today).entries == []
    services.recommendation_move(
        actor=world.secretariat, recommendation=rec, to=RecommendationState.SUBMITTED
    )
    [entry] = workspace.recommendations_panel(world.secretariat, today).entries
    assert entry.text == "Working group 1: Pool 155 mm"
    assert entry.note == "waiting 0 days"
    assert workspace.recommendations_panel(world.wg1_member, today) is None
    assert workspace.recommendations_panel(owner, today) is None


def test_deadline_kinds_and_limit(world):
    today = timezone.localdate()
    for days in (1, 2, 3):
        make_meeting(world.secretariat, world.wg1, days_from_now=days)
        make_risk(world.secretariat, world.wg2, review_on=today + dt.timedelta(days=days))
    rows = workspace.selectors.deadlines(
        user=world.chair, until=today + dt.timedelta(days=10), kinds=("meeting",)
    )
    assert {row.kind for row in rows} == {"meeting"}
    assert len(rows) == 3
    rows = workspace.selectors.deadlines(user=world.secretariat, until=today + dt.timedelta(days=10), limit=2)
    assert [row.date for row in rows] == sorted(row.date for row in rows)
    assert len(rows) == 2


@pytest.mark.parametrize("size", [1, 6])
def test_panels_keep_their_query_count(size, world, owner, django_assert_num_queries):
    today = timezone.localdate()
    for n in range(size):
        make_meeting(world.secretariat, world.wg1, days_from_now=n + 1)
        held = make_meeting(world.secretariat, world.wg1, days_from_now=-(n + 1))
        services.minutes_draft(actor=world.secretariat, meeting=held, text="Minutes")
        services.action_create(
            actor=world.secretariat,
            body=world.wg1,
            text=f"Action {n}",
            due_on=today,
            owner_user=world.wg1_member,
        )
        services.action_create(
            actor=world.secretariat,
            body=world.wg1,
            text=f"National {n}",
            due_on=today,
            owner_nation=owner.nation,
        )
    member = world.wg1_member
    # Meetings and risks (their kinds' two queries), minutes: one query; actions: one, and one
    # for which of them the member may update (a director may update none: no query).
    with django_assert_num_queries(2):
        workspace.upcoming_panel(member, today)
    with django_assert_num_queries(1):
        workspace.minutes_panel(member, today)
    with django_assert_num_queries(2):
        workspace.my_actions_panel(member, today)
    with django_assert_num_queries(1):
        workspace.nation_actions_panel(owner, today)
