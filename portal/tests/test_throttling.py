"""API throttling: per user and per client address, a JSON 429 with Retry-After, documented on
every operation, with rates from the environment."""

import json
import uuid

import pytest
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from portal.tests.openapi import assert_matches_schema, openapi
from portal.tests.test_env import run_manage

METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


@pytest.fixture
def low_rates(settings):
    # A cache of the test's own: the shared Redis holds other tests' and other workers' history
    # for the same user ids and for 127.0.0.1.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"throttle-test-{uuid.uuid4().hex}",
        },
    }
    settings.API_THROTTLE_RATES = {"anon": "2/min", "user": "3/min"}


@pytest.fixture
def api():
    return APIClient()


def test_a_user_over_the_rate_gets_a_json_429_with_retry_after(api, owner, other, low_rates):
    api.force_authenticate(owner)
    for _ in range(3):
        assert api.get("/api/me/").status_code == 200
    response = api.get("/api/me/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"]
    assert_matches_schema(response, "/api/me/")
    # The allowance is per user, across every view.
    assert api.get("/api/tokens/").status_code == 429
    api.force_authenticate(other)
    assert api.get("/api/me/").status_code == 200


class OpenView(APIView):
    """No API view is open to anonymous callers today; this one shows what the anonymous rate
    would do to one, with the project's default throttles and error handler."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


def call_open_view(*, forwarded_for: str, remote_addr: str = "10.0.0.1"):
    request = APIRequestFactory().get(
        "/api/open/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for
    )
    response = OpenView.as_view()(request)
    response.render()
    return response


def test_anonymous_callers_cannot_escape_the_rate_by_sending_x_forwarded_for(low_rates, settings):
    settings.BEHIND_TLS_PROXY = False
    assert call_open_view(forwarded_for="203.0.113.1").status_code == 200
    assert call_open_view(forwarded_for="203.0.113.2").status_code == 200
    response = call_open_view(forwarded_for="203.0.113.3")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert json.loads(response.content)["code"] == "throttled"


def test_behind_the_proxy_each_client_address_has_its_own_anonymous_rate(low_rates, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(2):
        assert call_open_view(forwarded_for="203.0.113.1").status_code == 200
    # What the client writes left of the proxy's entry changes nothing.
    assert call_open_view(forwarded_for="198.51.100.7, 203.0.113.1").status_code == 429
    assert call_open_view(forwarded_for="203.0.113.2").status_code == 200


def test_every_operation_documents_429_with_retry_after():
    spec = openapi()
    operations = [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert len(operations) > 50
    undocumented = [
        f"{method.upper()} {path}"
        for path, method, operation in operations
        if "Retry-After" not in operation["responses"].get("429", {}).get("headers", {})
        or "application/json" not in operation["responses"]["429"].get("content", {})
    ]
    assert undocumented == []


def test_rates_come_from_the_environment_and_a_bad_one_stops_start_up(tmp_path):
    shown = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.API_THROTTLE_RATES)",
        env={"API_THROTTLE_ANON_PER_MINUTE": "7", "API_THROTTLE_USER_PER_MINUTE": "70"},
        tmp_path=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "{'anon': '7/min', 'user': '70/min'}"
    for variable, value in [("API_THROTTLE_USER_PER_MINUTE", "lots"), ("API_THROTTLE_ANON_PER_MINUTE", "0")]:
        refused = run_manage("check", env={variable: value}, tmp_path=tmp_path)
        lines = refused.stderr.strip().splitlines()
        assert refused.returncode == 2
        assert len(lines) == 1, refused.stderr
        assert lines[0].startswith(f"Configuration error: {variable}:")
