"""The procurement API's deliveries: recording, the rules as field errors, lots once per line,
Idempotency-Key replays and races, scope, and the same filters as the pages."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import IdempotencyRecord
from portal.tests.openapi import assert_matches_schema
from procurement import services
from procurement.models import (
    CallOffLine,
    Delivery,
)
from procurement.tests.api_helpers import BASE, as_user, deliver
from procurement.tests.factories import make_calloff, make_framework, nspa_user

# --- Deliveries -----------------------------------------------------------------------------


@pytest.fixture
def line(framework):
    return make_calloff(framework, nation="POL", quantity=100).lines.get()


def delivery_body(line, **overrides):
    return {
        "call_off_line": line.pk,
        "delivered_on": "2024-09-01",
        "quantity_delivered": 40,
        "quantity_accepted": 38,
        "quantity_rejected": 2,
        "rejection_reason": "Damaged packaging",
        "lot_number": "LOT-1",
        "location": "Nowa Dęba",
        **overrides,
    }


def test_nspa_records_a_delivery(api, nspa, line):
    response = as_user(api, nspa).post(
        f"{BASE}/deliveries/", delivery_body(line, created_by=None, imported_in=1, id=12345)
    )
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/procurement/deliveries/", "post")
    body = response.json()
    assert (body["nation"], body["accepted_on"], body["imported_in"]) == ("POL", "2024-09-01", None)
    line.refresh_from_db()
    assert (line.delivered_quantity, line.accepted_quantity) == (40, 38)
    assert Delivery.objects.get().created_by == nspa
    detail = api.get(f"{BASE}/deliveries/{body['id']}/")
    assert_matches_schema(detail, "/api/procurement/deliveries/{id}/")
    assert detail.json() == body


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"quantity_delivered": 101, "quantity_accepted": 101, "quantity_rejected": 0}, "quantity_delivered",
         "Only 100 of 100 remain"),
        ({"quantity_accepted": 30}, "quantity_rejected", "must equal the quantity delivered"),
        ({"rejection_reason": ""}, "rejection_reason", "Give a reason"),
        ({"delivered_on": "2024-05-01"}, "delivered_on", "cannot precede the order date"),
        ({"accepted_on": "2024-08-01"}, "accepted_on", "cannot come before delivery"),
        ({"lot_number": ""}, "lot_number", "may not be blank"),
        ({"call_off_line": 10**15}, "call_off_line", "does not exist"),
    ],
)  # fmt: skip
def test_delivery_rules_are_field_errors(api, nspa, line, overrides, field, text):
    response = as_user(api, nspa).post(f"{BASE}/deliveries/", delivery_body(line, **overrides))
    assert response.status_code == 400
    assert any(text in message for message in response.json()[field]), response.json()
    assert not Delivery.objects.exists()
    line.refresh_from_db()
    assert line.delivered_quantity == 0


def test_a_lot_is_recorded_once_per_call_off_line(api, nspa, line):
    as_user(api, nspa)
    assert api.post(f"{BASE}/deliveries/", delivery_body(line)).status_code == 201
    response = api.post(f"{BASE}/deliveries/", delivery_body(line, quantity_delivered=1, quantity_accepted=1,
                                                              quantity_rejected=0))  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"lot_number": ["Lot LOT-1 is already recorded for this call-off line."]}
    assert Delivery.objects.count() == 1


def test_idempotency_key_replays_the_first_response(api, nspa, line):
    as_user(api, nspa)
    body = delivery_body(line)
    first = api.post(f"{BASE}/deliveries/", body, HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    # The same body with its keys in another order is the same request.
    again = api.post(f"{BASE}/deliveries/", dict(reversed(body.items())), HTTP_IDEMPOTENCY_KEY="key-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Delivery.objects.count() == 1
    line.refresh_from_db()
    assert line.delivered_quantity == 40

    response = api.post(f"{BASE}/deliveries/", {**body, "quantity_delivered": 41, "quantity_accepted": 39},
                        HTTP_IDEMPOTENCY_KEY="key-1")  # fmt: skip
    assert response.status_code == 422
    assert_matches_schema(response, "/api/procurement/deliveries/", "post")
    assert response.json()["code"] == "idempotency_key_reused"
    assert Delivery.objects.count() == 1

    # Without the key, the same body is a second delivery of the same lot: refused.
    assert api.post(f"{BASE}/deliveries/", body).json()["lot_number"]


def test_idempotency_key_is_per_user(api, nspa, line, make_user):
    colleague = make_user("nspa", None, username="nspa_colleague")
    as_user(api, nspa).post(f"{BASE}/deliveries/", delivery_body(line), HTTP_IDEMPOTENCY_KEY="shared")
    response = as_user(api, colleague).post(
        f"{BASE}/deliveries/", delivery_body(line, lot_number="LOT-2"), HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert response.status_code == 201
    assert response.json()["lot_number"] == "LOT-2"
    assert Delivery.objects.count() == 2


def test_a_failed_request_is_not_remembered_under_its_key(api, nspa, line):
    as_user(api, nspa)
    response = api.post(
        f"{BASE}/deliveries/", delivery_body(line, quantity_accepted=1), HTTP_IDEMPOTENCY_KEY="retry-me"
    )
    assert response.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    response = api.post(f"{BASE}/deliveries/", delivery_body(line), HTTP_IDEMPOTENCY_KEY="retry-me")
    assert response.status_code == 201
    record = IdempotencyRecord.objects.get()
    assert (record.status_code, record.response["id"]) == (201, response.json()["id"])


@pytest.mark.parametrize("key", ["x" * 201, "", "has space", "naïve"])
def test_a_malformed_idempotency_key_is_refused(api, nspa, line, key):
    response = as_user(api, nspa).post(
        f"{BASE}/deliveries/", delivery_body(line), HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1")
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Delivery.objects.exists()


def test_a_200_character_key_is_accepted(api, nspa, line):
    response = as_user(api, nspa).post(
        f"{BASE}/deliveries/", delivery_body(line), HTTP_IDEMPOTENCY_KEY="k" * 200
    )
    assert response.status_code == 201


def _post_in_thread(user, body, key, results, name):
    from django.db import connection as thread_connection

    try:
        client = APIClient()
        client.force_authenticate(user)
        results[name] = client.post(f"{BASE}/deliveries/", body, HTTP_IDEMPOTENCY_KEY=key)
    finally:
        thread_connection.close()


def _wait_for_lock_waiter(timeout=10.0) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second request never waited for the first one's key")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock waits need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_body", [True, False])
def test_concurrent_requests_with_one_key(monkeypatch, same_body):
    nspa = nspa_user()
    framework = make_framework(actor=nspa)
    line = make_calloff(framework, quantity=100, actor=nspa).lines.get()
    body = delivery_body(line)
    second_body = body if same_body else delivery_body(line, lot_number="LOT-2")

    # The first request stops inside its transaction, after claiming the key and before writing.
    claimed, release = threading.Event(), threading.Event()
    original = services.delivery_record

    def held(**kwargs):
        claimed.set()
        assert release.wait(10)
        return original(**kwargs)

    monkeypatch.setattr(services, "delivery_record", held)
    results = {}
    first = threading.Thread(target=_post_in_thread, args=(nspa, body, "race", results, "first"))
    second = threading.Thread(target=_post_in_thread, args=(nspa, second_body, "race", results, "second"))
    first.start()
    assert claimed.wait(10)
    second.start()
    _wait_for_lock_waiter()  # the second request waits on the key's unique index
    release.set()
    first.join(10)
    second.join(10)

    assert results["first"].status_code == 201
    if same_body:
        assert results["second"].status_code == 201
        assert results["second"].json() == results["first"].json()
        assert results["second"]["Idempotent-Replayed"] == "true"
    else:
        assert results["second"].status_code == 422
    assert Delivery.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert CallOffLine.objects.get(pk=line.pk).delivered_quantity == 40


def test_deliveries_are_scoped_to_the_directors_nation(api, owner, other, framework, nspa):
    polish = deliver(make_calloff(framework, nation="POL").lines.get(), lot="P1")
    french_line = make_calloff(framework, nation="FRA", order_date=dt.date(2025, 2, 1)).lines.get()
    french = deliver(french_line, lot="F1", on=dt.date(2025, 3, 1))
    as_user(api, owner)
    assert [d["id"] for d in api.get(f"{BASE}/deliveries/").json()["results"]] == [polish.pk]
    assert api.get(f"{BASE}/deliveries/{french.pk}/").status_code == 404
    response = api.post(f"{BASE}/deliveries/", delivery_body(french_line, delivered_on="2025-03-02"))
    assert response.status_code == 403
    # NSPA filters by call-off.
    as_user(api, nspa)
    filtered = api.get(f"{BASE}/deliveries/", {"call_off": french_line.call_off_id}).json()
    assert [d["id"] for d in filtered["results"]] == [french.pk]


def test_api_and_html_lists_take_the_same_filters(api, client, owner, nspa, framework):
    """One FilterSet per model: a query string filters the API and the HTML list alike."""
    polish = deliver(make_calloff(framework, nation="POL").lines.get(), lot="LOT-7")
    french_line = make_calloff(framework, nation="FRA", order_date=dt.date(2025, 2, 1)).lines.get()
    french = deliver(french_line, lot="LOT-8", on=dt.date(2025, 3, 1), accepted=6)
    hidden = make_framework(nations=("FRA",))

    def both(user, path, page, query):
        as_user(api, user)
        client.force_login(user)
        response = api.get(f"{BASE}/{path}/", query)
        assert response.status_code == 200, response.content
        html = client.get(reverse(f"procurement:{page}"), query)
        assert html.status_code == 200
        api_ids = sorted(row["id"] for row in response.json()["results"])
        assert sorted(row.record.pk for row in html.context["table"].page.object_list) == api_ids
        return api_ids, html.content.decode()

    ids, page = both(nspa, "deliveries", "delivery-list", {"nation": "pol"})  # a code, any case
    assert ids == [polish.pk]
    assert '<option value="POL" selected>' in page
    assert both(nspa, "deliveries", "delivery-list", {"rejected": "true"})[0] == [french.pk]
    assert both(nspa, "deliveries", "delivery-list", {"lot_number": "t-7"})[0] == [polish.pk]
    query = {"framework": framework.pk, "delivered_after": "2025-01-01", "delivered_before": "2025-12-31"}
    assert both(nspa, "deliveries", "delivery-list", query)[0] == [french.pk]
    assert both(nspa, "call-offs", "call-off-list", {"nation": "FRA"})[0] == [french_line.call_off_id]
    assert both(nspa, "frameworks", "framework-list", {"participant": "pol"})[0] == [framework.pk]
    # A framework the director may not see: nothing matches; it is not offered on the form.
    ids, page = both(owner, "call-offs", "call-off-list", {"framework": hidden.pk})
    assert ids == []
    assert f'value="{hidden.pk}"' not in page
    assert f'value="{framework.pk}"' in page
    # Not a whole number: the API refuses it, the page says why.
    assert api.get(f"{BASE}/deliveries/", {"call_off": "1.5"}).status_code == 400
    assert (
        "Enter a whole number."
        in client.get(reverse("procurement:delivery-list"), {"call_off": "1.5"}).content.decode()
    )
