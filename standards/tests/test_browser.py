"""In real headless Chromium: Poland's director records a reservation in the bulk form; the matrix
shows it on keyboard focus; the secretariat sees the resulting alert on the call-off. No console
error, no CSP violation, and axe-core finds no WCAG 2.1 A/AA violation on the form or the matrix.
Screenshots go to test-artifacts/standards/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement import services as procurement_services
from procurement.tests.factories import ItemFactory, make_calloff, make_framework, nspa_user
from standards import services
from standards.tests.factories import make_domain, make_standard
from tests.browser import axe_violations, browser_page, csp_violations, open_menu
from tests.test_browser_plans import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reservation_reaches_the_matrix_and_raises_an_alert(live_server, make_user):
    make_user("director", "POL", username="dir_pol", first_name="Tomasz")
    secretariat = make_user("secretariat", None, username="sec", first_name="Helen")
    domain = make_domain(actor=secretariat)
    edition = make_standard(
        number="4425", edition="2", domain=domain, actor=secretariat, title="Indirect fire ammunition"
    )
    make_standard(number="2459", edition="3", domain=domain, actor=secretariat, title="Interchangeability")
    item = ItemFactory(name="155 mm artillery round")
    services.requirement_add(actor=secretariat, item=item, standard=edition)
    framework = make_framework(actor=nspa_user(), nations=("POL", "FRA"))
    line = procurement_services.framework_line_add(
        actor=nspa_user(), framework=framework, item=item, unit_price=Decimal("10.00"), max_quantity=100
    )
    call_off = make_calloff(framework, nation="POL", quantity=10, actor=nspa_user(), line=line)
    base = live_server.url

    with browser_page("standards") as page:
        page.set_viewport_size({"width": 1366, "height": 800})
        sign_in(page, base, "dir_pol")
        open_menu(page, "Standards", "Record responses")
        page.wait_for_selector("[data-testid=response-form]")
        assert axe_violations(page) == []
        row = page.locator(f"#row-{edition.pk}")
        row.locator("select[name$='-ratification']").select_option("reservations")
        page.click("[data-testid=response-form] button[type=submit]")
        # No text for the reservations: the error sits on the row and the choice is kept.
        page.wait_for_selector("[data-testid=row-errors]")
        assert "State the reservations." in row.inner_text()
        assert row.locator("select[name$='-ratification']").input_value() == "reservations"
        assert axe_violations(page) == []
        page.shot("01-form-error")
        row.locator("textarea[name$='-reservations']").fill("Charge zones 6 and 7 are not interchangeable.")
        page.click("[data-testid=response-form] button[type=submit]")
        page.wait_for_selector("text=Saved 1 changed responses for Poland.")
        page.shot("02-form-saved")

        page.goto(f"{base}/standards/matrix/")
        page.wait_for_selector("[data-testid=matrix]")
        # The matrix scrolls inside its own region: the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        cell = page.locator(".matrix-res").first
        tooltip = page.locator(".matrix-tip").first
        assert not tooltip.is_visible()
        cell.focus()
        assert tooltip.is_visible()
        assert "Charge zones 6 and 7" in tooltip.inner_text()
        assert axe_violations(page) == []
        page.shot("03-matrix-focus")
        sign_out(page)

        sign_in(page, base, "sec")
        page.goto(f"{base}/procurement/call-offs/{call_off.pk}/")
        alerts = page.locator("[data-testid=calloff-alerts]")
        assert "Ratified with reservations" in alerts.inner_text()
        assert "STANAG 4425 Ed. 2" in alerts.inner_text()
        page.shot("04-calloff-alert")

        assert csp_violations(page) == []
        # The invalid save answers 400 by design (the form with its errors); Chromium logs that.
        expected = (
            f"{base}/standards/responses/: Failed to load resource: the server responded with a status of 400"
        )
        assert [error for error in page.console_errors if not error.startswith(expected)] == []
