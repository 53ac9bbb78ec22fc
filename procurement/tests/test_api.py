"""The procurement API: scoped reads, NSPA writes through the services, the rules as field errors,
optimistic locking, idempotent deliveries, pagination and pinned query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.models import ObjectChange
from portal.tests.openapi import assert_matches_schema
from procurement import services
from procurement.models import (
    CallOff,
    DemandSignal,
    FrameworkContract,
    Item,
)
from procurement.tests.api_helpers import BASE, as_user, count_queries, deliver, nspa_nation
from procurement.tests.factories import ItemFactory, make_calloff, make_framework
from standards import services as standards_services
from standards.tests.factories import make_standard

# --- Catalogue, programmes, suppliers ---------------------------------------------------------


def test_nspa_creates_and_edits_an_item(api, nspa, owner):
    response = as_user(api, nspa).post(
        f"{BASE}/items/",
        {
            "code": "155mm-round",
            "name": "155 mm artillery round",
            "capability_area": "lbdm",
            "unit": "round",
            "nato_stock_number": "1320-12-345-6789",
        },
    )
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/procurement/items/", "post")
    item_id = response.json()["id"]
    response = api.patch(f"{BASE}/items/{item_id}/", {"name": "155 mm HE round"})
    assert response.status_code == 200
    assert_matches_schema(response, "/api/procurement/items/{id}/", "patch")
    assert response.json()["name"] == "155 mm HE round"
    assert response.json()["required_standards"] == []
    # The editions it must meet are the standards app's requirements, listed on the item.
    edition = make_standard(number="4425", edition="2")
    standards_services.requirement_add(actor=nspa, item=Item.objects.get(pk=item_id), standard=edition)
    response = api.get(f"{BASE}/items/{item_id}/")
    assert_matches_schema(response, "/api/procurement/items/{id}/", "get")
    assert response.json()["required_standards"] == [
        {"id": edition.pk, "designation": "STANAG 4425", "edition": "2"}
    ]
    assert ObjectChange.objects.filter(object_id=str(item_id), action="update").count() == 1

    # A director reads the catalogue but may not change it.
    as_user(api, owner)
    assert api.get(f"{BASE}/items/{item_id}/").status_code == 200
    assert api.patch(f"{BASE}/items/{item_id}/", {"name": "x"}).status_code == 403
    assert api.post(f"{BASE}/items/", {"code": "x"}).status_code == 403


def test_items_list_their_required_editions_in_a_constant_number_of_queries(api, nspa):
    as_user(api, nspa)
    first = ItemFactory()
    standards_services.requirement_add(actor=nspa, item=first, standard=make_standard())
    small = count_queries(api, f"{BASE}/items/")
    items = [first, ItemFactory(), ItemFactory()]
    for item in items:
        for _ in range(2):
            standards_services.requirement_add(actor=nspa, item=item, standard=make_standard())
    response = api.get(f"{BASE}/items/")
    assert_matches_schema(response, "/api/procurement/items/")
    listed = {row["id"]: len(row["required_standards"]) for row in response.json()["results"]}
    assert listed == {items[0].pk: 3, items[1].pk: 2, items[2].pk: 2}
    assert count_queries(api, f"{BASE}/items/") == small


def test_item_model_rules_are_field_errors(api, nspa):
    ItemFactory(code="taken")
    response = as_user(api, nspa).post(
        f"{BASE}/items/",
        {"code": "taken", "name": "x", "capability_area": "lbdm", "unit": "round", "nato_stock_number": "12"},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"code", "nato_stock_number"}


def test_programme_and_members(api, nspa, make_user):
    as_user(api, nspa)
    response = api.post(f"{BASE}/programmes/", {"code": "asp", "name": "ASP", "kind": "partnership"})
    assert response.status_code == 201, response.content
    programme_id = response.json()["id"]
    url = f"{BASE}/programmes/{programme_id}/members/"
    response = api.post(url, {"nation": "POL", "joined_on": "2020-01-01"})
    assert response.status_code == 201
    assert_matches_schema(response, "/api/procurement/programmes/{id}/members/", "post")
    response = api.post(url, {"nation": "POL", "joined_on": "2021-01-01"})
    assert response.status_code == 400
    assert "already a member" in response.json()["nation"][0]
    assert api.post(url, {"nation": "XXX", "joined_on": "2021-01-01"}).json()["nation"]
    detail = api.get(f"{BASE}/programmes/{programme_id}/")
    assert_matches_schema(detail, "/api/procurement/programmes/{id}/")
    assert detail.json()["members"] == [{"nation": "POL", "joined_on": "2020-01-01"}]

    partner = make_user("partner", "UKR", username="ukr")
    as_user(api, partner)
    assert api.get(f"{BASE}/programmes/{programme_id}/").status_code == 404
    assert api.get(f"{BASE}/programmes/").json()["count"] == 0
    assert api.post(url, {"nation": "UKR", "joined_on": "2021-01-01"}).status_code == 403


def test_suppliers(api, nspa, owner):
    response = as_user(api, nspa).post(f"{BASE}/suppliers/", {"name": "Nexter", "country": "fr"})
    assert response.status_code == 400
    assert "country" in response.json()
    response = api.post(f"{BASE}/suppliers/", {"name": "Nexter", "country": "FRA"})
    assert response.status_code == 201
    assert_matches_schema(response, "/api/procurement/suppliers/", "post")
    as_user(api, owner)
    assert api.get(f"{BASE}/suppliers/", {"country": "FRA"}).json()["count"] == 1
    assert api.post(f"{BASE}/suppliers/", {"name": "Other", "country": "FRA"}).status_code == 403


# --- Demand ---------------------------------------------------------------------------------


def test_director_files_own_demand_and_only_own(api, owner, other):
    item = ItemFactory()
    as_user(api, owner)
    body = {"item": item.pk, "year": 2026, "quantity": 1000, "firmness": "firm"}
    response = api.post(f"{BASE}/demand-signals/", body)
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/procurement/demand-signals/", "post")
    assert response.json()["nation"] == "POL"
    assert response.json()["version"] == 1

    # The same cell again is an update of that row, not a second row.
    response = api.post(f"{BASE}/demand-signals/", {**body, "quantity": 1200, "version": 1})
    assert response.status_code == 200
    assert response.json()["quantity"] == 1200
    assert response.json()["version"] == 2
    assert DemandSignal.objects.count() == 1

    changes = ObjectChange.objects.count()
    response = api.post(f"{BASE}/demand-signals/", {**body, "nation": "FRA"})
    assert response.status_code == 403
    assert response.json()["detail"] == "A director files demand for their own nation only."
    # The row was saved, then refused by the ADD scope: rolled back with its audit row.
    assert not DemandSignal.objects.filter(nation__code="FRA").exists()
    assert ObjectChange.objects.count() == changes

    # France's director sees nothing of Poland's demand.
    signal_id = DemandSignal.objects.get().pk
    as_user(api, other)
    assert api.get(f"{BASE}/demand-signals/").json()["count"] == 0
    assert api.get(f"{BASE}/demand-signals/{signal_id}/").status_code == 404
    assert api.patch(f"{BASE}/demand-signals/{signal_id}/", {"quantity": 1, "version": 2}).status_code == 404
    assert api.delete(f"{BASE}/demand-signals/{signal_id}/").status_code == 404


def test_nspa_files_demand_on_a_nations_behalf(api, nspa, secretariat):
    item = ItemFactory()
    as_user(api, nspa)
    body = {"item": item.pk, "year": 2027, "quantity": 50, "firmness": "planned"}
    response = api.post(f"{BASE}/demand-signals/", body)
    assert response.status_code == 400
    assert "nation" in response.json()
    response = api.post(f"{BASE}/demand-signals/", {**body, "nation": "POL"})
    assert response.status_code == 201
    change = ObjectChange.objects.get(object_id=str(response.json()["id"]), action="create")
    assert "on behalf of Poland" in change.message
    as_user(api, secretariat)
    assert api.get(f"{BASE}/demand-signals/").json()["count"] == 1
    assert api.post(f"{BASE}/demand-signals/", {**body, "nation": "POL"}).status_code == 403


def test_demand_signal_field_errors_and_mass_assignment(api, owner, nspa):
    item = ItemFactory()
    as_user(api, owner)
    response = api.post(
        f"{BASE}/demand-signals/", {"item": item.pk, "year": 1800, "quantity": -1, "firmness": "maybe"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"year", "quantity", "firmness"}
    response = api.post(
        f"{BASE}/demand-signals/",
        {
            "item": item.pk,
            "year": 2026,
            "quantity": 5,
            "firmness": "firm",
            "filed_by": nspa.pk,
            "updated_at": "2000-01-01T00:00:00Z",
            "id": 999999,
        },
    )
    assert response.status_code == 201
    signal = DemandSignal.objects.get()
    assert signal.filed_by == owner
    assert signal.pk != 999999
    assert signal.updated_at.year > 2000


def test_demand_signal_optimistic_locking(api, owner, make_user):
    delegate = make_user("director", "POL", username="pol_delegate")
    item = ItemFactory()
    signal = services.demand_signal_set(
        actor=owner, nation=owner.nation, item=item, year=2026, quantity=10, firmness="firm"
    )
    url = f"{BASE}/demand-signals/{signal.pk}/"
    response = as_user(api, delegate).patch(url, {"quantity": 20, "version": 1})
    assert response.status_code == 200
    assert_matches_schema(response, "/api/procurement/demand-signals/{id}/", "patch")
    assert response.json()["version"] == 2
    assert response.json()["firmness"] == "firm"

    # The owner still holds version 1: their write is refused and told what changed, by whom.
    response = as_user(api, owner).patch(url, {"firmness": "planned", "version": 1})
    assert response.status_code == 409
    assert_matches_schema(response, "/api/procurement/demand-signals/{id}/", "patch")
    body = response.json()
    assert body["code"] == "conflict"
    assert body["current_version"] == 2
    assert "quantity" in body["changed_fields"]
    assert "firmness" not in body["changed_fields"]
    assert body["changed_by"] == ["pol_delegate"]
    assert DemandSignal.objects.get().firmness == "firm"

    assert api.patch(url, {"firmness": "planned"}).json() == {"version": ["This field is required."]}
    assert api.delete(url + "?version=1").status_code == 409
    assert api.delete(url + "?version=x").status_code == 400
    assert api.delete(url + "?version=2").status_code == 204
    assert not DemandSignal.objects.exists()


# --- Frameworks -----------------------------------------------------------------------------


def framework_body(**overrides):
    return {
        "reference": "NSPA-155-2024",
        "title": "155 mm ammunition",
        "currency": "EUR",
        "ceiling_value": "1100000000.00",
        "firm_order_value": "0.00",
        "period_start": "2024-01-23",
        "period_end": "2027-01-23",
        "status": "active",
        **overrides,
    }


def test_nspa_creates_a_framework_and_derived_fields_are_not_assignable(api, nspa, owner):
    supplier = services.supplier_create(actor=nspa, name="Nexter", country="FRA")
    response = as_user(api, nspa).post(
        f"{BASE}/frameworks/",
        framework_body(
            suppliers=[supplier.pk], committed_value="999.00", version=7, created_at="2000-01-01T00:00:00Z"
        ),
    )
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/procurement/frameworks/", "post")
    body = response.json()
    assert body["committed_value"] == "0.00"
    assert body["remaining_value"] == "1100000000.00"
    assert body["version"] == 1
    assert [s["name"] for s in body["suppliers"]] == ["Nexter"]
    assert FrameworkContract.objects.get().committed_value == 0

    response = api.post(f"{BASE}/frameworks/", framework_body(reference="B", period_end="2023-01-01"))
    assert response.status_code == 400
    assert "period_end" in response.json()
    response = api.post(f"{BASE}/frameworks/", framework_body(reference="C", suppliers=[supplier.pk + 99]))
    assert "suppliers" in response.json()

    assert as_user(api, owner).post(f"{BASE}/frameworks/", framework_body(reference="D")).status_code == 403


def test_framework_edit_is_optimistically_locked_and_values_need_an_amendment(api, nspa, make_user):
    framework = make_framework(actor=nspa)
    url = f"{BASE}/frameworks/{framework.pk}/"
    colleague = make_user("nspa", None, username="nspa_colleague")
    response = as_user(api, colleague).patch(url, {"title": "Renamed", "version": 1})
    assert response.status_code == 200
    assert_matches_schema(response, "/api/procurement/frameworks/{id}/", "patch")
    assert response.json()["version"] == 2

    as_user(api, nspa)
    response = api.patch(url, {"notes": "mine", "version": 1})
    assert response.status_code == 409
    assert_matches_schema(response, "/api/procurement/frameworks/{id}/", "patch")
    assert response.json()["changed_fields"] == ["title"]
    assert response.json()["changed_by"] == ["nspa_colleague"]

    response = api.patch(url, {"ceiling_value": "1.00", "committed_value": "5.00", "version": 2})
    assert response.status_code == 400
    assert "amendment" in response.json()["ceiling_value"][0]
    framework.refresh_from_db()
    assert (framework.ceiling_value, framework.committed_value) == (Decimal("1000000.00"), 0)


def test_framework_amendment(api, nspa, owner):
    framework = make_framework(actor=nspa)
    url = f"{BASE}/frameworks/{framework.pk}/amend/"
    body = {
        "date": "2025-01-10",
        "rationale": "ceiling_change",
        "description": "Ceiling raised after new orders.",
        "changes": {"ceiling_value": "2000000.00", "period_end": "2028-12-31"},
        "version": 1,
    }
    response = as_user(api, nspa).post(url, body)
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/procurement/frameworks/{id}/amend/", "post")
    assert response.json()["changes"] == {
        "ceiling_value": {"old": "1000000.00", "new": "2000000.00"},
        "period_end": {"old": "2027-12-31", "new": "2028-12-31"},
    }
    detail = api.get(f"{BASE}/frameworks/{framework.pk}/").json()
    assert detail["ceiling_value"] == "2000000.00"
    assert detail["version"] == 2
    assert [a["rationale"] for a in detail["amendments"]] == ["ceiling_change"]

    assert api.post(url, body).status_code == 409  # version 1 is stale now
    response = api.post(url, {**body, "changes": {"committed_value": "1.00"}, "version": 2})
    assert response.status_code == 400
    assert response.json() == {"changes": {"committed_value": ["This field cannot be amended."]}}
    response = api.post(url, {**body, "changes": {"ceiling_value": "2000000.00"}, "version": 2})
    assert response.json() == {"changes": ["The amendment changes nothing."]}
    assert as_user(api, owner).post(url, {**body, "version": 2}).status_code == 403


def test_framework_participants_and_lines(api, nspa):
    framework = make_framework(actor=nspa, nations=("POL",))
    as_user(api, nspa)
    url = f"{BASE}/frameworks/{framework.pk}/participants/"
    response = api.post(url, {"nation": "FRA", "joined_on": "2025-03-01"})
    assert response.status_code == 201
    assert_matches_schema(response, "/api/procurement/frameworks/{id}/participants/", "post")
    assert api.post(url, {"nation": "FRA", "joined_on": "2025-03-01"}).json()["nation"]
    item = ItemFactory()
    url = f"{BASE}/frameworks/{framework.pk}/lines/"
    response = api.post(url, {"item": item.pk, "unit_price": "4500.00", "max_quantity": 220000})
    assert response.status_code == 201
    assert_matches_schema(response, "/api/procurement/frameworks/{id}/lines/", "post")
    assert response.json()["ordered_quantity"] == 0
    response = api.post(url, {"item": item.pk, "unit_price": "1.00", "max_quantity": 1})
    assert response.status_code == 400
    assert "already has a line" in response.json()["item"][0]
    detail = api.get(f"{BASE}/frameworks/{framework.pk}/").json()
    assert [p["nation"] for p in detail["participants"]] == ["POL", "FRA"]
    # A nation joining a running framework is an amendment.
    assert [a["changes"]["participants"]["added"] for a in detail["amendments"]] == ["FRA"]


def test_director_sees_only_frameworks_their_nation_takes_part_in(api, owner, other):
    polish = make_framework(nations=("POL",))
    french = make_framework(nations=("FRA",))
    as_user(api, owner)
    assert [f["id"] for f in api.get(f"{BASE}/frameworks/").json()["results"]] == [polish.pk]
    assert api.get(f"{BASE}/frameworks/{french.pk}/").status_code == 404
    assert api.get(f"{BASE}/frameworks/{polish.pk}/").status_code == 200


# --- Call-offs ------------------------------------------------------------------------------


def calloff_body(fw, **overrides):
    line = fw.lines.order_by("pk").first()
    return {
        "framework": fw.pk,
        "nation": "POL",
        "reference": "CO-POL-1",
        "order_date": "2024-06-01",
        "lines": [
            {
                "framework_line": line.pk,
                "quantity": 100,
                "schedule": [
                    {"due_date": "2024-12-31", "quantity": 60},
                    {"due_date": "2025-06-30", "quantity": 40},
                ],
            }
        ],
        **overrides,
    }


def test_nspa_places_a_call_off(api, nspa, framework):
    response = as_user(api, nspa).post(
        f"{BASE}/call-offs/", calloff_body(framework, total_value="1.00", created_by=nspa.pk)
    )
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/procurement/call-offs/", "post")
    body = response.json()
    assert body["total_value"] == "10000.00"
    assert body["nation"] == "POL"
    (line,) = body["lines"]
    assert (line["quantity"], line["value"], line["outstanding_quantity"]) == (100, "10000.00", 100)
    assert line["schedule"] == [
        {"due_date": "2024-12-31", "quantity": 60},
        {"due_date": "2025-06-30", "quantity": 40},
    ]
    framework.refresh_from_db()
    assert framework.committed_value == Decimal("10000.00")
    detail = api.get(f"{BASE}/call-offs/{body['id']}/")
    assert_matches_schema(detail, "/api/procurement/call-offs/{id}/")
    assert detail.json() == body


def _line(framework, index, quantity, schedule=()):
    return {
        "framework_line": framework.lines.order_by("pk")[index].pk,
        "quantity": quantity,
        "schedule": [{"due_date": due, "quantity": q} for due, q in schedule],
    }


@pytest.mark.parametrize(
    ("case", "field", "text"),
    [
        # After 500,000 committed, 100 x 1,000.00 is within the line's maximum but not the ceiling.
        ("ceiling", "lines", "over its ceiling"),
        ("line maximum", "lines", "exceed the line's maximum of 5000"),
        ("not participating", "nation", "does not take part"),
        ("before joining", "order_date", "joined this framework on 2025-01-01"),
        ("outside period", "order_date", "inside the framework period"),
        ("schedule total", "lines[0].schedule", "adds up to 10, not the 100 ordered"),
        ("inactive framework", "framework", "not active"),
    ],
)
def test_call_off_rules_are_field_errors(api, nspa, framework, case, field, text):
    if case == "ceiling":
        make_calloff(framework, quantity=5000)  # 500,000 committed
        body = calloff_body(framework, lines=[_line(framework, 1, 100)])
    else:
        body = {
            "line maximum": calloff_body(framework, lines=[_line(framework, 0, 5001)]),
            "not participating": calloff_body(framework, nation="DEU"),
            "before joining": calloff_body(framework, nation="FRA", order_date="2024-12-31"),
            "outside period": calloff_body(framework, order_date="2028-01-01"),
            "schedule total": calloff_body(framework, lines=[_line(framework, 0, 100, [("2025-01-01", 10)])]),
            "inactive framework": calloff_body(framework),
        }[case]
    if case == "inactive framework":
        services.framework_amend(
            actor=nspa,
            framework=framework,
            expected_version=None,
            date=dt.date(2025, 1, 1),
            rationale="status_change",
            description="Suspended.",
            changes={"status": "terminated"},
        )
    committed = FrameworkContract.objects.get(pk=framework.pk).committed_value
    response = as_user(api, nspa).post(f"{BASE}/call-offs/", body)
    assert response.status_code == 400, response.content
    assert any(text in message for message in response.json()[field]), response.json()
    assert FrameworkContract.objects.get(pk=framework.pk).committed_value == committed
    assert not CallOff.objects.filter(reference="CO-POL-1").exists()


def test_call_off_input_errors(api, nspa, framework):
    other_framework = make_framework()
    foreign_line = other_framework.lines.get()
    as_user(api, nspa)
    body = calloff_body(framework)
    body["lines"][0]["framework_line"] = foreign_line.pk
    response = api.post(f"{BASE}/call-offs/", body)
    assert response.json() == {"lines[0].framework_line": ["This line does not belong to the framework."]}
    response = api.post(
        f"{BASE}/call-offs/", calloff_body(framework, nation="ZZZ", framework=10**12, lines=[])
    )
    assert set(response.json()) == {"nation", "framework"}
    response = api.post(f"{BASE}/call-offs/", calloff_body(framework, lines=[]))
    assert response.json() == {"lines": ["A call-off needs at least one line."]}
    make_calloff(framework, quantity=1)
    existing = CallOff.objects.get().reference
    response = api.post(f"{BASE}/call-offs/", calloff_body(framework, reference=existing))
    assert list(response.json()) == ["reference"]


def test_call_offs_are_scoped_to_the_directors_nation(api, owner, other, framework, make_user):
    polish = make_calloff(framework, nation="POL")
    french = make_calloff(framework, nation="FRA", order_date=dt.date(2025, 2, 1))
    as_user(api, owner)
    assert [c["id"] for c in api.get(f"{BASE}/call-offs/").json()["results"]] == [polish.pk]
    assert api.get(f"{BASE}/call-offs/{french.pk}/").status_code == 404
    assert api.get(f"{BASE}/call-offs/{polish.pk}/").status_code == 200
    assert api.post(f"{BASE}/call-offs/", calloff_body(framework)).status_code == 403
    as_user(api, other)
    assert [c["id"] for c in api.get(f"{BASE}/call-offs/").json()["results"]] == [french.pk]
    partner = make_user("partner", "UKR", username="ukr")
    as_user(api, partner)
    assert api.get(f"{BASE}/call-offs/").json()["count"] == 0
    assert api.get(f"{BASE}/call-offs/{polish.pk}/").status_code == 404
    assert api.post(f"{BASE}/call-offs/", calloff_body(framework)).status_code == 403


def test_call_off_filters(api, secretariat, framework):
    make_calloff(framework, nation="POL")
    french = make_calloff(framework, nation="FRA", order_date=dt.date(2025, 2, 1))
    as_user(api, secretariat)
    assert [c["id"] for c in api.get(f"{BASE}/call-offs/", {"nation": "fra"}).json()["results"]] == [
        french.pk
    ]
    ordered = api.get(f"{BASE}/call-offs/", {"ordered_after": "2025-01-01", "framework": framework.pk})
    assert [c["id"] for c in ordered.json()["results"]] == [french.pk]
    assert api.get(f"{BASE}/call-offs/", {"framework": "1.5"}).status_code == 400
    assert api.get(f"{BASE}/call-offs/", {"framework": 10**30}).json()["count"] == 0


# --- Pagination and query counts --------------------------------------------------------------


def test_lists_are_paginated(api, secretariat, settings):
    ItemFactory.create_batch(settings.API_PAGE_SIZE + 1)
    response = as_user(api, secretariat).get(f"{BASE}/items/")
    assert_matches_schema(response, "/api/procurement/items/")
    body = response.json()
    assert body["count"] == settings.API_PAGE_SIZE + 1
    assert len(body["results"]) == settings.API_PAGE_SIZE
    assert body["next"].endswith("page=2")
    assert len(api.get(f"{BASE}/items/", {"page": 2}).json()["results"]) == 1


# The list endpoints' query counts are pinned at two sizes by the URL matrix
# (procurement/tests/url_matrix_api.py).


def test_detail_query_counts_do_not_grow_with_data(api, nspa):
    as_user(api, nspa)
    framework = make_framework(actor=nspa, nations=("POL",))
    call_off = make_calloff(framework, quantity=100, actor=nspa)
    framework_url, call_off_url = f"{BASE}/frameworks/{framework.pk}/", f"{BASE}/call-offs/{call_off.pk}/"
    small = (count_queries(api, framework_url), count_queries(api, call_off_url))
    for code in ("FRA", "DEU", "NLD"):
        services.framework_participant_add(
            actor=nspa, framework=framework, nation=nspa_nation(code), joined_on=dt.date(2024, 6, 1)
        )
        services.framework_line_add(
            actor=nspa, framework=framework, item=ItemFactory(), unit_price=Decimal("1.00"), max_quantity=10
        )
    framework.suppliers.add(services.supplier_create(actor=nspa, name="S", country="FRA"))
    line = call_off.lines.get()
    for lot in range(3):
        deliver(line, lot=f"L{lot}", quantity=5, actor=nspa)
    large = (count_queries(api, framework_url), count_queries(api, call_off_url))
    # Framework: row, suppliers, lines, participants, amendments. Call-off: row, lines, schedules,
    # deliveries.
    assert small == large == (5, 4)
    assert len(api.get(framework_url).json()["amendments"]) == 3  # the three later joiners


def test_ids_that_are_not_numbers_are_404(api, nspa):
    as_user(api, nspa)
    assert api.get(f"{BASE}/frameworks/abc/").status_code == 404
    assert api.get(f"{BASE}/frameworks/{10**17}/").status_code == 404
    assert api.get(f"{BASE}/frameworks/{10**17}/ocds/").status_code == 404
