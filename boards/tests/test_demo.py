"""The boards demo tells the issue's story: the inaugural Board meeting of 13 December 2023 with
its three working groups, demo users seated on them, and scope that shows on the demo data."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from boards import selectors
from boards.models import Body, Meeting, Risk
from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=io.StringIO())
    return {user.username: user for user in User.objects.all()}


def test_the_board_first_met_on_13_december_2023_and_set_up_three_working_groups(loaded):
    inaugural = Meeting.objects.get(title="Inaugural meeting of the Defence Industrial Production Board")
    assert inaugural.starts_at.date().isoformat() == "2023-12-13"
    assert not inaugural.illustrative
    assert inaugural.minutes.get().state == "approved"
    board = Body.objects.get(code="dipb")
    assert sorted(board.working_groups.values_list("code", flat=True)) == ["wg1", "wg2", "wg3"]
    assert Body.objects.get(code="wg2").keeps_risk_register


def test_demo_users_sit_where_the_issue_says_and_see_accordingly(loaded):
    member, wg2 = loaded["board_member"], loaded["board_member_wg2"]
    assert set(member.memberships.values_list("body__code", flat=True)) == {"dipb", "wg1", "wg3"}
    assert "wg2" in set(wg2.memberships.values_list("body__code", flat=True))
    # Working group 2's draft minutes and sensitive risks are not the board member's to read.
    assert not selectors.minutes_list(user=member).filter(meeting__body__code="wg2").exists()
    assert selectors.minutes_list(user=wg2).filter(meeting__body__code="wg2", state="draft").exists()
    sensitive = Risk.objects.filter(sensitive=True)
    assert sensitive.exists()
    assert not selectors.risk_list(user=member).filter(sensitive=True).exists()
    assert selectors.risk_list(user=wg2).filter(sensitive=True).count() == sensitive.count()
    # Poland's director reads the action Poland owns and the recommendations sent to CNAD.
    director = loaded["director_pol"]
    assert [a.owner_nation.code for a in selectors.action_list(user=director)] == ["POL"]
    assert {r.state for r in selectors.recommendation_list(user=director)} == {"submitted", "approved"}


def test_everything_but_the_record_is_marked_illustrative(loaded):
    assert all(r.illustrative for r in Risk.objects.all())
    assert Meeting.objects.filter(illustrative=False).count() == 1


def test_loading_twice_creates_nothing_more(loaded):
    before = {model: model.objects.count() for model in (Body, Meeting, Risk)}
    call_command("load_demo", stdout=io.StringIO())
    assert {model: model.objects.count() for model in before} == before
