"""Procurement forms: hostile input, who may post, items, programmes, suppliers, frameworks and
their amendments, call-offs and deliveries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import Nation, ObjectChange
from procurement import services
from procurement.models import Amendment, CallOff, Delivery, FrameworkContract, Item
from procurement.tests.factories import ItemFactory, make_calloff, make_framework
from procurement.tests.views_helpers import JUNK, body, calloff_post, populate, url
from standards import services as standards_services
from standards.tests.factories import make_standard

# --- Forms ----------------------------------------------------------------------------------


def test_hostile_form_input_is_a_400_never_a_500(client, nspa):
    (framework,) = populate(1)
    call_off = CallOff.objects.filter(framework=framework).first()
    client.force_login(nspa)
    forms_ = [url(n) for n in ("item-create", "programme-create", "supplier-create", "framework-create")] + [
        url(n, pk=framework.pk)
        for n in ("framework-edit", "framework-amend", "framework-participant-add", "framework-line-add")
    ]
    forms_ += [url("call-off-create", pk=framework.pk), url("delivery-create", pk=call_off.pk)]
    before = ObjectChange.objects.count()
    for form_url in forms_:
        fields = client.get(form_url).context["form"].fields
        for value in JUNK:
            data = dict.fromkeys(fields, value)
            if form_url.endswith("/call-offs/new/"):
                data.update({"lines-TOTAL_FORMS": value, "lines-INITIAL_FORMS": "0"})
            response = client.post(form_url, data)
            assert response.status_code == 400, (form_url, value)
    assert ObjectChange.objects.count() == before


def test_nspa_creates_an_item_and_a_duplicate_code_keeps_the_input(client, nspa):
    client.force_login(nspa)
    data = {
        "code": "gem-t",
        "name": "Patriot GEM-T",
        "capability_area": "iamd",
        "unit": "missile",
    }
    response = client.post(url("item-create"), data)
    item = Item.objects.get(code="gem-t")
    assert response.status_code == 302
    assert response["Location"] == url("item-detail", pk=item.pk)
    assert ObjectChange.objects.filter(object_id=str(item.pk), action="create", actor=nspa).exists()

    response = client.post(url("item-create"), {**data, "name": "Second try"})
    assert response.status_code == 400
    assert "Item with this Code already exists." in body(response)
    assert 'value="Second try"' in body(response)


def test_the_item_page_lists_the_editions_it_must_meet(client, nspa):
    item = ItemFactory()
    client.force_login(nspa)
    assert "None recorded" in body(client.get(url("item-detail", pk=item.pk)))
    edition = make_standard(number="4425", edition="2", title="Ballistic data for indirect fire")
    standards_services.requirement_add(actor=nspa, item=item, standard=edition)
    page = body(client.get(url("item-detail", pk=item.pk)))
    assert "None recorded" not in page
    link = f'<a href="{reverse("standards:standard-detail", args=[edition.pk])}">STANAG 4425</a>'
    assert link in page
    assert "<td>2</td><td>Ballistic data for indirect fire</td>" in page


def test_item_edit_goes_through_the_service(client, nspa):
    item = ItemFactory(name="Old name")
    client.force_login(nspa)
    page = body(client.get(url("item-edit", pk=item.pk)))
    assert 'value="Old name"' in page
    response = client.post(
        url("item-edit", pk=item.pk),
        {
            "code": item.code,
            "name": "New name",
            "capability_area": "lbdm",
            "unit": "round",
            "nato_stock_number": "12",
        },
    )
    assert response.status_code == 400
    assert "Use the NATO stock number form" in body(response)
    response = client.post(
        url("item-edit", pk=item.pk),
        {"code": item.code, "name": "New name", "capability_area": "lbdm", "unit": "round"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "New name"
    assert ObjectChange.objects.filter(object_id=str(item.pk), action="update").exists()


@pytest.mark.parametrize("role", ["director", "secretariat", "board_member", "partner"])
def test_only_nspa_may_post_create_forms(client, users_by_role, role):
    client.force_login(users_by_role[role])
    response = client.post(
        url("item-create"), {"code": "x", "name": "X", "capability_area": "lbdm", "unit": "r"}
    )
    assert response.status_code == 403
    assert not Item.objects.filter(code="x").exists()


def test_programme_and_member_and_supplier_forms(client, nspa):
    client.force_login(nspa)
    response = client.post(
        url("programme-create"),
        {"code": "asp", "name": "Ammunition Support Partnership", "kind": "partnership"},
    )
    programme_url = response["Location"]
    pk = int(programme_url.rstrip("/").split("/")[-1])
    poland = Nation.objects.get(code="POL")
    add = url("programme-member-add", pk=pk)
    assert client.post(add, {"nation": poland.pk, "joined_on": "2023-05-01"})["Location"] == programme_url
    again = client.post(add, {"nation": poland.pk, "joined_on": "2024-01-01"})
    assert again.status_code == 400
    assert "is already a member of" in body(again)
    assert "Poland" in body(client.get(programme_url))
    response = client.post(url("supplier-create"), {"name": "Nammo", "country": "nor"})
    assert response.status_code == 302
    assert "Nammo" in body(client.get(url("supplier-list")))


def test_framework_create_edit_with_a_stale_version_is_a_409_that_keeps_the_input(client, nspa):
    client.force_login(nspa)
    response = client.post(
        url("framework-create"),
        {
            "reference": "NSPA-155-2024",
            "title": "155mm for CAESAR and PzH 2000",
            "currency": "eur",
            "ceiling_value": "1100000000",
            "firm_order_value": "0",
            "period_start": "2024-01-01",
            "period_end": "2027-12-31",
            "status": "active",
        },
    )
    framework = FrameworkContract.objects.get(reference="NSPA-155-2024")
    assert response["Location"] == url("framework-detail", pk=framework.pk)
    assert framework.currency == "EUR"

    edit = url("framework-edit", pk=framework.pk)
    assert 'name="version" value="1"' in body(client.get(edit))
    # Someone else saves first.
    services.framework_update(actor=nspa, framework=framework, expected_version=1, notes="Theirs")
    response = client.post(edit, {"title": "My title", "notes": "Mine", "version": "1"})
    assert response.status_code == 409
    assert "was changed by someone else since you opened it" in body(response)
    assert 'value="My title"' in body(response)
    framework.refresh_from_db()
    assert (framework.title, framework.notes) == ("155mm for CAESAR and PzH 2000", "Theirs")

    response = client.post(edit, {"title": "My title", "notes": "Mine", "version": "2"})
    assert response.status_code == 302
    framework.refresh_from_db()
    assert (framework.title, framework.notes, framework.version) == ("My title", "Mine", 3)


def test_framework_amend_records_old_and_new_values(client, nspa):
    framework = make_framework(ceiling=Decimal("1000000.00"))
    client.force_login(nspa)
    amend = url("framework-amend", pk=framework.pk)
    assert 'value="1000000.00"' in body(client.get(amend))
    values = {
        "version": framework.version,
        "date": "2024-06-01",
        "rationale": "ceiling_change",
        "description": "Ceiling raised after new orders.",
        "title": framework.title,
        "ceiling_value": "1500000.00",
        "firm_order_value": "0.00",
        "period_start": "2024-01-01",
        "period_end": "2027-12-31",
        "status": "active",
    }
    nothing = client.post(amend, {**values, "ceiling_value": "1000000.00"})
    assert nothing.status_code == 400
    assert "The amendment changes nothing." in body(nothing)
    too_low = client.post(amend, {**values, "firm_order_value": "2000000.00"})
    assert too_low.status_code == 400
    assert "Firm orders cannot exceed the ceiling." in body(too_low)
    assert client.post(amend, values).status_code == 302
    amendment = Amendment.objects.get(framework=framework, rationale="ceiling_change")
    assert amendment.changes == {"ceiling_value": {"old": "1000000.00", "new": "1500000.00"}}
    page = body(client.get(url("framework-detail", pk=framework.pk)))
    assert "Ceiling raised after new orders." in page
    assert "1000000.00 → 1500000.00" in page


def test_amending_from_a_stale_page_is_a_409_and_changes_nothing(client, nspa):
    framework = make_framework()
    client.force_login(nspa)
    values = {
        "version": framework.version,
        "date": "2024-06-01",
        "rationale": "period_extension",
        "description": "Extended by a year.",
        "title": framework.title,
        "ceiling_value": "1000000.00",
        "firm_order_value": "0.00",
        "period_start": "2024-01-01",
        "period_end": "2028-12-31",
        "status": "active",
    }
    services.framework_update(actor=nspa, framework=framework, expected_version=framework.version, notes="x")
    response = client.post(url("framework-amend", pk=framework.pk), values)
    assert response.status_code == 409
    assert "changed by someone else" in body(response)
    assert 'value="2028-12-31"' in body(response)
    framework.refresh_from_db()
    assert framework.period_end == dt.date(2027, 12, 31)
    assert not Amendment.objects.filter(framework=framework).exists()


def test_framework_line_and_participant_forms_report_duplicates_on_the_field(client, nspa):
    framework = make_framework(nations=("POL",))
    item = framework.lines.get().item
    client.force_login(nspa)
    response = client.post(
        url("framework-line-add", pk=framework.pk), {"item": item.pk, "unit_price": "10", "max_quantity": "5"}
    )
    assert response.status_code == 400
    assert "already has a line in this framework" in body(response)
    poland = Nation.objects.get(code="POL")
    response = client.post(
        url("framework-participant-add", pk=framework.pk), {"nation": poland.pk, "joined_on": "2024-02-01"}
    )
    assert response.status_code == 400
    assert "already takes part in this framework" in body(response)


def test_calloff_form_places_an_order_with_a_schedule(client, nspa):
    framework = make_framework(lines=((Decimal("100.00"), 500), (Decimal("7.50"), 100)))
    first, second = framework.lines.order_by("pk")
    client.force_login(nspa)
    create = url("call-off-create", pk=framework.pk)
    assert client.get(create).status_code == 200
    data = calloff_post(
        framework,
        [
            {
                "framework_line": first.pk,
                "quantity": "100",
                "schedule": [("2024-12-31", "60"), ("2025-06-30", "40")],
            },
            {},
            {"framework_line": second.pk, "quantity": "10"},
        ],
    )
    response = client.post(create, data)
    call_off = CallOff.objects.get(reference=data["reference"])
    assert response["Location"] == url("call-off-detail", pk=call_off.pk)
    assert call_off.total_value == Decimal("10075.00")
    page = body(client.get(response["Location"]))
    assert "60 by" in page
    assert "40 by" in page


def test_calloff_errors_land_on_the_row_and_keep_the_input(client, nspa):
    framework = make_framework(lines=((Decimal("100.00"), 50),))
    line = framework.lines.get()
    client.force_login(nspa)
    create = url("call-off-create", pk=framework.pk)
    # A blank row, then a row whose schedule does not add up: the error is on the second row.
    data = calloff_post(
        framework, [{}, {"framework_line": line.pk, "quantity": "20", "schedule": [("2024-12-31", "5")]}]
    )
    response = client.post(create, data)
    assert response.status_code == 400
    row = body(response).split('data-testid="line-row-1"')[1].split("</tr>")[0]
    assert "The schedule adds up to 5, not the 20 ordered." in row
    assert 'value="2024-12-31"' in row
    assert 'value="5"' in row

    too_many = client.post(create, calloff_post(framework, [{"framework_line": line.pk, "quantity": "51"}]))
    assert too_many.status_code == 400
    assert "would exceed the line&#x27;s maximum of 50" in body(too_many)
    outside = client.post(
        create,
        calloff_post(framework, [{"framework_line": line.pk, "quantity": "1"}], order_date="2030-01-01"),
    )
    assert "The order date must fall inside the framework period" in body(outside)
    garbled = client.post(
        create,
        calloff_post(framework, [{"framework_line": "x", "quantity": "-1", "schedule": [("soon", "x")]}]),
    )
    assert garbled.status_code == 400
    assert not CallOff.objects.exists()


def test_delivery_form_records_and_refuses_over_delivery(client, nspa):
    framework = make_framework()
    call_off = make_calloff(framework, quantity=10)
    line = call_off.lines.get()
    client.force_login(nspa)
    create = url("delivery-create", pk=call_off.pk)
    data = {
        "call_off_line": line.pk,
        "delivered_on": "2024-07-01",
        "quantity_delivered": "6",
        "quantity_accepted": "5",
        "quantity_rejected": "1",
        "rejection_reason": "Damaged crate",
        "lot_number": "L-1",
        "location": "Bydgoszcz",
    }
    response = client.post(create, data)
    delivery = Delivery.objects.get(lot_number="L-1")
    assert response["Location"] == url("delivery-detail", pk=delivery.pk)
    assert "Damaged crate" in body(client.get(response["Location"]))
    over = client.post(
        create, {**data, "lot_number": "L-2", "quantity_accepted": "6", "quantity_rejected": "0"}
    )
    assert over.status_code == 400
    assert "Only 4 of 10 remain to be delivered on this line." in body(over)
    assert 'value="L-2"' in body(over)
