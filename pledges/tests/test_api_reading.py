"""Reading plans through the pledges API: draft visibility, list filters, cycles and the
year-on-year diff."""

from __future__ import annotations

import datetime as dt

import pytest

from pledges import services
from pledges.models import PlanCycle
from pledges.tests.api_helpers import PLAN, PLANS, client_for, returned, sections_of, submit
from pledges.tests.test_services import capacity_fields
from portal.tests.openapi import assert_matches_schema
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


BASE = "/api/pledges"


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


# --- Year-on-year diff ------------------------------------------------------------------------


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
