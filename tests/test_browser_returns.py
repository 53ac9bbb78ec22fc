"""A national expenditure return in real headless Chromium: Poland's director starts the 2026
return, adds a year, sees the % of GDP the recompute job derived from it, submits it; the
secretariat then finds it, read-only. No console error, no CSP violation. Screenshots go to
test-artifacts/expenditure-return/."""

import pytest

from pledges.tests.dip_data import import_nato_2026
from tests.browser import browser_page, csp_violations, open_menu
from tests.test_browser_plans import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_files_a_return_and_the_secretariat_reads_it(live_server, make_user):
    make_user("director", "POL", username="dir_pol", first_name="Tomasz")
    secretariat = make_user("secretariat", None, username="sec", first_name="Helen")
    import_nato_2026(secretariat)
    base = live_server.url

    with browser_page("expenditure-return") as page:
        sign_in(page, base, "dir_pol")
        open_menu(page, "Defence investment", "Expenditure data")
        page.wait_for_url(f"{base}/pledges/expenditure/")
        page.fill("#id_start-edition_year", "2026")
        page.click("text=Start the return")
        page.wait_for_selector("[data-testid=add-year]")

        # A bad row first: the error sits next to its field and the typed values stay.
        page.fill("#id_record-new-year", "2025")
        page.fill("#id_record-new-def_usd_constant_m", "-5")
        page.fill("#id_record-new-gdp_usd_constant_m", "100000")
        page.click("[data-testid=add-year] button[type=submit]")
        page.wait_for_selector("#id_record-new-def_usd_constant_m_error")
        assert page.input_value("#id_record-new-gdp_usd_constant_m") == "100000"

        page.fill("#id_record-new-def_usd_constant_m", "2500")
        page.fill("#id_record-new-equipment_pct", "31.5")
        page.click("[data-testid=add-year] button[type=submit]")
        row = page.locator("[data-testid=record-2025]")
        row.wait_for()
        # The recompute job ran after the save: 100 x 2,500 / 100,000.
        assert row.locator("[data-testid=pct-gdp]").inner_text().startswith("2.50")
        assert "31.50" in row.locator("[data-testid=equipment]").inner_text()
        page.shot("01-director-draft")

        page.click("text=Submit the return")
        page.wait_for_selector("[data-testid=dataset-status]:has-text('Submitted')")
        assert page.locator("[data-testid=add-year]").count() == 0
        page.shot("02-director-submitted")
        sign_out(page)

        sign_in(page, base, "sec")
        page.goto(f"{base}/pledges/expenditure/")
        page.click("text=Poland national return 2026")
        page.wait_for_selector("[data-testid=record-2025]")
        assert page.locator("[data-testid=add-year]").count() == 0  # read-only for the secretariat
        page.shot("03-secretariat-reads")

        assert csp_violations(page) == []
        # The only console line is Chromium noting the invalid form's 400 answer, by design.
        assert [e for e in page.console_errors if "status of 400" not in e] == []
        assert len(page.console_errors) == 1
