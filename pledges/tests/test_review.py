"""The secretariat's screens and the diff pages, as their users see them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from pledges import services
from pledges.choices import PlanStatus
from pledges.models import NationalPlan, PlanCycle, PlanSection, ReviewComment
from pledges.services import CommentInput
from pledges.tests.test_services import capacity_fields
from portal.choices import NationKind
from portal.models import Nation
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"pledges:{name}", kwargs=kwargs or None)


def body(response) -> str:
    return response.content.decode()


def base_queries(user) -> int:
    """Session and user, plus the nation shown in the user menu for users that have one."""
    return 2 + (1 if user.nation_id else 0)


@pytest.fixture
def cycle():
    return PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))


def director_of(make_user, code: str):
    return make_user("director", code, username=f"dir_{code.lower()}")


def write(plan, actor, commitment: int, text: str) -> None:
    plan.refresh_from_db()
    section = PlanSection.objects.get(plan_version=plan.current_version, commitment=commitment)
    services.section_save(actor=actor, section=section, narrative=text, expected_version=section.version)


def submitted_plan(actor, cycle, *, text="Submitted text", entries=1, review_by=None):
    plan = services.plan_start(actor=actor, nation=actor.nation, cycle=cycle)
    write(plan, actor, 3, text)
    for n in range(entries):
        services.entry_save(
            actor=actor, plan=plan, kind="capacityline", fields=capacity_fields(site=f"Site {n}")
        )
    services.plan_submit(actor=actor, plan=plan)
    if review_by is not None:
        services.plan_start_review(actor=review_by, plan=plan)
    plan.refresh_from_db()
    return plan


def returned_and_revised(owner, secretariat, cycle):
    """Version 1 submitted and returned with a comment; version 2 is a draft with new text."""
    plan = submitted_plan(owner, cycle, text="Line one\nLine two", review_by=secretariat)
    services.plan_return(
        actor=secretariat, plan=plan, comments=[CommentInput("Give 2028 targets.", commitment=3)]
    )
    write(plan, owner, 3, "Line one\nLine 2\nSECRET REVISION")
    plan.refresh_from_db()
    return plan


# --- The filing list --------------------------------------------------------------------------


def list_rows(response) -> dict[str, str]:
    """Nation name -> the row's data-status, read from the rendered table."""
    html = body(response)
    return {
        name: status
        for status, name in re.findall(r'<tr data-status="([a-z_]+)"[^>]*>\s*<td>([^<]+?) <span', html)
    }


def test_list_shows_every_ally_with_drafts_as_not_submitted(client, secretariat, owner, make_user, cycle):
    submitted_plan(owner, cycle)
    french = director_of(make_user, "FRA")
    draft = services.plan_start(actor=french, nation=french.nation, cycle=cycle)
    write(draft, french, 1, "SECRET FRENCH DRAFT")
    client.force_login(secretariat)
    response = client.get(url("plan-list"))
    assert response.status_code == 200
    rows = list_rows(response)
    assert len(rows) == Nation.objects.filter(kind=NationKind.ALLY).count()
    assert rows["Poland"] == "submitted"
    assert rows["France"] == "not_submitted"
    assert rows["Germany"] == "not_submitted"
    html = body(response)
    assert "SECRET FRENCH DRAFT" not in html
    assert url("plan-review", pk=draft.pk) not in html  # no link into a draft
    assert url("plan-review", pk=NationalPlan.objects.get(nation__code="POL").pk) in html
    chart = json.loads(re.search(r'id="filing-status-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    counts = dict(zip(chart["statuses"], chart["counts"], strict=True))
    assert counts["submitted"] == 1
    assert counts["not_submitted"] == len(rows) - 1


def test_list_counts_days_overdue_for_plans_still_with_the_nation(
    client, secretariat, owner, make_user, monkeypatch
):
    cycle = PlanCycle.objects.create(year=2025, due_date=dt.date(2025, 6, 30))
    plan = submitted_plan(owner, cycle, review_by=secretariat)
    services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("More.")])
    submitted_plan(director_of(make_user, "FRA"), cycle)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2025, 7, 10))
    client.force_login(secretariat)
    html = body(client.get(url("plan-list"), {"cycle": 2025, "sort": "-overdue"}))
    poland = re.search(r'<tr data-status="returned" class="row-overdue">.*?</tr>', html, re.S).group(0)
    assert "Poland" in poland
    assert '<span class="overdue">10</span>' in poland
    france = re.search(r'<tr data-status="submitted"[^>]*>.*?</tr>', html, re.S).group(0)
    assert "France" in france
    assert "overdue" not in france
    germany = re.search(r'<tr data-status="not_submitted"[^>]*>\s*<td>Germany.*?</tr>', html, re.S).group(0)
    assert '<span class="overdue">10</span>' in germany


def test_list_filters_by_status_and_cycle_and_refuses_junk(client, secretariat, owner, cycle):
    submitted_plan(owner, cycle)
    PlanCycle.objects.create(year=2027, due_date=dt.date(2027, 6, 30))
    client.force_login(secretariat)
    # The latest cycle is the default: nobody has filed for 2027 yet.
    assert set(list_rows(client.get(url("plan-list"))).values()) == {"not_submitted"}
    rows = list_rows(client.get(url("plan-list"), {"cycle": 2026, "status": "submitted"}))
    assert rows == {"Poland": "submitted"}
    for junk in ({"cycle": "abc"}, {"cycle": "1999"}, {"status": "draft"}, {"sort": "password"}):
        response = client.get(url("plan-list"), junk)
        assert response.status_code == 400, junk
        assert 'class="field-error"' in body(response)


@pytest.mark.parametrize("role", ["director", "nspa", "board_member", "partner", "no_role"])
def test_list_is_the_secretariats(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get(url("plan-list")).status_code == 403


def test_list_query_count_is_the_same_at_two_sizes(
    client, secretariat, make_user, cycle, django_assert_num_queries
):
    client.force_login(secretariat)
    allies = list(Nation.objects.filter(kind=NationKind.ALLY).order_by("code"))
    filed = 0
    for size in (3, 12):
        for nation in allies[filed:size]:
            submitted_plan(director_of(make_user, nation.code), cycle, review_by=secretariat)
        filed = size
        # cycles, plans (with nation and reviewer), Allies
        with django_assert_num_queries(base_queries(secretariat) + 3):
            response = client.get(url("plan-list"), {"sort": "-updated"})
        assert list(list_rows(response).values()).count("in_review") == size


# --- The review screen ------------------------------------------------------------------------


def test_review_start_return_and_accept_through_the_screen(client, secretariat, owner, cycle):
    plan = submitted_plan(owner, cycle, text="Our munitions plan")
    client.force_login(secretariat)
    page = body(client.get(url("plan-review", pk=plan.pk)))
    assert "Our munitions plan" in page
    assert "Start review" in page
    assert "Return with comments" not in page

    response = client.post(url("plan-start-review", pk=plan.pk))
    assert response.status_code == 302
    assert response.url == url("plan-review", pk=plan.pk)
    page = body(client.get(response.url))
    assert "Review started" in page
    assert "Return with comments" in page
    assert "Accept" in page

    response = client.post(url("plan-return", pk=plan.pk), {"section_3": "   ", "plan_comment": ""})
    assert response.status_code == 400
    assert "at least one comment" in body(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW

    response = client.post(
        url("plan-return", pk=plan.pk), {"section_3": "Give 2028 targets.", "plan_comment": "Good start."}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    assert set(ReviewComment.objects.values_list("commitment", "text")) == {
        (3, "Give 2028 targets."),
        (None, "Good start."),
    }
    # The director reads the comments next to the sections they belong to.
    client.force_login(owner)
    page = body(client.get(url("plan-review", pk=plan.pk)))
    section_3 = re.search(r'data-testid="review-section-3".*?</section>', page, re.S).group(0)
    assert "Give 2028 targets." in section_3
    assert "Good start." in page
    assert "Return with comments" not in page

    services.plan_submit(actor=owner, plan=plan)
    services.plan_start_review(actor=secretariat, plan=plan)
    client.force_login(secretariat)
    page = body(client.get(url("plan-review", pk=plan.pk)))
    earlier = re.search(r'data-testid="earlier-versions".*?</section>', page, re.S).group(0)
    assert "Version 1" in earlier
    assert "Give 2028 targets." in earlier
    assert "?from=1&amp;to=2" in earlier
    response = client.post(url("plan-accept", pk=plan.pk), {"plan_comment": "Accepted with thanks."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED


def test_wrong_state_is_a_409_on_the_page_keeping_the_typed_comments(client, secretariat, owner, cycle):
    plan = submitted_plan(owner, cycle)
    client.force_login(secretariat)
    response = client.post(url("plan-accept", pk=plan.pk), {"section_2": "My careful note"})
    assert response.status_code == 409
    assert "Cannot accept the plan: the plan is submitted." in body(response)
    client.post(url("plan-start-review", pk=plan.pk))
    response = client.post(url("plan-start-review", pk=plan.pk))
    assert response.status_code == 409
    assert "Cannot start the review: the plan is in review." in body(response)
    # A comment too long for the record is refused with the message, and the other box keeps its text.
    response = client.post(
        url("plan-return", pk=plan.pk), {"section_1": "x" * 10_001, "section_4": "Keep me"}
    )
    assert response.status_code == 400
    assert "Keep me</textarea>" in body(response)
    assert "at most 10000 characters" in body(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW


def test_review_scope(client, owner, other, secretariat, nspa, cycle):
    plan = submitted_plan(owner, cycle)
    client.force_login(owner)
    assert client.get(url("plan-review", pk=plan.pk)).status_code == 200
    for action in ("plan-start-review", "plan-return", "plan-accept"):
        assert client.post(url(action, pk=plan.pk), {"plan_comment": "self-review"}).status_code == 403
    client.force_login(other)
    assert client.get(url("plan-review", pk=plan.pk)).status_code == 404
    assert client.post(url("plan-start-review", pk=plan.pk)).status_code == 404
    client.force_login(nspa)
    assert client.get(url("plan-review", pk=plan.pk)).status_code == 403
    assert client.post(url("plan-start-review", pk=plan.pk)).status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    # A draft does not exist for the secretariat.
    draft = services.plan_start(actor=other, nation=other.nation, cycle=cycle)
    client.force_login(secretariat)
    assert client.get(url("plan-review", pk=draft.pk)).status_code == 404
    assert client.post(url("plan-start-review", pk=draft.pk)).status_code == 404
    assert client.get(url("plan-review", pk=999_999)).status_code == 404


def test_the_secretariat_reviews_the_frozen_version_never_the_revision(client, owner, secretariat, cycle):
    plan = returned_and_revised(owner, secretariat, cycle)
    client.force_login(secretariat)
    page = body(client.get(url("plan-review", pk=plan.pk)))
    assert "Line two" in page
    assert "SECRET REVISION" not in page
    assert "Reviewing version 1" in page


def test_review_query_count_is_the_same_at_two_sizes(
    client, secretariat, make_user, django_assert_num_queries
):
    client.force_login(secretariat)
    for year, entries, rounds in ((2026, 1, 0), (2027, 6, 2)):
        director = director_of(make_user, "POL") if year == 2026 else director_of(make_user, "DEU")
        plan = submitted_plan(director, PlanCycle.objects.create(year=year, due_date=dt.date(year, 6, 30)),
                              entries=entries, review_by=secretariat)  # fmt: skip
        for n in range(rounds):
            services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput(f"Round {n}", 3)])
            services.plan_submit(actor=director, plan=plan)
            services.plan_start_review(actor=secretariat, plan=plan)
        # plan; versions and their comments; the reviewed version, its sections, three entry types,
        # comments; the nation's earlier plan (for the year-on-year link)
        with django_assert_num_queries(base_queries(secretariat) + 10):
            response = client.get(url("plan-review", pk=plan.pk))
        assert response.status_code == 200
        assert body(response).count('class="tag">Capacity line') == entries


def test_year_on_year_is_linked_only_when_the_nation_has_an_earlier_plan(client, owner, secretariat):
    first = PlanCycle.objects.create(year=2025, due_date=dt.date(2025, 6, 30))
    earlier = submitted_plan(owner, first)
    client.force_login(secretariat)
    assert 'data-testid="yoy-link"' not in body(client.get(url("plan-review", pk=earlier.pk)))
    later = submitted_plan(owner, PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30)))
    page = body(client.get(url("plan-review", pk=later.pk)))
    link = page.split('data-testid="yoy-link"', 1)[1].split("</a>", 1)[0]
    assert "Compare with the 2025 plan" in link


# --- Diffs ------------------------------------------------------------------------------------


def test_diff_between_versions_per_section_and_entry(client, owner, secretariat, cycle):
    plan = returned_and_revised(owner, secretariat, cycle)
    draft = plan.current_version
    line = draft.capacitylines.get()
    services.entry_save(
        actor=owner, plan=plan, kind="capacityline", entry_id=line.pk, fields={"target_output": 200000}
    )
    services.entry_save(
        actor=owner, plan=plan, kind="measure", fields={"title": "Second shift", "commitment": 3}
    )
    client.force_login(owner)
    response = client.get(url("plan-diff", pk=plan.pk))  # default: the last two versions
    assert response.status_code == 200
    html = body(response)
    section = re.search(r'data-testid="diff-section-3".*?</section>', html, re.S).group(0)
    rows = re.findall(
        r'<tr class="diff-(\w+)"><td class="diff-old">(.*?)</td><td class="diff-new">(.*?)</td>', section
    )
    assert rows == [
        ("equal", "Line one", "Line one"),
        ("replace", "Line two", "Line 2"),
        ("insert", "", "SECRET REVISION"),
    ]
    assert 'data-testid="diff-section-1"' in html
    assert "unchanged" in html
    entries = re.search(r'data-testid="entry-diff".*?</table>', html, re.S).group(0)
    assert re.search(r"Target output: <del>150000</del> → <ins>200000</ins>", entries, re.I)
    assert 'class="entry-added"' in entries
    assert "Second shift" in entries
    # The same plan, for the secretariat: only the submitted version 1, never the draft.
    client.force_login(secretariat)
    response = client.get(url("plan-diff", pk=plan.pk))
    assert response.status_code == 200
    assert "only one version" in body(response)
    assert "SECRET REVISION" not in body(response)
    response = client.get(url("plan-diff", pk=plan.pk), {"from": 1, "to": 2})
    assert response.status_code == 400
    assert "There is no version 2 of this plan that you may see" in body(response)
    assert "SECRET REVISION" not in body(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "abc", "to": "2"}, "“from” must be a version number"),
        ({"from": "1", "to": ""}, "“to” must be a version number"),
        ({"from": "99", "to": "1"}, "There is no version 99"),
        ({"from": "-1"}, "There is no version -1"),
        ({"to": "1" * 40}, "There is no version 1111"),
        ({"from": "1\x00"}, "must be a version number"),
    ],
)
def test_bad_version_numbers_are_a_400_with_a_message(client, owner, secretariat, cycle, query, message):
    plan = returned_and_revised(owner, secretariat, cycle)
    client.force_login(owner)
    response = client.get(url("plan-diff", pk=plan.pk), query)
    assert response.status_code == 400
    assert message in body(response)


def test_diff_scope(client, owner, other, nspa, secretariat, cycle):
    plan = returned_and_revised(owner, secretariat, cycle)
    draft = services.plan_start(actor=other, nation=other.nation, cycle=cycle)
    client.force_login(other)
    assert client.get(url("plan-diff", pk=plan.pk)).status_code == 404
    assert client.get(url("plan-diff-yoy", pk=plan.pk)).status_code == 404
    client.force_login(nspa)
    assert client.get(url("plan-diff", pk=plan.pk)).status_code == 403
    client.force_login(secretariat)
    assert client.get(url("plan-diff", pk=draft.pk)).status_code == 404


def test_year_on_year_diff(client, owner, secretariat):
    plans = []
    item = ItemFactory()
    for year, target in ((2025, 100000), (2026, 150000)):
        cycle = PlanCycle.objects.create(year=year, due_date=dt.date(year, 6, 30))
        plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
        write(plan, owner, 2, f"Approach {year}")
        fields = capacity_fields(item=item, site="Mesko", target_output=target)
        services.entry_save(actor=owner, plan=plan, kind="capacityline", fields=fields)
        services.plan_submit(actor=owner, plan=plan)
        plans.append(plan)
    client.force_login(secretariat)
    response = client.get(url("plan-diff-yoy", pk=plans[0].pk))
    assert response.status_code == 200
    assert "has no earlier plan you may see" in body(response)
    response = client.get(url("plan-diff-yoy", pk=plans[1].pk))
    html = body(response)
    assert response.status_code == 200
    assert "2025 plan, version 1 → 2026 plan, version 1" in html
    assert re.search(r"Target output: <del>100000</del> → <ins>150000</ins>", html, re.I)
    # Paired by item and site: one changed line, not one removed and one added.
    assert 'class="entry-added"' not in html
    assert 'class="entry-removed"' not in html
    section = re.search(r'data-testid="diff-section-2".*?</section>', html, re.S).group(0)
    assert "Approach 2025" in section
    assert "Approach 2026" in section


def test_year_on_year_ignores_another_nations_and_unsubmitted_plans(client, owner, other, secretariat):
    old = PlanCycle.objects.create(year=2025, due_date=dt.date(2025, 6, 30))
    new = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    services.plan_start(actor=owner, nation=owner.nation, cycle=old)  # never submitted
    submitted_plan(other, old)
    plan = submitted_plan(owner, new)
    client.force_login(secretariat)
    response = client.get(url("plan-diff-yoy", pk=plan.pk))
    assert response.status_code == 200
    assert "Poland has no earlier plan you may see" in body(response)


def test_diff_query_count_is_the_same_at_two_sizes(client, owner, secretariat, django_assert_num_queries):
    client.force_login(owner)
    for year, entries in ((2026, 1), (2027, 8)):
        cycle = PlanCycle.objects.create(year=year, due_date=dt.date(year, 6, 30))
        plan = submitted_plan(owner, cycle, entries=entries, review_by=secretariat)
        services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("More.")])
        plan.refresh_from_db()
        for line in plan.current_version.capacitylines.all():
            services.entry_save(actor=owner, plan=plan, kind="capacityline", entry_id=line.pk,
                                fields={"surge_capacity": 1})  # fmt: skip
        # plan; versions; two versions with sections, three entry types and comments each
        with django_assert_num_queries(base_queries(owner) + 2 + 2 * 6):
            response = client.get(url("plan-diff", pk=plan.pk))
        assert body(response).count('class="entry-changed"') == entries
