"""Writes made in the admin are audited like any other."""

import pytest
from django.urls import reverse
from knox.models import AuthToken

from portal.models import ObjectChange, User
from portal.tests.factories import api_token


@pytest.fixture
def admin_client_for(client, make_user):
    admin = make_user(None, None, username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    return client


def test_changing_a_user_in_admin_is_audited(admin_client_for, owner):
    url = reverse("admin:portal_user_change", args=[owner.pk])
    page = admin_client_for.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in {"password", "groups", "user_permissions"}
    }
    data.update(
        {
            "first_name": "Renamed",
            "date_joined_0": owner.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": owner.date_joined.strftime("%H:%M:%S"),
            "nation": owner.nation_id,
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = admin_client_for.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    change = ObjectChange.objects.get(action="update", object_id=str(owner.pk))
    assert change.before["first_name"] == "Test"
    assert change.after["first_name"] == "Renamed"
    assert change.actor_username == "root"


def test_token_admin_lists_prefixes_and_never_a_digest(admin_client_for, owner):
    key = api_token(owner)
    token = AuthToken.objects.get(user=owner)
    page = admin_client_for.get(reverse("admin:knox_authtoken_changelist"), {"q": owner.username})
    assert page.status_code == 200
    assert token.token_key in page.content.decode()
    assert token.digest not in page.content.decode()
    assert key not in page.content.decode()
    # A detail page would be addressed and titled by the digest: there is none.
    assert admin_client_for.get(f"/admin/knox/authtoken/{token.pk}/change/").status_code == 404


def test_deleting_a_user_in_admin_counts_their_tokens_without_listing_digests(admin_client_for, owner):
    api_token(owner)
    digest = AuthToken.objects.get(user=owner).digest
    url = reverse("admin:portal_user_delete", args=[owner.pk])
    page = admin_client_for.get(url)
    assert page.status_code == 200
    assert digest not in page.content.decode()
    assert dict(page.context["model_count"])["auth tokens"] == 1
    assert admin_client_for.post(url, {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=owner.pk).exists()
    assert not AuthToken.objects.exists()


def test_revoking_a_users_tokens_in_admin_is_audited_without_key_or_digest(admin_client_for, owner, other):
    key = api_token(owner)
    digest = AuthToken.objects.get(user=owner).digest
    api_token(other)
    response = admin_client_for.post(
        reverse("admin:portal_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [owner.pk]},
    )
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=owner).exists()
    assert AuthToken.objects.filter(user=other).exists()
    change = ObjectChange.objects.get(action="api_token.revoked")
    assert (change.object_id, change.actor_username) == (str(owner.pk), "root")
    trail = str(change.before) + str(change.after) + change.message + change.object_repr
    assert key not in trail
    assert digest not in trail


def test_bulk_delete_is_not_offered(admin_client_for):
    response = admin_client_for.get(reverse("admin:portal_user_changelist"))
    assert b"delete_selected" not in response.content
    assert User.objects.exists()
