"""The standards API: scoped reads, writes through the services, their rules as field messages,
403 and 404 by scope, 409 with what changed, and every answer checked against the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from portal.models import Nation, ObjectChange
from portal.tests.openapi import assert_matches_schema
from procurement import services as procurement_services
from procurement.tests.factories import ItemFactory, make_calloff, make_framework
from standards import services
from standards.choices import AuditEvent
from standards.models import ChangeProposal, ItemRequirement, NationalResponse, ReviewCycle, Standard
from standards.services import ResponseInput
from standards.tests.factories import make_domain, make_standard

pytestmark = pytest.mark.django_db

BASE = "/api/standards"
TODAY = dt.date.today()


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def ok(response, path: str, method: str = "get", status: int = 200):
    """The response, after checking its status and that the schema documents its body."""
    assert response.status_code == status, response.content
    assert_matches_schema(response, path, method)
    return response.json()


@pytest.fixture
def domain(secretariat):
    return make_domain(code="lbdm", name="Land battle decisive munitions", actor=secretariat)


@pytest.fixture
def standard(secretariat, domain):
    return make_standard(number="4425", edition="2", domain=domain, actor=secretariat)


@pytest.fixture
def poland():
    return Nation.objects.get(code="POL")


# --- Domains ----------------------------------------------------------------------------------


def test_the_secretariat_keeps_domains_and_a_stale_edit_is_a_409(api, secretariat, owner, make_user):
    as_user(api, secretariat)
    body = {"code": "amd", "name": "Air and missile defence", "name_fr": "Défense aérienne et antimissile"}
    created = ok(api.post(f"{BASE}/domains/", body), f"{BASE}/domains/", "post", 201)
    assert (created["code"], created["version"]) == ("amd", 1)
    url = f"{BASE}/domains/{created['id']}/"
    changed = ok(
        api.patch(url, {"name": "Air & missile defence", "version": 1}), f"{BASE}/domains/{{id}}/", "patch"
    )
    assert (changed["name"], changed["version"]) == ("Air & missile defence", 2)
    stale = api.patch(url, {"order": 5, "version": 1})
    body = ok(stale, f"{BASE}/domains/{{id}}/", "patch", 409)
    assert (body["current_version"], body["changed_fields"], body["changed_by"]) == (2, ["name"], ["sec"])
    duplicate = ok(
        api.post(f"{BASE}/domains/", {"code": "amd", "name": "Again"}), f"{BASE}/domains/", "post", 400
    )
    assert list(duplicate) == ["code"]
    assert ok(api.patch(url, {"name": "x"}), f"{BASE}/domains/{{id}}/", "patch", 400) == {
        "version": ["This field is required."]
    }

    # Everyone with a role reads them; only the secretariat writes them.
    partner = make_user("partner", "UKR", username="ukr")
    assert ok(as_user(api, partner).get(f"{BASE}/domains/"), f"{BASE}/domains/")["count"] == 1
    refused = as_user(api, owner).post(f"{BASE}/domains/", {"code": "x", "name": "x"})
    assert ok(refused, f"{BASE}/domains/", "post", 403)["code"] == "permission_denied"


# --- Editions ---------------------------------------------------------------------------------


def edition(domain, **fields) -> dict:
    return {
        "doc_type": "stanag",
        "number": "4426",
        "edition": "1",
        "title": "Fuzes",
        "status": "promulgated",
        "promulgated_on": "2021-06-30",
        "domain": domain.pk,
        "level": "interoperability",
        **fields,
    }


def test_editions_are_created_read_and_edited_with_their_version(api, secretariat, domain, standard):
    as_user(api, secretariat)
    # The review date is computed: a value sent for it is not an input.
    created = ok(
        api.post(f"{BASE}/standards/", edition(domain, review_cycle_months=24, next_review_due="2099-01-01")),
        f"{BASE}/standards/",
        "post",
        201,
    )
    assert (created["designation"], created["next_review_due"], created["domain_code"]) == (
        "STANAG 4426",
        "2023-06-30",
        "lbdm",
    )
    url = f"{BASE}/standards/{created['id']}/"
    edited = ok(
        api.patch(url, {"title": "Fuzes, renamed", "version": 1}), f"{BASE}/standards/{{id}}/", "patch"
    )
    assert (edited["title"], edited["version"]) == ("Fuzes, renamed", 2)
    stale = ok(
        api.patch(url, {"custodian": "AC/225", "version": 1}), f"{BASE}/standards/{{id}}/", "patch", 409
    )
    assert (stale["changed_fields"], stale["changed_by"]) == (["title"], ["sec"])

    # A new edition that is promulgated supersedes the one it names.
    newer = ok(
        api.post(f"{BASE}/standards/", edition(domain, number="4425", edition="3", supersedes=standard.pk)),
        f"{BASE}/standards/",
        "post",
        201,
    )
    old = ok(api.get(f"{BASE}/standards/{standard.pk}/"), f"{BASE}/standards/{{id}}/")
    assert (old["status"], old["superseded_by"], newer["supersedes"]) == (
        "superseded",
        newer["id"],
        standard.pk,
    )

    listed = ok(
        api.get(f"{BASE}/standards/", {"q": "STANAG 4425", "status": "promulgated"}), f"{BASE}/standards/"
    )
    assert [row["id"] for row in listed["results"]] == [newer["id"]]


def test_the_catalogues_rules_are_field_messages(api, secretariat, domain, standard):
    as_user(api, secretariat)
    path = f"{BASE}/standards/"
    duplicate = ok(api.post(path, edition(domain, number="4425", edition="2")), path, "post", 400)
    assert "already in the catalogue" in str(duplicate)
    study = make_standard(number="4427", status="study", domain=domain, actor=secretariat)
    refused = ok(
        api.post(path, edition(domain, number="4427", edition="2", supersedes=study.pk)), path, "post", 400
    )
    assert list(refused) == ["supersedes"]
    assert "Only a promulgated edition" in refused["supersedes"][0]
    missing_date = ok(api.post(path, edition(domain, promulgated_on=None)), path, "post", 400)
    assert list(missing_date) == ["promulgated_on"]
    assert ok(api.post(path, edition(domain, number="lower case")), path, "post", 400).keys() == {"number"}
    assert set(ok(api.post(path, {}), path, "post", 400)) >= {"doc_type", "number", "domain", "level"}
    assert ok(api.get(f"{path}999999/"), f"{path}{{id}}/", "get", 404)["code"] == "not_found"
    assert Standard.objects.count() == 2


def test_only_the_secretariat_writes_the_catalogue(api, owner, nspa, standard):
    for user in (owner, nspa):
        as_user(api, user)
        assert api.get(f"{BASE}/standards/{standard.pk}/").status_code == 200
        refused = api.patch(f"{BASE}/standards/{standard.pk}/", {"title": "x", "version": 1})
        assert ok(refused, f"{BASE}/standards/{{id}}/", "patch", 403)["code"] == "permission_denied"
    assert Standard.objects.get().title == standard.title


# --- National responses -----------------------------------------------------------------------


def test_a_director_records_and_edits_their_own_response(api, owner, standard):
    as_user(api, owner)
    path = f"{BASE}/responses/"
    body = {
        "standard": standard.pk,
        "ratification": "reservations",
        "reservations": "Right to deviate on the fuze well",
        "ratified_on": "2021-05-04",
        "implementation": "implemented",
        "implementation_date": "2022-01-01",
        "services": [{"service": "navy", "implementation": "planned", "implementation_date": "2030-01-01"}],
    }
    created = ok(api.post(path, body), path, "post", 201)
    assert (created["nation"], created["designation"], created["version"], created["updated_by"]) == (
        "POL",
        "STANAG 4425 Ed. 2",
        1,
        "owner_pol",
    )
    assert created["services"] == [
        {"service": "navy", "implementation": "planned", "implementation_date": "2030-01-01"}
    ]
    assert ObjectChange.objects.filter(action=AuditEvent.RESPONSE_RECORDED).count() == 1

    # Without a version, the client says it saw no response: 409, with what is recorded.
    again = ok(api.post(path, {**body, "ratification": "ratified"}), path, "post", 409)
    assert (again["current_version"], again["code"]) == (1, "conflict")
    # With the version it read, it changes the response: the fields left out stay.
    url = f"{path}{created['id']}/"
    edited = ok(api.patch(url, {"ratification": "ratified", "version": 1}), f"{path}{{id}}/", "patch")
    assert (edited["ratification"], edited["reservations"], edited["version"]) == (
        "ratified",
        "Right to deviate on the fuze well",
        2,
    )
    assert len(edited["services"]) == 1
    cleared = ok(api.patch(url, {"services": [], "version": 2}), f"{path}{{id}}/", "patch")
    assert (cleared["services"], cleared["version"]) == ([], 3)
    stale = ok(api.patch(url, {"reservations": "", "version": 1}), f"{path}{{id}}/", "patch", 409)
    assert (stale["current_version"], stale["changed_by"]) == (3, ["owner_pol"])
    assert "ratification" in stale["changed_fields"]
    assert NationalResponse.objects.get().reservations == "Right to deviate on the fuze well"


def test_the_rules_of_a_response_are_field_messages(api, owner, secretariat, standard, domain):
    as_user(api, owner)
    path = f"{BASE}/responses/"
    later = (TODAY + dt.timedelta(days=2)).isoformat()
    cases = [
        ({"ratification": "reservations"}, {"reservations"}),
        ({"implementation": "implemented"}, {"implemented_without_ratification"}),
        ({"implementation": "planned"}, {"implementation_date"}),
        ({"ratification": "ratified", "implementation": "implemented", "implementation_date": later},
         {"implementation_date"}),
        ({"ratified_on": "2020-01-01"}, {"ratified_on"}),
        ({"services": [{"service": "army", "implementation": "planned"}]}, {"services"}),
        ({"ratification": "maybe"}, {"ratification"}),
    ]  # fmt: skip
    for fields, expected in cases:
        refused = ok(api.post(path, {"standard": standard.pk, **fields}), path, "post", 400)
        assert set(refused) == expected, (fields, refused)
    study = make_standard(number="4439", status="study", domain=domain, actor=secretariat)
    refused = ok(api.post(path, {"standard": study.pk}), path, "post", 400)
    assert "takes no national response" in refused["standard"][0]
    assert not NationalResponse.objects.exists()

    # The secretariat records for a nation it names.
    as_user(api, secretariat)
    assert ok(api.post(path, {"standard": standard.pk}), path, "post", 400) == {
        "nation": ["Give the nation, by its code."]
    }
    created = ok(api.post(path, {"standard": standard.pk, "nation": "fra"}), path, "post", 201)
    assert created["nation"] == "FRA"
    assert (
        ObjectChange.objects.get(action=AuditEvent.RESPONSE_ON_BEHALF).message
        == "Recorded on behalf of France"
    )


def test_responses_are_for_allies_and_each_director_writes_their_own(
    api, owner, other, make_user, secretariat, standard, poland
):
    response = services.response_save(
        actor=secretariat, nation=poland, row=ResponseInput(standard=standard, ratification="ratified")
    )
    path = f"{BASE}/responses/"
    # Every Ally reads Poland's response; France's director may not change it.
    as_user(api, other)
    assert ok(api.get(path, {"nation": "pol", "ratification": "ratified"}), path)["count"] == 1
    refused = api.patch(f"{path}{response.pk}/", {"ratification": "will_not_ratify", "version": 1})
    assert ok(refused, f"{path}{{id}}/", "patch", 403)["detail"] == "You may not record responses for Poland."
    refused = api.post(path, {"standard": standard.pk, "nation": "POL", "version": 1})
    assert ok(refused, path, "post", 403)["code"] == "permission_denied"
    # Partners see nothing per nation.
    as_user(api, make_user("partner", "UKR", username="ukr"))
    assert ok(api.get(path), path)["count"] == 0
    assert ok(api.get(f"{path}{response.pk}/"), f"{path}{{id}}/", "get", 404)["code"] == "not_found"
    assert ok(api.post(path, {"standard": standard.pk}), path, "post", 403)["code"] == "permission_denied"
    assert NationalResponse.objects.get().version == 1


def test_a_bulk_save_saves_every_row_or_none(api, owner, secretariat, standard, domain, poland):
    second = make_standard(number="4426", edition="1", domain=domain, actor=secretariat)
    path = f"{BASE}/responses/bulk/"
    as_user(api, owner)
    rows = [
        {"standard": standard.pk, "ratification": "ratified", "version": 0},
        {"standard": second.pk, "ratification": "reservations", "version": 0},
    ]
    # Row 1 breaks a rule: nothing is saved, and the messages are by row index.
    refused = ok(api.post(path, {"rows": rows}), path, "post", 400)
    assert (refused["code"], refused["rows"]) == (
        "invalid",
        {"1": {"reservations": ["State the reservations."]}},
    )
    assert not NationalResponse.objects.exists()
    # A row the serializer cannot read is reported the same way.
    unreadable = ok(api.post(path, {"rows": [rows[0], {"standard": second.pk}]}), path, "post", 400)
    assert unreadable == {"rows": {"1": {"version": ["This field is required."]}}}

    rows[1]["reservations"] = "Fuze well depth"
    saved = ok(api.post(path, {"rows": rows}), path, "post")
    assert [(row["designation"], row["version"]) for row in saved] == [
        ("STANAG 4425 Ed. 2", 1),
        ("STANAG 4426 Ed. 1", 1),
    ]

    # The secretariat changes one of them meanwhile: a save from version 1 is stale for that row.
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=second, ratification="ratified", expected_version=1),
    )
    rows = [{**rows[0], "version": 1, "ratified_on": "2021-01-01"}, {**rows[1], "version": 1}]
    stale = ok(api.post(path, {"rows": rows}), path, "post", 409)
    assert [(row["standard"], row["current_version"], row["changed_by"]) for row in stale["rows"]] == [
        (second.pk, 2, ["sec"])
    ]
    assert "ratification" in stale["rows"][0]["changed_fields"]
    assert NationalResponse.objects.get(standard=standard).ratified_on is None

    # A director's bulk save is their own nation's.
    refused = ok(api.post(path, {"nation": "FRA", "rows": rows}), path, "post", 403)
    assert refused["detail"] == "You may not record responses for France."
    assert ok(api.post(path, {"rows": []}), path, "post", 400).keys() == {"rows"}


# --- Reviews and proposals --------------------------------------------------------------------


def test_a_review_is_opened_started_and_completed_with_a_new_edition(
    api, secretariat, owner, make_user, standard
):
    as_user(api, secretariat)
    path = f"{BASE}/reviews/"
    review = ok(api.post(path, {"standard": standard.pk, "due_on": "2026-03-31"}), path, "post", 201)
    assert (review["status"], review["outcome"], review["designation"]) == ("due", None, "STANAG 4425 Ed. 2")
    again = ok(api.post(path, {"standard": standard.pk, "due_on": "2026-06-30"}), path, "post", 400)
    assert list(again) == ["due_on"]

    url = f"{path}{review['id']}/"
    started = ok(api.post(f"{url}start/", {"version": 1}), f"{path}{{id}}/start/", "post")
    assert (started["status"], started["started_on"]) == ("in_progress", TODAY.isoformat())
    wrong = ok(api.post(f"{url}start/", {"version": 2}), f"{path}{{id}}/start/", "post", 409)
    assert (wrong["status"], wrong["allowed_from"]) == ("in_progress", ["due"])
    stale = ok(
        api.post(f"{url}complete/", {"outcome": "no_change", "version": 1}),
        f"{path}{{id}}/complete/",
        "post",
        409,
    )
    assert stale["current_version"] == 2
    no_name = ok(
        api.post(f"{url}complete/", {"outcome": "new_edition", "version": 2}),
        f"{path}{{id}}/complete/",
        "post",
        400,
    )
    assert list(no_name) == ["new_edition"]
    done = ok(
        api.post(f"{url}complete/", {"outcome": "new_edition", "new_edition": "3", "version": 2}),
        f"{path}{{id}}/complete/",
        "post",
    )
    new = Standard.objects.get(pk=done["new_edition"])
    assert (done["status"], done["outcome"], new.status, new.supersedes_id) == (
        "completed",
        "new_edition",
        "study",
        standard.pk,
    )
    assert ObjectChange.objects.filter(action=AuditEvent.REVIEW_COMPLETED).count() == 1

    # Directors read reviews; partners do not; only the secretariat runs them.
    as_user(api, owner)
    assert ok(api.get(url), f"{path}{{id}}/")["status"] == "completed"
    assert (
        ok(api.post(f"{url}start/", {"version": 3}), f"{path}{{id}}/start/", "post", 403)["code"]
        == "permission_denied"
    )
    as_user(api, make_user("partner", "UKR", username="ukr"))
    assert ok(api.get(url), f"{path}{{id}}/", "get", 404)["code"] == "not_found"
    assert ReviewCycle.objects.get().version == 3


def test_proposals_are_submitted_by_their_nation_and_decided_by_the_secretariat(
    api, owner, other, secretariat, standard
):
    path = f"{BASE}/proposals/"
    as_user(api, owner)
    proposal = ok(
        api.post(path, {"standard": standard.pk, "text": "Allow a deeper fuze well."}), path, "post", 201
    )
    assert (proposal["nation"], proposal["status"], proposal["submitted_by"]) == (
        "POL",
        "submitted",
        "owner_pol",
    )
    refused = ok(api.post(path, {"standard": standard.pk, "nation": "FRA", "text": "x"}), path, "post", 403)
    assert refused["detail"] == "You may propose changes only for your own nation."
    url = f"{path}{proposal['id']}/decide/"
    assert ok(api.post(url, {"status": "accepted", "version": 1}), f"{path}{{id}}/decide/", "post", 403)

    as_user(api, secretariat)
    assert ok(api.post(path, {"standard": standard.pk, "text": "x"}), path, "post", 400).keys() == {"nation"}
    decided = ok(
        api.post(url, {"status": "accepted", "decision": "Agreed for edition 3.", "version": 1}),
        f"{path}{{id}}/decide/",
        "post",
    )
    assert (decided["status"], decided["decided_on"]) == ("accepted", TODAY.isoformat())
    closed = ok(api.post(url, {"status": "rejected", "version": 2}), f"{path}{{id}}/decide/", "post", 409)
    assert (closed["status"], closed["allowed_from"]) == ("accepted", ["submitted", "under_consideration"])
    as_user(api, other)
    assert ok(api.get(path, {"nation": "POL"}), path)["count"] == 1
    assert ChangeProposal.objects.get().decision == "Agreed for edition 3."


# --- Item requirements and alerts -------------------------------------------------------------


def test_nspa_links_an_item_to_an_edition_and_removes_it(api, nspa, owner, standard):
    item = ItemFactory()
    path = f"{BASE}/requirements/"
    as_user(api, nspa)
    created = ok(api.post(path, {"item": item.pk, "standard": standard.pk}), path, "post", 201)
    assert (created["item_code"], created["designation"]) == (item.code, "STANAG 4425 Ed. 2")
    duplicate = ok(api.post(path, {"item": item.pk, "standard": standard.pk}), path, "post", 400)
    assert list(duplicate) == ["standard"]
    assert ok(api.get(path, {"item": item.pk}), path)["count"] == 1
    assert ok(api.get(path, {"item": item.pk + 1}), path)["count"] == 0
    as_user(api, owner)
    assert api.delete(f"{path}{created['id']}/").status_code == 403
    as_user(api, nspa)
    assert api.delete(f"{path}{created['id']}/").status_code == 204
    assert not ItemRequirement.objects.exists()
    assert ObjectChange.objects.filter(action="delete", content_type__model="itemrequirement").count() == 1


def test_alerts_show_a_nations_order_against_its_reservations(
    api, owner, other, nspa, secretariat, make_user, standard, poland, domain
):
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=standard, ratification="reservations", reservations="Fuze well"),
    )
    item = ItemFactory()
    services.requirement_add(actor=secretariat, item=item, standard=standard)
    framework = make_framework(actor=nspa, nations=("POL", "FRA"))
    line = procurement_services.framework_line_add(
        actor=nspa, framework=framework, item=item, unit_price=Decimal("10.00"), max_quantity=100
    )
    call_off = make_calloff(framework, nation="POL", quantity=10, actor=nspa, line=line)
    path = f"{BASE}/alerts/"

    as_user(api, owner)
    [alert] = ok(api.get(path), path)["results"]
    assert alert == {
        "kind": "reservations", "source": "call_off", "source_id": call_off.pk,
        "line_id": call_off.lines.get().pk, "source_label": call_off.reference, "nation": "POL",
        "nation_name": "Poland", "item": item.pk, "item_name": item.name, "standard": standard.pk,
        "designation": "STANAG 4425 Ed. 2", "domain": domain.pk, "domain_name": domain.name,
        "ratification": "reservations", "implementation": "not_implemented", "reservations": "Fuze well",
    }  # fmt: skip
    assert ok(api.get(path, {"kind": "not_ratified"}), path)["count"] == 0
    assert ok(api.get(path, {"domain": domain.pk, "source": "call_off", "nation": "pol"}), path)["count"] == 1
    bad = ok(api.get(path, {"nation": "ZZZ", "kind": "bad"}), path, "get", 400)
    assert set(bad) == {"nation", "kind"}
    # France's director sees only France's orders; partners see no alert at all.
    assert ok(as_user(api, other).get(path), path)["count"] == 0
    assert ok(as_user(api, secretariat).get(path), path)["count"] == 1
    assert ok(as_user(api, make_user("partner", "UKR", username="ukr")).get(path), path)["count"] == 0
