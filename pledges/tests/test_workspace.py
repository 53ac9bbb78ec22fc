"""The pledges' home panels and deadlines: what a director and the secretariat are shown of plans,
and that a draft never shows outside its nation."""

import datetime as dt

import pytest
from django.urls import reverse

from pledges import selectors, services, workspace
from pledges.models import PlanCycle
from pledges.services import CommentInput
from portal.workspace import DONE, LATE

DUE = dt.date(2026, 6, 30)
BEFORE = dt.date(2026, 6, 20)
AFTER = dt.date(2026, 7, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return PlanCycle.objects.create(year=2026, due_date=DUE)


def texts(panel):
    return [entry.text for entry in panel.entries]


def test_a_director_without_a_plan_is_told_to_start_it(owner, cycle):
    panel = workspace.plan_panel(owner, BEFORE)
    assert panel.title == "Your nation's 2026 plan"
    [entry] = panel.entries
    assert entry.text == "Not started"
    assert entry.url == reverse("pledges:plan-home")
    assert entry.note == "in 10 days"
    assert workspace.plan_panel(owner, AFTER).entries[0].tone == LATE
    assert workspace.plan_panel(owner, AFTER).entries[0].note == "10 days overdue"


def test_a_returned_plan_shows_the_secretariats_comments(owner, secretariat, cycle):
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_return(
        actor=secretariat,
        plan=plan,
        comments=[CommentInput("Add 2028 targets.", commitment=3), CommentInput("Well argued overall.")],
    )
    panel = workspace.plan_panel(owner, AFTER)
    assert panel.entries[0].text == "Returned"
    assert panel.entries[0].url == reverse("pledges:plan-edit", args=[plan.pk])
    assert panel.entries[0].note == "10 days overdue"
    details = [entry.detail for entry in panel.entries[1:]]
    assert details == ["Well argued overall.", "Add 2028 targets."]
    assert texts(panel)[1] == "Comment: Whole plan"
    assert texts(panel)[2].startswith("Comment: Critical capabilities")


def test_a_plan_submitted_late_says_so_and_an_accepted_one_is_done(owner, secretariat, cycle):
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    services.plan_submit(actor=owner, plan=plan)
    plan.refresh_from_db()
    late = (plan.first_submitted_at.date() - DUE).days  # the tests run after the 2026 due date
    panel = workspace.plan_panel(owner, plan.first_submitted_at.date())
    assert panel.entries[0].text == "Submitted"
    assert panel.entries[0].note == f"submitted late, {late} days"
    cycle.due_date = plan.first_submitted_at.date()
    cycle.save()
    plan.refresh_from_db()
    assert workspace.plan_panel(owner, AFTER).entries[0].note == ""  # on time: nothing to say
    services.plan_start_review(actor=secretariat, plan=plan)
    services.plan_accept(actor=secretariat, plan=plan)
    assert workspace.plan_panel(owner, AFTER).entries[0].tone == DONE


def test_plan_panels_are_for_the_roles_that_hold_the_grants(owner, secretariat, nspa, cycle):
    assert workspace.plan_panel(secretariat, BEFORE) is None
    assert workspace.review_panel(owner, BEFORE) is None
    assert workspace.filing_panel(owner, BEFORE) is None
    assert workspace.filing_panel(nspa, BEFORE) is None


def test_the_review_queue_lists_submitted_plans_longest_waiting_first(owner, other, secretariat, cycle):
    mine = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    theirs = services.plan_start(actor=other, nation=other.nation, cycle=cycle)
    services.plan_submit(actor=owner, plan=mine)
    services.plan_submit(actor=other, plan=theirs)
    services.plan_start_review(actor=secretariat, plan=theirs)
    panel = workspace.review_panel(secretariat, AFTER)
    assert texts(panel) == ["Poland, 2026 plan: Submitted", "France, 2026 plan: In review"]
    assert panel.entries[0].url == reverse("pledges:plan-review", args=[mine.pk])
    assert panel.entries[0].note.startswith("waiting ")


def test_the_filing_overview_counts_every_ally_and_never_opens_a_draft(owner, other, secretariat, cycle):
    draft = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    submitted = services.plan_start(actor=other, nation=other.nation, cycle=cycle)
    services.plan_submit(actor=other, plan=submitted)
    panel = workspace.filing_panel(secretariat, AFTER)
    counts = {figure.label: int(figure.value) for figure in panel.figures}
    assert counts["Submitted"] == 1
    assert counts["Not started / not submitted"] >= 31  # every other Ally, Poland's draft among them
    # The overdue Allies, Poland among them: its row says "not submitted" and never links to its
    # draft (only to the filing list).
    draft_review = reverse("pledges:plan-review", args=[draft.pk])
    assert all(entry.url != draft_review for entry in panel.entries)
    assert all(not entry.url.startswith("/pledges/plans/") for entry in panel.entries)
    assert all(entry.tone == LATE for entry in panel.entries)
    assert panel.more  # more overdue Allies than the panel shows


def test_deadlines_give_the_nation_its_draft_and_nobody_else(owner, other, secretariat, cycle):
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    [row] = selectors.deadlines(user=owner, until=DUE)
    assert (row.kind, row.object, row.date) == ("plan_due", plan, DUE)
    assert row.url == reverse("pledges:plan-edit", args=[plan.pk])
    assert row.label == "Plan due"
    assert selectors.deadlines(user=owner, until=DUE - dt.timedelta(days=1)) == []
    assert selectors.deadlines(user=secretariat, until=AFTER) == []
    [unstarted] = selectors.deadlines(user=other, until=AFTER)
    assert (unstarted.kind, unstarted.object) == ("plan_not_started", cycle)
    assert unstarted.url == reverse("pledges:plan-home")


@pytest.mark.parametrize("size", [1, 6])
def test_panels_keep_their_query_count_as_plans_grow(
    size, make_user, secretariat, cycle, django_assert_num_queries
):
    codes = ["POL", "FRA", "DEU", "NLD", "ITA", "ESP"][:size]
    for code in codes:
        director = make_user("director", code, username=f"d_{code}")
        plan = services.plan_start(actor=director, nation=director.nation, cycle=cycle)
        services.plan_submit(actor=director, plan=plan)
    # cycles; plans of the cycle; Allies (filing) / the queue, one query.
    with django_assert_num_queries(3):
        workspace.filing_panel(secretariat, AFTER)
    with django_assert_num_queries(1):
        workspace.review_panel(secretariat, AFTER)
