"""The pledges API: the whole review workflow, illegal transitions and their status codes, mass
assignment, optimistic locking with two clients, draft visibility and pinned query counts."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import schemathesis
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from pledges import services
from pledges.models import CapacityLine, Investment, Measure, NationalPlan, PlanCycle, PlanSection
from pledges.services import CommentInput
from pledges.tests.test_services import capacity_fields
from portal.tests.factories import api_token
from portal.tests.openapi import assert_matches_schema, openapi
from procurement.tests.factories import ItemFactory
from tests.test_api_fuzz import wsgi_app  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BASE = "/api/pledges"
PLANS = "/api/pledges/plans/"
PLAN = "/api/pledges/plans/{id}/"
ENTRY_MODELS_BY_KIND = {"capacityline": CapacityLine, "investment": Investment, "measure": Measure}


def client_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def cycle():
    return PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))


@pytest.fixture
def plan(owner, cycle):
    return services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)


def capacity_body(item, **overrides) -> dict:
    """A capacity line as the API takes it: the item by id."""
    return {**capacity_fields(item=item), "item": item.pk, **overrides}


def sections_of(body) -> dict[int, dict]:
    return {section["commitment"]: section for section in body["shown_version"]["sections"]}


def submit(plan, owner):
    return services.plan_submit(actor=owner, plan=plan)


def to_review(plan, owner, secretariat):
    submit(plan, owner)
    return services.plan_start_review(actor=secretariat, plan=plan)


def returned(plan, owner, secretariat, text="Give 2028 targets."):
    to_review(plan, owner, secretariat)
    return services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput(text, 3)])


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


# --- Mass assignment --------------------------------------------------------------------------


def test_mass_assignment_is_ignored(owner, cycle, secretariat):
    response = client_for(owner).post(
        PLANS,
        {
            "cycle": 2026,
            "nation": "FRA",
            "status": "accepted",
            "reviewer": secretariat.username,
            "version": 99,
            "current_version": 7,
            "overdue": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    plan = NationalPlan.objects.get(pk=response.json()["id"])
    assert (plan.nation.code, plan.status, plan.reviewer, plan.version) == ("POL", "draft", None, 1)
    assert plan.current_version.number == 1
    assert not plan.overdue

    line = client_for(owner).post(
        f"{PLAN.format(id=plan.pk)}entries/capacityline/",
        {
            **capacity_body(ItemFactory()),
            "illustrative": True,
            "key": "00000000-0000-0000-0000-000000000001",
            "plan_version": 12345,
        },
        format="json",
    )
    assert line.status_code == 201, line.content
    body = line.json()
    assert body["illustrative"] is False
    assert body["key"] != "00000000-0000-0000-0000-000000000001"
    assert plan.current_version.capacitylines.get().pk == body["id"]


def test_only_a_director_starts_a_plan_and_only_their_own(owner, other, secretariat, nspa, cycle, make_user):
    assert client_for(secretariat).post(PLANS, {"cycle": 2026}).status_code == 403
    assert client_for(nspa).post(PLANS, {"cycle": 2026}).status_code == 403
    admin = make_user(None, None, is_superuser=True)
    assert client_for(admin).post(PLANS, {"cycle": 2026}).status_code == 403  # no nation of their own
    assert client_for(owner).post(PLANS, {"cycle": 2026}).status_code == 201
    # One plan per nation and cycle; a cycle that does not exist is a field error.
    response = client_for(owner).post(PLANS, {"cycle": 2026})
    assert response.status_code == 400
    assert "cycle" in response.json()
    response = client_for(owner).post(PLANS, {"cycle": 2031})
    assert response.status_code == 400
    assert "no plan cycle 2031" in response.json()["cycle"][0]
    assert client_for(other).post(PLANS, {"cycle": 2026}).status_code == 201
    assert sorted(NationalPlan.objects.values_list("nation__code", flat=True)) == ["FRA", "POL"]


# --- Entries ----------------------------------------------------------------------------------


def test_entries_add_edit_remove_and_field_errors(plan, owner):
    api = client_for(owner)
    url = PLAN.format(id=plan.pk)
    response = api.post(f"{url}entries/capacityline/", capacity_body(ItemFactory(), target_year=2020))
    assert response.status_code == 400
    assert "target_year" in response.json()
    response = api.post(
        f"{url}entries/investment/",
        {"commitment": 3, "description": "New TNT line", "kind": "new", "value": "120000000.00",
         "currency": "PLN", "year": 2025},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/entries/investment/", "post")
    investment_id = response.json()["id"]
    response = api.post(f"{url}entries/measure/", {"commitment": 1, "title": "Multi-year contracts"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "planned"
    measure_id = response.json()["id"]
    response = api.patch(f"{url}entries/measure/{measure_id}/", {"status": "done"})
    assert response.status_code == 200
    assert_matches_schema(response, "/api/pledges/plans/{id}/entries/measure/{entry_id}/", "patch")
    assert response.json()["status"] == "done"
    assert api.patch(f"{url}entries/measure/{measure_id}/", {"status": "bogus"}).status_code == 400
    # An id that is not an entry of this draft is a 404.
    assert api.patch(f"{url}entries/measure/{measure_id + 1000}/", {"title": "x"}).status_code == 404
    assert api.delete(f"{url}entries/investment/{investment_id}/").status_code == 204
    assert api.delete(f"{url}entries/investment/{investment_id}/").status_code == 404
    body = api.get(url).json()["shown_version"]
    assert ([m["title"] for m in body["measures"]], body["investments"]) == (["Multi-year contracts"], [])


def test_another_nations_director_cannot_touch_entries(plan, owner, other):
    api = client_for(other)
    url = PLAN.format(id=plan.pk)
    assert api.post(f"{url}entries/measure/", {"commitment": 1, "title": "Sabotage"}).status_code == 404
    assert api.patch(f"{url}sections/1/", {"narrative": "x", "version": 1}).status_code == 404
    assert not plan.current_version.measures.exists()


# --- Optimistic locking -----------------------------------------------------------------------


def test_a_stale_section_save_is_a_409_with_the_current_text(plan, owner, make_user):
    colleague = make_user("director", "POL", username="colleague_pol")
    first, second = client_for(owner), client_for(colleague)
    url = f"{PLAN.format(id=plan.pk)}sections/2/"
    # Both open the plan at the same section version.
    read = {sections_of(api.get(PLAN.format(id=plan.pk)).json())[2]["version"] for api in (first, second)}
    assert read == {1}
    assert first.patch(url, {"narrative": "Owner's text", "version": 1}).status_code == 200
    response = second.patch(url, {"narrative": "Colleague's text", "version": 1})
    assert response.status_code == 409
    assert_matches_schema(response, "/api/pledges/plans/{id}/sections/{commitment}/", "patch")
    body = response.json()
    assert body["code"] == "conflict"
    assert body["current"] == {"narrative": "Owner's text", "version": 2}
    assert (body["current_version"], body["changed_by"]) == (2, [owner.username])
    assert "narrative" in body["changed_fields"]
    # Nothing was overwritten; saving again from the current version works.
    assert (
        PlanSection.objects.get(plan_version=plan.current_version, commitment=2).narrative == "Owner's text"
    )
    response = second.patch(url, {"narrative": "Owner's text, merged", "version": 2})
    assert response.status_code == 200
    assert response.json()["version"] == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_clients_saving_at_once_one_wins_the_other_gets_409(make_user, nation):
    cycle = PlanCycle.objects.create(year=2028, due_date=dt.date(2028, 6, 30))
    a = make_user("director", "NLD", username="nld_api_a")
    b = make_user("director", "NLD", username="nld_api_b")
    plan = services.plan_start(actor=a, nation=nation("NLD"), cycle=cycle)
    url = f"{PLAN.format(id=plan.pk)}sections/4/"
    barrier = threading.Barrier(2)
    responses = {}

    def save(user, text):
        try:
            api = client_for(user)
            barrier.wait(timeout=10)
            responses[text] = api.patch(url, {"narrative": text, "version": 1}, format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(u, t)) for u, t in ((a, "A's text"), (b, "B's text"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    codes = sorted(r.status_code for r in responses.values())
    assert codes == [200, 409], codes
    winner = PlanSection.objects.get(plan_version=plan.current_version, commitment=4).narrative
    [loser] = [r for r in responses.values() if r.status_code == 409]
    assert loser.json()["current"] == {"narrative": winner, "version": 2}


# --- Visibility -------------------------------------------------------------------------------


def test_drafts_are_invisible_to_everyone_but_their_nation(plan, owner, other, secretariat, nspa):
    url = PLAN.format(id=plan.pk)
    for user in (other, secretariat, nspa):
        api = client_for(user)
        assert api.get(PLANS).json()["results"] == []
        assert api.get(url).status_code == 404
        assert api.get(f"{url}versions/").status_code == 404
        assert api.get(f"{url}diff/", {"from": 1, "to": 1}).status_code == 404
    assert client_for(owner).get(url).status_code == 200


def test_a_returned_plans_new_draft_stays_with_its_nation(plan, owner, secretariat, nspa):
    url = PLAN.format(id=plan.pk)
    services.section_save(
        actor=owner, section=plan.current_version.sections.get(commitment=1), narrative="Submitted text",
        expected_version=1,
    )  # fmt: skip
    returned(plan, owner, secretariat)
    plan.refresh_from_db()
    services.section_save(
        actor=owner, section=plan.current_version.sections.get(commitment=1), narrative="Secret revision",
        expected_version=1,
    )  # fmt: skip
    body = client_for(secretariat).get(url).json()
    assert (body["status"], body["shown_version"]["number"]) == ("returned", 1)
    assert sections_of(body)[1]["narrative"] == "Submitted text"
    assert [c["text"] for c in body["review_comments"]] == ["Give 2028 targets."]
    assert [v["number"] for v in client_for(secretariat).get(f"{url}versions/").json()] == [1]
    response = client_for(secretariat).get(f"{url}diff/", {"from": 1, "to": 2})
    assert response.status_code == 400
    assert response.json() == {"to": ["This plan has no version 2."]}
    assert sections_of(client_for(owner).get(url).json())[1]["narrative"] == "Secret revision"
    # NSPA reads a submitted plan's capacity lines only: the rest is hidden (null), not empty.
    body = client_for(nspa).get(url).json()
    assert body["shown_version"]["capacity_lines"] == []
    assert body["shown_version"]["sections"] is None
    assert body["review_comments"] is None
    # Comparing versions means reading their narratives: not NSPA's to do.
    assert client_for(nspa).get(f"{url}diff/", {"from": 1, "to": 1}).status_code == 403
    assert client_for(nspa).get(f"{url}diff/previous-cycle/").status_code == 403


def test_list_filters(owner, other, secretariat, cycle):
    polish = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    french = services.plan_start(actor=other, nation=other.nation, cycle=cycle)
    submit(polish, owner)
    submit(french, other)
    services.plan_start_review(actor=secretariat, plan=french)
    api = client_for(secretariat)

    def ids(**query):
        response = api.get(PLANS, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(status="in_review") == [french.pk]
    assert ids(nation="pol") == [polish.pk]
    assert sorted(ids(cycle=2026)) == sorted([polish.pk, french.pk])
    assert ids(cycle=2025) == []
    assert api.get(PLANS, {"status": "bogus"}).status_code == 400
    assert_matches_schema(api.get(PLANS), PLANS)


# --- Cycles -----------------------------------------------------------------------------------


def test_the_secretariat_opens_cycles(secretariat, owner, cycle):
    response = client_for(secretariat).post(f"{BASE}/cycles/", {"year": 2027, "due_date": "2027-06-30"})
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/pledges/cycles/", "post")
    assert (
        client_for(secretariat)
        .post(f"{BASE}/cycles/", {"year": 2027, "due_date": "2027-07-01"})
        .json()["year"]
    )
    assert (
        client_for(owner).post(f"{BASE}/cycles/", {"year": 2029, "due_date": "2029-06-30"}).status_code == 403
    )
    response = client_for(owner).get(f"{BASE}/cycles/2027/")
    assert response.json() == {"year": 2027, "due_date": "2027-06-30"}
    assert_matches_schema(response, "/api/pledges/cycles/{year}/")
    assert [c["year"] for c in client_for(owner).get(f"{BASE}/cycles/").json()["results"]] == [2027, 2026]


# --- Query counts -----------------------------------------------------------------------------


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def _grow(plan, owner, secretariat, n: int):
    """A returned plan with n entries of each kind, and more nations' submitted plans."""
    for i in range(n):
        services.entry_save(
            actor=owner, plan=plan, kind="capacityline",
            fields=capacity_fields(site=f"Site {i}"),
        )  # fmt: skip
        services.entry_save(
            actor=owner, plan=plan, kind="investment",
            fields={"commitment": 3, "description": f"Line {i}", "kind": "new", "value": 1, "currency": "EUR",
                    "year": 2025},
        )  # fmt: skip
        services.entry_save(
            actor=owner, plan=plan, kind="measure", fields={"commitment": 1, "title": f"M {i}"}
        )


def test_query_counts_do_not_grow_with_the_data(owner, secretariat, make_user, cycle, nation):
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    _grow(plan, owner, secretariat, 1)
    returned(plan, owner, secretariat)
    url = PLAN.format(id=plan.pk)
    counts = []
    for size, codes in ((1, ["DEU"]), (6, ["FRA", "ITA", "ESP", "NLD", "BEL"])):
        if size > 1:
            plan.refresh_from_db()
            _grow(plan, owner, secretariat, size)
            services.plan_submit(actor=owner, plan=plan)
            services.plan_start_review(actor=secretariat, plan=plan)
            services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("Again.", 2)] * 3)
        for code in codes:
            director = make_user("director", code)
            other_plan = services.plan_start(actor=director, nation=nation(code), cycle=cycle)
            submit(other_plan, director)
            services.plan_start_review(actor=secretariat, plan=other_plan)
        counts.append(
            (
                _count(client_for(secretariat), PLANS),
                _count(client_for(secretariat), url),
                _count(client_for(owner), url),
                _count(client_for(secretariat), f"{url}versions/"),
            )
        )
    assert len(client_for(secretariat).get(PLANS).json()["results"]) == 7
    assert counts[0] == counts[1], counts


# --- Fuzzing with a real plan -----------------------------------------------------------------

PLAN_OPERATIONS = [
    (path, method.upper())
    for path, item in openapi()["paths"].items()
    if path.startswith("/api/pledges/plans/{id}/")
    for method in item
    if method in {"get", "post", "patch", "delete"}
]


@pytest.mark.parametrize(("path", "method"), PLAN_OPERATIONS)
def test_no_input_breaks_a_real_plan(path, method, plan, owner, request):
    """``tests/test_api_fuzz.py`` mostly meets 404s (random ids); here every generated request
    targets the director's real draft plan and its real entries, so the bodies reach the services."""
    app = request.getfixturevalue("wsgi_app")
    services.entry_save(
        actor=owner, plan=plan, kind="measure", fields={"commitment": 1, "title": "Fuzzed measure"}
    )
    services.entry_save(actor=owner, plan=plan, kind="capacityline", fields=capacity_fields())
    services.entry_save(
        actor=owner, plan=plan, kind="investment",
        fields={"commitment": 3, "description": "Fuzzed line", "kind": "new", "value": 1, "currency": "EUR",
                "year": 2025},
    )  # fmt: skip
    entry_ids = {
        kind: model.objects.values_list("pk", flat=True).first()
        for kind, model in ENTRY_MODELS_BY_KIND.items()
    }
    token = api_token(owner)
    operation = schemathesis.openapi.from_dict(openapi())[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.path_parameters["id"] = str(plan.pk)
        kind = path.split("/entries/")[-1].split("/")[0] if "{entry_id}" in path else None
        if kind and entry_ids.get(kind):
            case.path_parameters["entry_id"] = str(entry_ids[kind])
        case.call_and_validate(
            app=app,
            headers={"Authorization": f"Token {token}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    check()


def test_year_on_year_diff_against_the_previous_cycle(owner, secretariat, cycle):
    earlier = PlanCycle.objects.create(year=2025, due_date=dt.date(2025, 6, 30))
    last_year = services.plan_start(actor=owner, nation=owner.nation, cycle=earlier)
    this_year = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    url = f"{PLAN.format(id=this_year.pk)}diff/previous-cycle/"
    # Nothing earlier to compare the 2025 plan with.
    assert client_for(owner).get(f"{PLAN.format(id=last_year.pk)}diff/previous-cycle/").status_code == 404
    item = ItemFactory()
    for plan, output in ((last_year, 100000), (this_year, 150000)):
        services.entry_save(
            actor=owner,
            plan=plan,
            kind="capacityline",
            fields=capacity_fields(item=item, current_output=output),
        )
        services.entry_save(
            actor=owner, plan=plan, kind="measure", fields={"commitment": 1, "title": f"M{output}"}
        )
    response = client_for(owner).get(url)
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/pledges/plans/{id}/diff/previous-cycle/")
    body = response.json()
    assert (body["old_cycle"], body["new_cycle"]) == (2025, 2026)
    statuses = sorted((e["kind"], e["status"]) for e in body["entries"])
    assert statuses == [("capacityline", "changed"), ("measure", "added"), ("measure", "removed")]
    [line] = [e for e in body["entries"] if e["kind"] == "capacityline"]
    assert line["changes"] == [{"field": "current_output", "old": "100000", "new": "150000"}]
    # The secretariat compares only what it may read: the 2025 plan was never submitted.
    submit(this_year, owner)
    assert client_for(secretariat).get(url).status_code == 404
    submit(last_year, owner)
    assert client_for(secretariat).get(url).status_code == 200
