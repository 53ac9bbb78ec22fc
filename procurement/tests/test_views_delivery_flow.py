"""NSPA records deliveries without internal ids: from the deliveries list by call-off reference and
line number, on a form that starts at today's date and takes the accepted quantity from the
delivered one, then "record another" on the same line; the call-off page numbers its lines; the
deliveries list filters by call-off reference and line number."""

from __future__ import annotations

import pytest
from django.utils import timezone

from procurement.models import Delivery
from procurement.tests.api_helpers import BASE, as_user, deliver
from procurement.tests.views_helpers import body, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def call_off(two_line_call_off):
    return two_line_call_off


def lines_of(call_off):
    return list(call_off.lines.order_by("pk"))


def selected_line(page: str) -> str:
    """The value of the call-off line chosen on a delivery form."""
    select = page.split('name="call_off_line"')[1].split("</select>")[0]
    return select.split(" selected>")[0].rsplit('value="', 1)[1].split('"')[0]


# --- The call-off page numbers its lines ------------------------------------------------------


def test_the_call_off_page_numbers_its_lines_and_records_a_delivery_on_each(client, nspa, call_off):
    first, second = lines_of(call_off)
    client.force_login(nspa)

    page = body(client.get(url("call-off-detail", pk=call_off.pk)))

    assert page.index(f"Line 1: {first.framework_line.item.name}") < page.index(
        f"Line 2: {second.framework_line.item.name}"
    )
    form = url("delivery-create", pk=call_off.pk)
    assert f'href="{form}?line=2">Record a delivery on line 2</a>' in page


def test_a_director_sees_the_numbers_but_no_record_links(client, users_by_role, call_off):
    client.force_login(users_by_role["director"])
    page = body(client.get(url("call-off-detail", pk=call_off.pk)))
    assert "Line 2: " in page
    assert "Record a delivery" not in page


# --- From the deliveries list ------------------------------------------------------------------


def test_the_deliveries_list_offers_record_a_delivery_to_who_may_add(client, nspa, users_by_role):
    client.force_login(nspa)
    assert f'href="{url("delivery-start")}">Record a delivery</a>' in body(client.get(url("delivery-list")))
    client.force_login(users_by_role["director"])
    assert url("delivery-start") not in body(client.get(url("delivery-list")))
    assert client.get(url("delivery-start")).status_code == 403


def test_the_start_page_finds_the_call_off_by_reference_and_opens_its_form(client, nspa, call_off):
    client.force_login(nspa)
    form = url("delivery-create", pk=call_off.pk)
    page = client.get(url("delivery-start"))
    assert page.status_code == 200
    assert 'name="call_off"' in body(page)

    assert client.get(url("delivery-start"), {"call_off": "CO-POL-2024-07", "line": "2"})["Location"] == (
        f"{form}?line=2"
    )
    # Any case, surrounding spaces, no line: the form then asks which line.
    assert client.get(url("delivery-start"), {"call_off": " co-pol-2024-07 "})["Location"] == form


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"call_off": "CO-NOWHERE"}, "No call-off with the reference CO-NOWHERE."),
        ({"call_off": "CO-POL-2024-07", "line": "3"}, "CO-POL-2024-07 has 2 lines; there is no line 3."),
        ({"call_off": "CO-POL-2024-07", "line": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"call_off": ""}, "This field is required."),
    ],
)
def test_the_start_page_says_what_is_wrong_and_keeps_the_input(client, nspa, call_off, query, message):
    client.force_login(nspa)
    response = client.get(url("delivery-start"), query)
    assert response.status_code == 400
    page = body(response)
    assert message in page
    if query["call_off"]:
        assert f'value="{query["call_off"]}"' in page


# --- The form: today's date, the accepted quantity, record another -----------------------------


def test_the_form_starts_at_today_on_the_line_asked_for(client, nspa, call_off):
    first, second = lines_of(call_off)
    client.force_login(nspa)

    page = body(client.get(url("delivery-create", pk=call_off.pk), {"line": "2"}))

    assert selected_line(page) == str(second.pk)
    assert f'value="{timezone.localdate().isoformat()}"' in page.split('name="delivered_on"')[1].split(">")[0]
    assert f"Line 1: {first.framework_line.item}, 0 of 100 delivered" in page
    assert "Save and record another" in page
    assert "js/delivery-form.js" in page
    # A line number the call-off does not have chooses nothing.
    assert (
        " selected>"
        not in body(client.get(url("delivery-create", pk=call_off.pk), {"line": "9"}))
        .split('name="call_off_line"')[1]
        .split("</select>")[0]
    )


def post_delivery(client, call_off, line, **fields):
    data = {
        "call_off_line": line.pk,
        "delivered_on": "2024-07-01",
        "quantity_delivered": "12",
        "lot_number": "L-1",
        **fields,
    }
    return client.post(url("delivery-create", pk=call_off.pk), data)


def test_an_empty_accepted_quantity_is_the_delivered_one_less_any_rejected(client, nspa, call_off):
    first, _second = lines_of(call_off)
    client.force_login(nspa)

    assert post_delivery(client, call_off, first, lot_number="A").status_code == 302
    assert (
        post_delivery(
            client, call_off, first, lot_number="B", quantity_rejected="2", rejection_reason="Wet"
        ).status_code
        == 302
    )
    assert (
        post_delivery(
            client,
            call_off,
            first,
            lot_number="C",
            quantity_accepted="5",
            quantity_rejected="7",
            rejection_reason="Wet",
        ).status_code
        == 302
    )

    recorded = {d.lot_number: (d.quantity_accepted, d.quantity_rejected) for d in Delivery.objects.all()}
    assert recorded == {"A": (12, 0), "B": (10, 2), "C": (5, 7)}


def test_more_rejected_than_delivered_is_an_error_on_rejected(client, nspa, call_off):
    first, _second = lines_of(call_off)
    client.force_login(nspa)
    response = post_delivery(client, call_off, first, quantity_rejected="13", rejection_reason="Wet")
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "quantity_rejected": ["More are rejected than were delivered."]
    }
    assert not Delivery.objects.exists()


def test_save_and_record_another_opens_a_blank_form_for_the_same_line(client, nspa, call_off):
    _first, second = lines_of(call_off)
    client.force_login(nspa)

    response = post_delivery(client, call_off, second, then="another", location="Bydgoszcz")

    assert response.status_code == 302
    assert response["Location"] == f"{url('delivery-create', pk=call_off.pk)}?line=2"
    page = body(client.get(response["Location"]))
    assert "Delivery recorded. Record the next one on the same line below." in page
    assert selected_line(page) == str(second.pk)
    assert "12 of 50 delivered" in page
    for name in ("quantity_delivered", "quantity_accepted", "lot_number", "location"):
        assert "value=" not in page.split(f'name="{name}"')[1].split(">")[0], name
    # Plain "Save" goes to the delivery, which offers another under the same call-off.
    response = post_delivery(client, call_off, second, lot_number="L-2")
    delivery = Delivery.objects.get(lot_number="L-2")
    assert response["Location"] == url("delivery-detail", pk=delivery.pk)
    detail = body(client.get(response["Location"]))
    assert (
        f'href="{url("delivery-create", pk=call_off.pk)}">Record another delivery under CO-POL-2024-07'
        in detail
    )


def test_record_another_after_an_error_keeps_the_input(client, nspa, call_off):
    first, _second = lines_of(call_off)
    client.force_login(nspa)
    post_delivery(client, call_off, first, lot_number="DUP")

    response = post_delivery(client, call_off, first, lot_number="DUP", then="another", location="Gdynia")

    assert response.status_code == 400
    page = body(response)
    assert "Lot DUP is already recorded for this call-off line." in page
    assert 'value="Gdynia"' in page
    assert Delivery.objects.count() == 1


# --- The deliveries list filters by reference and line number ---------------------------------


def test_deliveries_filter_by_call_off_reference_and_line_number(api, client, nspa, call_off, line):
    first, second = lines_of(call_off)
    on_first = deliver(first, lot="F1")
    on_second = deliver(second, lot="S1")
    elsewhere = deliver(line, lot="E1")  # line 1 of another call-off
    as_user(api, nspa)
    client.force_login(nspa)

    def both(query) -> list[int]:
        response = api.get(f"{BASE}/deliveries/", query)
        assert response.status_code == 200, response.content
        page = client.get(url("delivery-list"), query)
        assert page.status_code == 200
        ids = sorted(row["id"] for row in response.json()["results"])
        assert sorted(row.record.pk for row in page.context["table"].page.object_list) == ids
        return ids

    assert both({"call_off_reference": "CO-POL-2024-07"}) == sorted([on_first.pk, on_second.pk])
    assert both({"call_off_reference": "co-pol-2024-07", "line_number": "2"}) == [on_second.pk]
    assert both({"call_off_reference": "CO-POL-2024-07", "line_number": "1"}) == [on_first.pk]
    assert both({"call_off_reference": "CO-POL-2024-07", "line_number": "3"}) == []
    assert both({"call_off": call_off.pk, "line_number": "2"}) == [on_second.pk]
    assert both({"call_off_reference": line.call_off.reference, "line_number": "1"}) == [elsewhere.pk]

    # A line number needs its call-off; the page says so beside the field, the API answers 400.
    assert api.get(f"{BASE}/deliveries/", {"line_number": "2"}).status_code == 400
    page = body(client.get(url("delivery-list"), {"line_number": "2"}))
    assert "Give the call-off reference with the line number." in page
    assert "Enter a whole number." in body(client.get(url("delivery-list"), {"line_number": "two"}))


def test_the_deliveries_filter_form_asks_for_the_reference_not_ids(client, nspa, call_off):
    client.force_login(nspa)
    page = body(client.get(url("delivery-list")))
    assert '<label for="id_call_off_reference">Call-off reference</label>' in page
    assert '<label for="id_line_number">Line number</label>' in page
    assert 'name="call_off_line"' not in page
    assert 'name="call_off"' not in page
    # A link that filters by id (a script's) still shows the field it filters on.
    first, _second = lines_of(call_off)
    page = body(client.get(url("delivery-list"), {"call_off_line": first.pk}))
    assert f'name="call_off_line" value="{first.pk}"' in page
