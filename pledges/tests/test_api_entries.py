"""Writing plans through the pledges API: mass assignment, entries, and optimistic locking with two
clients."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from pledges import services
from pledges.models import NationalPlan, PlanCycle, PlanSection
from pledges.tests.api_helpers import PLAN, PLANS, capacity_body, client_for, sections_of
from portal.tests.openapi import assert_matches_schema
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


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
