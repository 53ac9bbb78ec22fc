"""The web shell: every page for every role, headers, errors, throttled login and health."""

import re

import pytest
from django.db import OperationalError
from django.urls import reverse

from portal.models import JobRun
from portal.tests.factories import PASSWORD, JobRunFactory
from portal.tests.test_audit import make_change
from tests.matrix import ROLES, assert_no_inline_code

# Every page costs the session and the user (2), plus the nation shown in the user menu (1, for
# users with a nation). On top, each page's own reads, the same at any data size:
# - home: recent activity (1), recent jobs for NSPA, secretariat and admins (1), and the role's
#   workspace panels (portal.rules.HOME_PANELS) on this near-empty data, where a panel with nothing
#   to read stops early: director 10, NSPA 4, secretariat 11, board member 4, partner 0 (the menu).
#   The counts on the demo data, and that they hold as it grows, are portal/tests/test_workspace.py's;
# - activity: record-type filter choices, count, page (3);
# - jobs: count, page (2); a user granted nothing on jobs has none to follow (403).
# A user with no role is granted nothing, so no list query runs for them at all.
SHELL_PAGES = {
    "home": {
        "director": 11,
        "nspa": 6,
        "secretariat": 13,
        "board_member": 5,
        "partner": 1,
        "superuser": 2,
        "no_role": 0,
    },
    "activity": {**dict.fromkeys(ROLES, 3), "no_role": 1},
    # Roles that run no jobs first ask whether they requested any (a third query).
    "jobs": {**dict.fromkeys(set(ROLES) - {"no_role"}, 3), "nspa": 2, "secretariat": 2, "superuser": 2},
}


def expected_queries(page: str, role: str, user) -> int:
    return 2 + (1 if user.nation_id else 0) + SHELL_PAGES[page][role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(SHELL_PAGES))
def test_shell_page_for_each_role(client, users_by_role, role, page, django_assert_num_queries):
    user = users_by_role[role]
    make_change(user)
    JobRunFactory(requested_by=user)
    client.force_login(user)
    if role not in SHELL_PAGES[page]:
        assert client.get(reverse(page)).status_code == 403
        return
    with django_assert_num_queries(expected_queries(page, role, user)):
        response = client.get(reverse(page))
    assert response.status_code == 200
    assert response["X-Request-ID"]
    body = response.content.decode()
    assert user.get_username() in body
    if user.nation_id:
        assert f"{user.nation.name} ({user.nation.code})" in body


@pytest.mark.parametrize("size", [3, 30])
def test_list_pages_keep_their_query_count_as_data_grows(
    client, secretariat, size, django_assert_num_queries
):
    for _ in range(size):
        make_change(secretariat)
        JobRunFactory()
    client.force_login(secretariat)
    for name in ["activity", "jobs", "home"]:
        with django_assert_num_queries(expected_queries(name, "secretariat", secretariat)):
            response = client.get(reverse(name))
        assert response.status_code == 200


def test_director_home_and_menu_show_role_and_nation(client, owner):
    client.force_login(owner)
    body = client.get("/").content.decode()
    assert 'data-testid="user-role">National armaments director' in body
    assert 'data-testid="user-nation">Poland (POL)' in body
    assert "File and submit your nation" in body
    assert ">Jobs<" not in body  # the menu is by role


def test_jobs_are_for_who_has_jobs(client, owner, nspa):
    JobRunFactory(requested_by=nspa, job_name="procurement.tasks.warm_analytics")
    client.force_login(owner)
    response = client.get(reverse("jobs"))
    assert response.status_code == 403
    JobRunFactory(requested_by=owner, job_name="portal.tasks.ping")
    response = client.get(reverse("jobs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "portal.tasks.ping" in body
    assert "procurement.tasks.warm_analytics" not in body  # their own, never NSPA's


def test_secretariat_menu_has_jobs(client, secretariat):
    client.force_login(secretariat)
    assert 'href="/jobs/"' in client.get("/").content.decode()


def test_activity_is_scoped_for_directors(client, owner, other):
    make_change(owner, action="mine.done")
    make_change(other, action="theirs.done")
    client.force_login(owner)
    body = client.get(reverse("activity")).content.decode()
    assert "mine.done" in body
    assert "theirs.done" not in body


def test_activity_filter_with_junk_input_does_not_fail(client, secretariat):
    client.force_login(secretariat)
    response = client.get(
        reverse("activity"), {"since": "not-a-date", "content_type": "999999", "page": "zzz"}
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/activity/", "/jobs/", "/api/docs/"])
def test_anonymous_users_are_redirected_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_renders_for_anonymous(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_login_and_logout(client, owner):
    response = client.post(reverse("login"), {"username": "owner_pol", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    session_key = client.cookies["portal_session"].value
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302
    assert client.cookies["portal_session"].value != session_key


def test_login_is_throttled_after_repeated_failures(client, owner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "owner_pol", "password": "wrong"})
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    response = client.post(reverse("login"), {"username": "owner_pol", "password": "wrong"})
    assert response.status_code == 429
    # Even the right password is refused while locked out.
    response = client.post(reverse("login"), {"username": "owner_pol", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_csp_header_forbids_inline_script_and_eval(client, owner):
    client.force_login(owner)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"


def test_the_not_found_page_has_no_inline_code(client, owner):
    # Every page of the urlconf is checked by the URL matrix; this one is no route.
    client.force_login(owner)
    response = client.get("/does-not-exist/")
    assert response.status_code == 404
    assert_no_inline_code(response.content.decode())


def test_request_id_is_returned_and_a_safe_incoming_id_is_kept(client, db):
    generated = client.get(reverse("health"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert (
        client.get(reverse("health"), headers={"X-Request-ID": "lb-abc-12345"})["X-Request-ID"]
        == "lb-abc-12345"
    )
    replaced = client.get(reverse("health"), headers={"X-Request-ID": "<script>"})["X-Request-ID"]
    assert replaced != "<script>"


def test_unknown_url_gets_a_styled_404(client, owner):
    client.force_login(owner)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "There is nothing at this address" in body
    assert "/static/css/portal.css" in body


def test_security_headers(client, db):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_language_switch_to_french(client, owner):
    client.force_login(owner)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="fr">' in body
    assert "Accueil" in body
    assert "Se déconnecter" in body


def test_csrf_is_enforced_with_a_friendly_page(db, owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "owner_pol", "password": PASSWORD})
    assert response.status_code == 403
    assert b"Your form expired" in response.content


class TestHealth:
    def test_ok_on_the_embedded_default(self, client, settings, db):
        settings.REDIS_URL = None
        JobRunFactory(job_name="portal.tasks.ping", state="succeeded")
        response = client.get(reverse("health"))
        assert response.status_code == 200
        data = response.json()
        assert (data["status"], data["database"], data["redis"]) == ("ok", "ok", "absent")
        assert data["last_job"]["name"] == "portal.tasks.ping"
        assert data["last_job"]["state"] == "succeeded"

    def test_degraded_when_redis_is_unreachable(self, client, settings, db):
        settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
        response = client.get(reverse("health"))
        assert response.status_code == 200
        data = response.json()
        assert (data["status"], data["database"], data["redis"]) == ("degraded", "ok", "down")

    def test_503_when_the_database_is_down(self, client, settings, db, monkeypatch):
        settings.REDIS_URL = None

        class DownConnection:
            def cursor(self):
                raise OperationalError("connection refused")

        monkeypatch.setattr("portal.views.connection", DownConnection())
        response = client.get(reverse("health"))
        assert response.status_code == 503
        assert response.json()["database"] == "down"
        assert response.json()["last_job"] is None

    def test_reports_redis_ok_when_configured(self, client, db):
        import os

        if not os.environ.get("REDIS_URL"):
            pytest.skip("needs REDIS_URL")
        assert client.get(reverse("health")).json()["redis"] == "ok"

    def test_health_needs_no_login_and_leaks_no_job_arguments(self, client, db):
        JobRun.objects.create(job_name="x", args={"secret": "value"})
        assert "secret" not in client.get(reverse("health")).content.decode()


def test_server_errors_are_json_under_the_api_and_a_page_elsewhere(rf, db):
    from portal.views import server_error

    api = server_error(rf.get("/api/anything/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    page = server_error(rf.get("/activity/"))
    assert page.status_code == 500
    assert b"Something went wrong on our side" in page.content


def test_the_menu_groups_by_theme_and_puts_the_portals_tools_in_the_user_menu(client, secretariat, nspa):
    client.force_login(secretariat)
    body = client.get("/").content.decode()
    menu = body.split('class="mainnav"')[1].split("</nav>")[0]
    themes = [part.split("</summary>")[0].rsplit(">", 1)[1] for part in menu.split("<summary")[1:]]
    assert themes == ["National plans", "Defence investment", "Procurement", "Standards", "Board"]
    assert 'href="/jobs/"' not in menu
    assert 'href="/api/docs/"' not in menu
    user_menu = body.split('class="usermenu-panel"')[1].split("</details>")[0]
    assert 'href="/jobs/"' in user_menu
    assert 'href="/api/docs/"' in user_menu
    # A theme holding the page is marked; a theme of one entry is that link (NSPA's one plan page).
    page = client.get(reverse("procurement:framework-list")).content.decode()
    procurement = page.split("<summary")[3].split("</details>")[0]
    assert 'class="is-current"' in procurement
    assert 'aria-current="page"' in procurement
    client.force_login(nspa)
    nspa_menu = client.get("/").content.decode().split('class="mainnav"')[1].split("</nav>")[0]
    assert "National plans</summary>" not in nspa_menu
