"""Login lockout keys on the client's address: behind the TLS proxy that is the proxy's
X-Forwarded-For entry, and without a proxy the header is ignored."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.proxy import client_ip
from portal.tests.factories import PASSWORD
from portal.tests.test_env import STRONG_KEY, run_manage

PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.10"
CLIENT_B = "203.0.113.20"


def sign_in(client, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "owner_pol", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def lock_out(client, settings, forwarded_for):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong", forwarded_for).status_code == 200
    assert sign_in(client, "wrong", forwarded_for).status_code == 429


def test_behind_the_proxy_one_client_locks_out_only_itself(client, owner, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    lock_out(client, settings, CLIENT_A)
    assert sign_in(client, PASSWORD, CLIENT_A).status_code == 429
    # Client A cannot pose as another address by writing it left of the proxy's entry.
    assert sign_in(client, PASSWORD, f"{CLIENT_B}, {CLIENT_A}").status_code == 429
    response = sign_in(client, PASSWORD, CLIENT_B)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_without_the_proxy_a_forged_x_forwarded_for_does_not_escape_a_lockout(client, owner, settings):
    settings.BEHIND_TLS_PROXY = False
    lock_out(client, settings, CLIENT_A)
    response = sign_in(client, PASSWORD, CLIENT_B)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("behind", "count", "forwarded_for", "expected"),
    [
        (False, 1, "203.0.113.10", "10.0.0.1"),
        (True, 1, "203.0.113.10", "203.0.113.10"),
        (True, 1, "198.51.100.1, 203.0.113.10", "203.0.113.10"),
        (True, 2, "198.51.100.1, 203.0.113.10, 10.0.0.9", "203.0.113.10"),
        (True, 1, "2001:db8::1", "2001:db8::1"),
        # Fewer entries than proxies, no header, or junk: only the peer's address is known.
        (True, 2, "203.0.113.10", "10.0.0.1"),
        (True, 1, None, "10.0.0.1"),
        (True, 1, "not-an-address", "10.0.0.1"),
    ],
)
def test_client_address(settings, behind, count, forwarded_for, expected):
    settings.BEHIND_TLS_PROXY = behind
    settings.TRUSTED_PROXY_COUNT = count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)) == expected


RESOLVE = (
    "from django.test import RequestFactory; from axes.helpers import get_client_ip_address; "
    "print(get_client_ip_address(RequestFactory().get('/', REMOTE_ADDR='10.0.0.1', "
    "HTTP_X_FORWARDED_FOR='198.51.100.1, 203.0.113.10, 10.0.0.9')))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "10.0.0.1"),
        ({"BEHIND_TLS_PROXY": "true"}, "10.0.0.9"),
        ({"BEHIND_TLS_PROXY": "true", "TRUSTED_PROXY_COUNT": "2"}, "203.0.113.10"),
        # Production runs behind the proxy unless told otherwise.
        (
            {"DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "portal.example.org"},
            "10.0.0.9",
        ),
    ],
)
def test_the_environment_decides_which_address_axes_sees(env, expected, tmp_path):
    result = run_manage("shell", "--no-imports", "-c", RESOLVE, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize("value", ["two", "0"])
def test_a_bad_trusted_proxy_count_stops_start_up(value, tmp_path):
    result = run_manage("check", env={"TRUSTED_PROXY_COUNT": value}, tmp_path=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: TRUSTED_PROXY_COUNT:")
