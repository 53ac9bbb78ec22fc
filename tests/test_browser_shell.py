"""A director signs in, looks around and switches to French, in real headless Chromium."""

import pytest

from portal.tests.factories import PASSWORD
from tests.browser import browser_page, csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_signs_in_browses_and_switches_language(live_server, make_user):
    make_user("director", "POL", username="dir_pol", first_name="Tomasz", last_name="Nowak")
    with browser_page("shell-director") as page:
        page.goto(f"{live_server.url}/activity/")
        assert "/accounts/login/" in page.url
        page.shot("01-login")

        page.fill("#id_username", "dir_pol")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/activity/")
        page.goto(f"{live_server.url}/")
        assert page.locator("h1").inner_text() == "Welcome, Tomasz"
        page.click("details.usermenu summary")
        assert page.get_by_test_id("user-nation").inner_text() == "Poland (POL)"
        page.shot("02-home-menu")

        # htmx and the page script loaded from this origin, under the CSP.
        assert page.evaluate("typeof window.htmx") == "object"
        assert page.evaluate("htmx.config.allowEval") is False

        with page.expect_navigation():
            page.select_option("select[name=language]", "fr")
        assert page.locator("nav.mainnav").inner_text().startswith("Accueil")
        page.shot("03-home-fr")

        page.goto(f"{live_server.url}/no/such/page/")
        assert "404" in page.locator(".error-status").inner_text()
        page.shot("04-not-found")

        assert csp_violations(page) == []
        # The 404 page's own status is the one console error a browser reports for it.
        assert [e for e in page.console_errors if "404" not in e] == []
