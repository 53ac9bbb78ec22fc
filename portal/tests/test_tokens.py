"""API tokens: stored as digests, expiring, the owner's own to list and revoke, dead after a
password change or deactivation; the browser page; the audit trail never holds a key or digest."""

import base64
import datetime as dt

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS as KNOX
from rest_framework.test import APIClient

from portal.models import ObjectChange, User
from portal.tests.factories import PASSWORD, api_token
from portal.tests.openapi import assert_matches_schema

NEW_PASSWORD = "a completely different passphrase"


@pytest.fixture
def api():
    return APIClient()


def calls_with(key: str) -> int:
    """The status ``GET /api/me/`` gets with this token."""
    return APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def issue(user) -> tuple[str, str]:
    """A new token's key and the digest stored for it."""
    key = api_token(user)
    return key, AuthToken.objects.get(user=user, token_key=key[: KNOX.TOKEN_KEY_LENGTH]).digest


def assert_trail_keeps(*secrets: str) -> None:
    """No token audit row holds any of these keys or digests."""
    changes = ObjectChange.objects.filter(action__startswith="api_token.")
    assert changes.exists()
    for change in changes:
        text = f"{change.before} {change.after} {change.message} {change.object_repr} {change.object_id}"
        assert not [secret for secret in secrets if secret in text]


def test_a_signed_in_user_creates_a_token_shown_once_and_stored_as_a_digest(api, owner, settings):
    api.force_login(owner)
    response = api.post("/api/tokens/")
    assert response.status_code == 201
    assert_matches_schema(response, "/api/tokens/", "post")
    body = response.json()
    key = body["key"]
    assert body["prefix"] == key[: len(body["prefix"])]
    expiry = dt.datetime.fromisoformat(body["expiry"])
    expected = timezone.now() + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert abs(expiry - expected) < dt.timedelta(minutes=1)
    assert settings.API_TOKEN_TTL_DAYS == 30

    row = AuthToken.objects.get(user=owner)
    assert key not in " ".join(str(value) for value in model_to_dict(row).values())
    assert row.digest != key
    assert calls_with(key) == 200

    listed = api.get("/api/tokens/")
    assert listed.status_code == 200
    assert_matches_schema(listed, "/api/tokens/")
    assert [set(token) for token in listed.json()["results"]] == [{"prefix", "created", "expiry"}]
    assert key not in listed.content.decode()

    created = ObjectChange.objects.get(action="api_token.created")
    assert (created.object_id, created.actor_username) == (str(owner.pk), owner.username)
    assert_trail_keeps(key, row.digest)


def test_the_lifetime_is_configurable(api, owner, settings):
    settings.API_TOKEN_TTL_DAYS = 2
    api.force_login(owner)
    expiry = dt.datetime.fromisoformat(api.post("/api/tokens/").json()["expiry"])
    assert abs(expiry - (timezone.now() + dt.timedelta(days=2))) < dt.timedelta(minutes=1)


def test_an_expired_token_is_refused(owner):
    key = api_token(owner)
    assert calls_with(key) == 200
    AuthToken.objects.filter(user=owner).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "credential",
    ["\xe9t\xe9", "abc\x00def", "0" * 63, "g" * 64, "0" * 65],
    ids=["latin-1", "nul", "short", "not-hex", "long"],
)
def test_a_malformed_token_is_a_401_never_a_500(owner, credential):
    api_token(owner)
    response = APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {credential}")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_token_needs_a_signed_in_caller_never_a_password(owner):
    anonymous = APIClient()
    assert anonymous.post("/api/tokens/").status_code == 401
    basic = APIClient()
    credentials = base64.b64encode(f"{owner.username}:{PASSWORD}".encode()).decode()
    basic.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert basic.post("/api/tokens/", {"username": owner.username, "password": PASSWORD}).status_code == 401
    # A browser session must carry its CSRF token, like every other session write.
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.post("/api/tokens/").status_code == 403
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {api_token(owner)}")
    assert with_token.post("/api/tokens/").status_code == 201
    assert not AuthToken.objects.exclude(user=owner).exists()


def test_the_owner_revokes_one_token_or_all(api, owner):
    (first, digest), (second, _), (third, _) = issue(owner), issue(owner), issue(owner)
    prefix = first[: KNOX.TOKEN_KEY_LENGTH]
    api.force_login(owner)
    assert api.delete(f"/api/tokens/{prefix}/").status_code == 204
    assert (calls_with(first), calls_with(second), calls_with(third)) == (401, 200, 200)
    assert api.delete(f"/api/tokens/{prefix}/").status_code == 404
    assert api.post("/api/tokens/revoke-all/").status_code == 204
    assert (calls_with(second), calls_with(third)) == (401, 401)
    assert ObjectChange.objects.filter(action="api_token.revoked", object_id=str(owner.pk)).count() == 2
    assert_trail_keeps(first, digest, second, third)


def test_nobody_sees_or_revokes_another_users_tokens(api, owner, other, secretariat):
    theirs = api_token(other)
    prefix = AuthToken.objects.get(user=other).token_key
    for user in (owner, secretariat):
        api.force_login(user)
        assert api.get("/api/tokens/").json()["results"] == []
        assert api.delete(f"/api/tokens/{prefix}/").status_code == 404
        assert api.post("/api/tokens/revoke-all/").status_code == 204
    assert calls_with(theirs) == 200


def test_a_password_change_kills_the_users_tokens(owner, other):
    (key, digest), others = issue(owner), api_token(other)
    owner.set_password(NEW_PASSWORD)
    owner.save()
    assert calls_with(key) == 401
    assert calls_with(others) == 200
    change = ObjectChange.objects.get(action="api_token.revoked")
    assert change.object_id == str(owner.pk)
    assert "password changed" in change.message
    assert_trail_keeps(key, digest)


def test_the_password_reset_form_and_an_unusable_password_kill_tokens_too(owner):
    key = api_token(owner)
    form = SetPasswordForm(owner, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()
    assert calls_with(key) == 401
    key = api_token(owner)
    owner.set_unusable_password()
    owner.save()
    assert calls_with(key) == 401


def test_a_password_change_in_the_admin_kills_tokens(client, make_user, owner):
    key = api_token(owner)
    client.force_login(make_user(None, None, username="root", is_superuser=True, is_staff=True))
    response = client.post(
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert calls_with(key) == 401


def test_saving_a_user_otherwise_and_a_hash_upgrade_keep_the_tokens(owner, settings):
    key = api_token(owner)
    owner.first_name = "Renamed"
    owner.save()
    user = User.objects.get(pk=owner.pk)
    user.save()
    # A stronger preferred hasher: the next login re-hashes the same password and saves it.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert user.check_password(PASSWORD)
    assert User.objects.get(pk=owner.pk).password.startswith("pbkdf2_sha256$")
    assert calls_with(key) == 200


def test_deactivation_kills_the_users_tokens(owner):
    key = api_token(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert not AuthToken.objects.filter(user=owner).exists()
    assert calls_with(key) == 401
    assert "account deactivated" in ObjectChange.objects.get(action="api_token.revoked").message


def test_the_tokens_page_creates_shows_the_key_once_and_revokes(client, owner, other):
    client.force_login(owner)
    assert 'href="/accounts/tokens/"' in client.get("/").content.decode()
    page = client.get(reverse("api-tokens"))
    assert page.status_code == 200
    assert "You have no API tokens." in page.content.decode()

    created = client.post(reverse("api-tokens"))
    assert created.status_code == 200
    key = created.context["created"]["key"]
    assert key in created.content.decode()
    assert calls_with(key) == 200
    token = AuthToken.objects.get(user=owner)
    again = client.get(reverse("api-tokens")).content.decode()
    assert key not in again
    assert token.token_key in again
    assert token.digest not in again

    theirs = AuthToken.objects.get(user=other, token_key=api_token(other)[: KNOX.TOKEN_KEY_LENGTH])
    assert client.post(reverse("api-token-revoke", kwargs={"prefix": theirs.token_key})).status_code == 404
    revoked = client.post(reverse("api-token-revoke", kwargs={"prefix": token.token_key}))
    assert revoked.status_code == 302
    assert calls_with(key) == 401
    assert AuthToken.objects.filter(user=other).exists()

    key, digest = issue(owner)
    assert client.post(reverse("api-tokens-revoke-all")).status_code == 302
    assert calls_with(key) == 401
    assert AuthToken.objects.filter(user=other).exists()
    assert_trail_keeps(key, digest, token.digest)


def test_the_tokens_page_speaks_french(client, owner):
    client.force_login(owner)
    api_token(owner)
    page = client.get(reverse("api-tokens"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Créer un jeton" in page
    assert "Révoquer tous mes jetons" in page
    assert "cessent de fonctionner quand votre mot de passe change" in page
