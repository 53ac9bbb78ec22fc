"""In real headless Chromium: a working-group member drafts the minutes of a meeting and adds an
action; the secretariat approves the minutes at the group's next meeting; the risk register's heat
map draws. No console error, no CSP violation, and axe-core finds no WCAG 2.1 A/AA violation on the
meeting page or the risk register. Screenshots go to test-artifacts/boards/."""

from __future__ import annotations

import pytest

from boards.tests.factories import make_meeting, make_risk, make_world
from tests.browser import axe_violations, browser_page, csp_violations, open_menu
from tests.test_browser_plans import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_minutes_are_drafted_approved_at_the_next_meeting_and_the_heat_map_draws(live_server, make_user):
    world = make_world(make_user)
    held = make_meeting(world.wg1_member, world.wg1, days_from_now=-14, title="Capacity returns")
    make_meeting(world.wg1_member, world.wg1, days_from_now=-1, title="Capacity follow-up")
    for likelihood, impact in ((4, 5), (2, 3), (4, 5)):
        make_risk(world.wg2_member, world.wg2, likelihood=likelihood, impact=impact)
    base = live_server.url

    with browser_page("boards") as page:
        page.set_viewport_size({"width": 1366, "height": 900})
        sign_in(page, base, "w_wg1")
        open_menu(page, "Board", "Meetings")
        page.click("text=Capacity returns")
        page.wait_for_selector("[data-testid=minutes]")
        assert axe_violations(page) == []
        page.click("text=Draft the minutes")
        page.fill("textarea[name=text]", "The group reviewed the 155 mm capacity returns.")
        page.click("form.form-card button[type=submit]")
        page.wait_for_selector("text=Draft minutes saved.")
        assert "Version 1, draft" in page.inner_text("[data-testid=minutes]")
        page.click("text=New action")
        page.fill("textarea[name=text]", "Ask the Allies for their 2027 figures.")
        page.select_option("select[name=owner_user]", label="w_wg1")
        page.fill(
            "input[name=due_on]", held.starts_at.date().replace(year=held.starts_at.year + 1).isoformat()
        )
        page.click("form.form-card button[type=submit]")
        page.wait_for_selector("text=Action recorded.")
        assert "Ask the Allies for their 2027 figures." in page.inner_text("[data-testid=actions]")
        page.shot("01-meeting-drafted")
        sign_out(page)

        sign_in(page, base, "w_sec")
        page.goto(f"{base}/boards/meetings/{held.pk}/")
        page.click("[data-testid=minutes] >> text=Approve")
        page.select_option("select[name=at_meeting]", label="Capacity follow-up")
        page.click("form.form-card button[type=submit]")
        page.wait_for_selector("text=Minutes approved.")
        minutes = page.inner_text("[data-testid=minutes]")
        assert "Version 1, approved" in minutes
        assert "Capacity follow-up" in minutes
        # Approved minutes are frozen: the page offers a correction, not an edit.
        assert page.locator("text=Edit the draft").count() == 0
        assert page.locator("text=Propose a correction").count() == 1
        assert axe_violations(page) == []
        page.shot("02-minutes-approved")

        page.goto(f"{base}/boards/risks/")
        page.wait_for_selector("canvas[data-chart=risk-heat-map][data-drawn]")
        assert page.inner_text("[data-testid=heat-table] [data-cell='4-5']") == "2"
        assert axe_violations(page) == []
        page.shot("03-heat-map")

        assert csp_violations(page) == []
