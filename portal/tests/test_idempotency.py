"""The ``Idempotency-Key`` mechanism (portal.idempotency) on a view of its own: the key's form,
replay, a reused key with another body, failures not remembered, and keys per user and per scope.
The procurement API tests show it on a real endpoint (deliveries), including the race."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.http import QueryDict
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from portal import idempotency
from portal.models import IdempotencyRecord, JobRun

pytestmark = pytest.mark.django_db

BODY = {"quantity": 40, "lot": "LOT-1", "notes": {"a": 1, "b": [1, 2]}}


class Calls:
    """What the view's ``perform`` did: how often it ran, and the answer it gives."""

    def __init__(self):
        self.count = 0
        self.status = 201

    def perform(self, request) -> Response:
        self.count += 1
        # A write of its own, to show it commits (or rolls back) with the record.
        run = JobRun.objects.create(job_name=f"test.write.{self.count}")
        if self.status >= 400:
            return Response({"lot": ["Refused."]}, status=self.status)
        # Values JSON has no type for: the stored response must be the rendered one.
        return Response(
            {"id": run.pk, "call": self.count, "amount": Decimal("1.50"), "on": dt.date(2024, 9, 1)},
            status=self.status,
        )


@pytest.fixture
def calls():
    return Calls()


@pytest.fixture
def post(calls):
    """``post(user, body, key=..., scope=...)``: a JSON POST to a view whose write is idempotent."""

    class View(APIView):
        throttle_classes = []
        scope = "portal.test.create"

        def post(self, request):
            return idempotency.idempotent(request, scope=self.scope, perform=lambda: calls.perform(request))

    factory = APIRequestFactory()

    def send(user, body=BODY, *, key=None, scope="portal.test.create"):
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key.encode().decode("latin-1")}
        request = factory.post("/test/", body, format="json", **headers)
        force_authenticate(request, user)
        response = View.as_view(scope=scope)(request)
        response.render()
        response.json = lambda: json.loads(response.content)  # as the test client's responses have
        return response

    return send


def test_without_the_header_every_request_runs(post, calls, nspa):
    assert post(nspa).status_code == 201
    assert post(nspa).status_code == 201
    assert calls.count == 2
    assert not IdempotencyRecord.objects.exists()


def test_the_same_key_and_body_replay_the_first_response(post, calls, nspa):
    first = post(nspa, key="key-1")
    assert first.status_code == 201
    assert idempotency.REPLAY_HEADER not in first
    # The same body with its keys in another order is the same request.
    again = post(nspa, dict(reversed(BODY.items())), key="key-1")
    assert again.status_code == 201
    assert again[idempotency.REPLAY_HEADER] == "true"
    # The same values as first rendered (PostgreSQL's jsonb may order the keys differently).
    assert again.json() == first.json()
    assert again.json() == {"id": first.json()["id"], "call": 1, "amount": 1.5, "on": "2024-09-01"}
    assert calls.count == 1
    assert JobRun.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_with_422(post, calls, nspa):
    post(nspa, key="key-1")
    response = post(nspa, {**BODY, "quantity": 41}, key="key-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert calls.count == 1


def test_a_failed_request_is_not_remembered_under_its_key(post, calls, nspa):
    calls.status = 400
    assert post(nspa, key="retry-me").status_code == 400
    # Its write rolled back with the claim on the key.
    assert not IdempotencyRecord.objects.exists()
    assert not JobRun.objects.exists()
    calls.status = 201
    response = post(nspa, key="retry-me")
    assert response.status_code == 201
    assert idempotency.REPLAY_HEADER not in response
    record = IdempotencyRecord.objects.get()
    assert (record.status_code, record.response["id"]) == (201, response.json()["id"])


def test_keys_are_per_user(post, calls, nspa, make_user):
    colleague = make_user("nspa", None, username="nspa_colleague")
    assert post(nspa, key="shared").json()["call"] == 1
    response = post(colleague, key="shared")
    assert response.status_code == 201
    assert idempotency.REPLAY_HEADER not in response
    assert response.json()["call"] == 2


def test_keys_are_per_scope(post, calls, nspa):
    assert post(nspa, key="shared", scope="portal.test.create").json()["call"] == 1
    response = post(nspa, key="shared", scope="portal.other.create")
    assert response.status_code == 201
    assert response.json()["call"] == 2
    # And each scope replays its own first response.
    assert post(nspa, key="shared", scope="portal.test.create").json()["call"] == 1
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.parametrize("key", ["x" * 201, "", "has space", "tab\there", "naïve", "\x7f"])
def test_a_malformed_key_is_refused_before_anything_runs(post, calls, nspa, key):
    response = post(nspa, key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert calls.count == 0
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["k" * 200, "!", "~", "3f2b8c1e-6a4d-4e0b-9c7a-1d2e3f4a5b6c"])
def test_visible_ascii_keys_up_to_200_characters_are_accepted(post, calls, nspa, key):
    assert post(nspa, key=key).status_code == 201
    assert IdempotencyRecord.objects.get().key == key


def test_a_key_whose_first_request_is_still_running_is_a_409(post, calls, nspa):
    # What a second request sees if it reads the claim of one that has not finished.
    IdempotencyRecord.objects.create(
        user=nspa,
        scope="portal.test.create",
        key="busy",
        request_hash=idempotency.request_hash(BODY),
        status_code=idempotency.IN_FLIGHT,
        response={},
    )
    response = post(nspa, key="busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_flight"
    assert calls.count == 0


def test_the_request_hash_ignores_key_order_and_keeps_repeated_form_values():
    assert idempotency.request_hash({"a": 1, "b": 2}) == idempotency.request_hash({"b": 2, "a": 1})
    assert idempotency.request_hash({"a": 1}) != idempotency.request_hash({"a": "1"})
    once, twice = QueryDict("a=1"), QueryDict("a=1&a=2")
    assert idempotency.request_hash(once) != idempotency.request_hash(twice)
    assert idempotency.request_hash(twice) == idempotency.request_hash({"a": ["1", "2"]})
