"""Writes made in the admin are audited like any other."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from portal.models import ObjectChange, User


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


def test_issuing_an_api_token_in_admin_is_audited_without_the_key(admin_client_for, owner):
    response = admin_client_for.post(reverse("admin:authtoken_tokenproxy_add"), {"user": owner.pk})
    assert response.status_code == 302
    token = Token.objects.get(user=owner)
    change = ObjectChange.objects.get(action="api_token.issued")
    assert change.object_id == str(owner.pk)
    assert token.key not in str(change.after) + change.message + change.object_repr


def test_bulk_delete_is_not_offered(admin_client_for):
    response = admin_client_for.get(reverse("admin:portal_user_changelist"))
    assert b"delete_selected" not in response.content
    assert User.objects.exists()
