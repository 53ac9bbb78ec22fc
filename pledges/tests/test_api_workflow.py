"""The pledges API's review workflow end to end, and illegal transitions with their status codes."""

from __future__ import annotations

import pytest

from pledges import services
from pledges.models import NationalPlan, PlanSection
from pledges.services import CommentInput
from pledges.tests.api_helpers import PLAN, PLANS, capacity_body, client_for, sections_of, submit, to_review
from portal.tests.openapi import assert_matches_schema
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


# --- The whole workflow -----------------------------------------------------------------------


def test_the_whole_workflow_through_the_api(owner, secretariat, cycle):
    director, reviewer = client_for(owner), client_for(secretariat)
    item = ItemFactory(name="155 mm artillery round")

    # The director starts the plan: nine empty sections in a draft version 1.
    response = director.post(PLANS, {"cycle": 2026}, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, PLANS, "post")
    body = response.json()
    plan_id = body["id"]
    assert (body["nation"], body["status"], body["cycle"]) == ("POL", "draft", 2026)
    assert body["shown_version"]["number"] == 1
    assert sorted(sections_of(body)) == list(range(1, 10))
    detail = PLAN.format(id=plan_id)

    response = director.patch(f"{detail}sections/1/", {"narrative": "Multi-year contracts.", "version": 1})
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/sections/{commitment}/", "patch")
    assert (response.json()["narrative"], response.json()["version"]) == ("Multi-year contracts.", 2)
    response = director.post(f"{detail}entries/capacityline/", capacity_body(item))
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/entries/capacityline/", "post")
    assert response.json()["item_name"] == "155 mm artillery round"
    response = director.post(f"{detail}submit/", {})
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/submit/", "post")
    assert response.json()["status"] == "submitted"

    # The secretariat reviews and returns it with a comment on section 3.
    response = reviewer.post(f"{detail}start-review/", {})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["reviewer"]) == ("in_review", secretariat.username)
    response = reviewer.post(
        f"{detail}return/",
        {"comments": [{"text": "Give 2028 targets for 155 mm.", "commitment": 3}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/return/", "post")
    assert response.json()["status"] == "returned"

    # The director sees the comment and revises a new draft version, then resubmits.
    response = director.get(detail)
    assert_matches_schema(response, PLAN)
    body = response.json()
    assert body["status"] == "returned"
    assert (body["shown_version"]["number"], body["shown_version"]["frozen"]) == (2, False)
    assert [(c["commitment"], c["text"]) for c in body["review_comments"]] == [
        (3, "Give 2028 targets for 155 mm.")
    ]
    section3 = sections_of(body)[3]
    response = director.patch(
        f"{detail}sections/3/", {"narrative": "2028: 200,000 rounds.", "version": section3["version"]}
    )
    assert response.status_code == 200, response.content
    line_id = body["shown_version"]["capacity_lines"][0]["id"]
    response = director.patch(f"{detail}entries/capacityline/{line_id}/", {"target_output": 200000})
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/entries/capacityline/{entry_id}/", "patch")
    assert director.post(f"{detail}submit/", {"comment": "Targets added."}).json()["status"] == "submitted"

    # The secretariat reads the revision, compares it with version 1 and accepts.
    body = reviewer.get(detail).json()
    assert sections_of(body)[3]["narrative"] == "2028: 200,000 rounds."
    response = reviewer.get(f"{detail}versions/")
    assert_matches_schema(response, "/api/pledges/plans/{id}/versions/")
    assert [(v["number"], v["frozen"]) for v in response.json()] == [(1, True), (2, True)]
    response = reviewer.get(f"{detail}diff/", {"from": 1, "to": 2})
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/diff/")
    diff = response.json()
    assert [s["commitment"] for s in diff["sections"] if s["changed"]] == [3]
    [entry] = diff["entries"]
    assert entry["status"] == "changed"
    assert entry["changes"] == [{"field": "target_output", "old": "150000", "new": "200000"}]
    assert reviewer.post(f"{detail}start-review/", {}).status_code == 200
    response = reviewer.post(f"{detail}accept/", {"comment": "Complete."})
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/accept/", "post")
    assert response.json()["status"] == "accepted"
    assert NationalPlan.objects.get(pk=plan_id).status == "accepted"


# --- Illegal transitions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "who", "path", "body", "expected"),
    [
        ("draft", "secretariat", "start-review/", {}, 404),  # a draft does not exist for them
        ("draft", "nspa", "submit/", {}, 403),  # no role grant: refused before the plan is read
        ("draft", "other", "submit/", {}, 404),  # another nation's plan
        ("draft", "owner", "accept/", {}, 403),
        ("draft", "owner", "start-review/", {}, 403),
        ("submitted", "owner", "submit/", {}, 409),
        ("submitted", "secretariat", "accept/", {}, 409),
        ("submitted", "secretariat", "return/", {"comments": [{"text": "x"}]}, 409),
        ("submitted", "secretariat", "submit/", {}, 403),
        ("submitted", "nspa", "start-review/", {}, 403),
        ("submitted", "partner", "submit/", {}, 403),
        ("in_review", "secretariat", "start-review/", {}, 409),
        ("in_review", "secretariat", "return/", {"comments": []}, 400),
        ("in_review", "secretariat", "return/", {"comments": [{"text": "  "}]}, 400),
        ("in_review", "secretariat", "return/", {"comments": [{"text": "x", "commitment": 12}]}, 400),
        ("in_review", "owner", "submit/", {}, 409),
        ("returned", "secretariat", "accept/", {}, 409),
        ("accepted", "secretariat", "return/", {"comments": [{"text": "Late remark."}]}, 409),
        ("accepted", "owner", "submit/", {}, 409),
    ],
)
def test_illegal_transitions(
    state, who, path, body, expected, plan, owner, other, secretariat, nspa, make_user
):
    if state != "draft":
        submit(plan, owner)
    if state in {"in_review", "returned", "accepted"}:
        services.plan_start_review(actor=secretariat, plan=plan)
    if state == "returned":
        services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("More.")])
    if state == "accepted":
        services.plan_accept(actor=secretariat, plan=plan)
    users = {
        "owner": owner,
        "other": other,
        "secretariat": secretariat,
        "nspa": nspa,
        "partner": make_user("partner", "UKR"),
    }
    before = NationalPlan.objects.get(pk=plan.pk)
    response = client_for(users[who]).post(f"{PLAN.format(id=plan.pk)}{path}", body, format="json")
    assert response.status_code == expected, response.content
    if expected == 409:
        assert_matches_schema(response, f"/api/pledges/plans/{{id}}/{path}", "post")
        assert response.json()["status"] == state
    if expected == 400:
        assert "comments" in response.json()
    after = NationalPlan.objects.get(pk=plan.pk)
    assert (after.status, after.version) == (before.status, before.version)


def test_return_without_a_comment_says_so(plan, owner, secretariat):
    to_review(plan, owner, secretariat)
    response = client_for(secretariat).post(
        f"{PLAN.format(id=plan.pk)}return/", {"comments": [{"text": " ", "commitment": None}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"comments": ["Give at least one comment when returning a plan."]}


def test_a_plan_has_no_update_or_delete(plan, owner):
    api = client_for(owner)
    url = PLAN.format(id=plan.pk)
    assert api.patch(url, {"status": "accepted"}).status_code == 405
    assert api.put(url, {"status": "accepted", "cycle": 2026}).status_code == 405
    assert api.delete(url).status_code == 405
    assert NationalPlan.objects.get(pk=plan.pk).status == "draft"


def test_a_submitted_plan_cannot_be_edited(plan, owner):
    submit(plan, owner)
    api = client_for(owner)
    url = PLAN.format(id=plan.pk)
    response = api.patch(f"{url}sections/1/", {"narrative": "late", "version": 1})
    assert response.status_code == 409
    assert_matches_schema(response, "/api/pledges/plans/{id}/sections/{commitment}/", "patch")
    assert api.post(f"{url}entries/measure/", {"commitment": 1, "title": "Late"}).status_code == 409
    assert PlanSection.objects.filter(narrative="late").count() == 0
