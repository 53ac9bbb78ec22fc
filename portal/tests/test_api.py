"""The API shell: authentication, /api/me/, pagination, JSON errors and the schema."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.test import APIClient

from portal.api.errors import exception_handler
from portal.exceptions import Conflict
from portal.tests.factories import JobRunFactory, api_token
from portal.tests.openapi import assert_matches_schema


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_gets_json_401(api, db):
    response = api.get("/api/me/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("role", ["director", "nspa", "secretariat", "board_member", "partner", "no_role"])
def test_me_reports_role_nation_and_permissions(api, users_by_role, role, django_assert_num_queries):
    user = users_by_role[role]
    api.force_authenticate(user)
    with django_assert_num_queries(1):
        response = api.get("/api/me/")
    assert response.status_code == 200
    assert_matches_schema(response, "/api/me/")
    data = response.json()
    assert data["username"] == user.username
    assert data["role"] == user.role
    assert data["nation"] == (
        None
        if user.nation is None
        else {**data["nation"], "code": user.nation.code, "name": user.nation.name}
    )
    if role == "no_role":
        assert data["permissions"] == {}
    else:
        # Everybody reads the nations; the CNAD dashboard's nation page is pledges' grant on them.
        nation_page = {
            "superuser": "all",
            "secretariat": "all",
            "board_member": "all",
            "director": "own_nation",
        }
        expected = {"view": "all", **({"open_dip_nation": nation_page[role]} if role in nation_page else {})}
        assert data["permissions"]["portal.nation"] == expected


def test_token_authentication(api, owner):
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(owner)}")
    response = api.get("/api/me/")
    assert response.status_code == 200
    assert response.json()["nation"]["code"] == "POL"
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/me/").status_code == 401


def test_session_authentication_as_the_browser_does_it(client, owner):
    client.force_login(owner)
    response = client.get("/api/me/")
    assert response.status_code == 200
    assert response.json()["nation"]["code"] == "POL"


def test_session_authenticated_writes_need_csrf(owner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post("/api/me/", {})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_nations_list_filter_and_detail(api, owner):
    api.force_authenticate(owner)
    response = api.get("/api/nations/", {"kind": "ally"})
    assert response.status_code == 200
    assert_matches_schema(response, "/api/nations/")
    assert response.json()["count"] == 32
    partners = api.get("/api/nations/", {"kind": "partner"}).json()
    assert {n["code"] for n in partners["results"]} == {"UKR", "AUS", "JPN", "NZL", "KOR"}
    detail = api.get("/api/nations/POL/")
    assert_matches_schema(detail, "/api/nations/{code}/")
    assert detail.json() == {
        "code": "POL",
        "name": "Poland",
        "kind": "ally",
        "accession_year": 1999,
        "currency": "PLN",
    }


def test_bad_filter_value_is_a_field_error(api, owner):
    api.force_authenticate(owner)
    response = api.get("/api/nations/", {"kind": "empire"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_unknown_object_and_unknown_url_are_json_404(api, owner):
    api.force_authenticate(owner)
    response = api.get("/api/nations/XYZ/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = api.get("/api/does-not-exist/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_page_size_is_capped(api, secretariat, settings):
    JobRunFactory.create_batch(settings.API_MAX_PAGE_SIZE + 5)
    api.force_authenticate(secretariat)
    response = api.get("/api/jobs/", {"page_size": 100000})
    assert response.status_code == 200
    assert_matches_schema(response, "/api/jobs/")
    assert len(response.json()["results"]) == settings.API_MAX_PAGE_SIZE
    assert len(api.get("/api/jobs/").json()["results"]) == settings.API_PAGE_SIZE
    assert api.get("/api/jobs/", {"page": 999}).status_code == 404


def test_jobs_are_scoped(api, owner, secretariat):
    mine = JobRunFactory(requested_by=owner)
    JobRunFactory(requested_by=secretariat)
    api.force_authenticate(owner)
    assert [r["id"] for r in api.get("/api/jobs/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/jobs/{mine.pk + 1}/").status_code == 404


def test_service_errors_map_to_json_with_field_messages():
    response = exception_handler(DjangoValidationError({"quantity": ["Must be positive."]}), {})
    assert response.status_code == 400
    assert response.data == {"quantity": ["Must be positive."]}
    response = exception_handler(DjangoValidationError("Whole-object problem."), {})
    assert response.data == {"non_field_errors": ["Whole-object problem."]}
    response = exception_handler(
        Conflict("Changed by someone else.", detail={"changed": {"title": ["a", "b"]}}), {}
    )
    assert response.status_code == 409
    assert response.data == {
        "detail": "Changed by someone else.",
        "code": "conflict",
        "changed": {"title": ["a", "b"]},
    }


def test_schema_is_served_to_signed_in_users(api, owner):
    api.force_authenticate(owner)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/me/" in response.json()["paths"]


def test_docs_page_uses_local_assets(client, owner):
    client.force_login(owner)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "https://" not in body


def test_docs_page_links_back_to_the_portal(client, owner):
    client.force_login(owner)
    body = client.get("/api/docs/").content.decode()
    nav = body.split('class="api-docs-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/"' in nav
    assert "Back to the portal" in nav
    assert 'href="/accounts/tokens/"' in nav
    assert 'id="swagger-ui"' in body  # Swagger's own page is still there, below
