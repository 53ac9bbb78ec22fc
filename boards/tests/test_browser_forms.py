"""In real headless Chromium, the boards' form pages: a working-group member schedules a meeting in
another time zone, builds and reorders its agenda, links an item to a risk and records attendance;
working group 2 records a risk; the secretariat seats a member. No console error, no CSP
violation, and axe-core finds no WCAG 2.1 A/AA violation on any of these pages."""

from __future__ import annotations

import pytest

from boards.models import Meeting
from boards.tests.factories import make_risk, make_world
from tests.browser import axe_violations, browser_page, csp_violations
from tests.test_browser_plans import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page) -> None:
    page.click("form.form-card button[type=submit]")


def test_a_meeting_is_scheduled_its_agenda_built_and_a_risk_and_a_seat_recorded(live_server, make_user):
    world = make_world(make_user)
    risk = make_risk(world.wg2_member, world.wg2, title="Nitrocellulose bottleneck")
    base = live_server.url
    checked = []

    def clean(label: str) -> None:
        assert axe_violations(page) == [], label
        checked.append(label)

    with browser_page("boards-forms") as page:
        page.set_viewport_size({"width": 1366, "height": 900})
        sign_in(page, base, "w_wg1")
        page.goto(f"{base}/boards/bodies/{world.wg1.pk}/")
        page.click(".page-actions >> text=Schedule a meeting")
        clean("schedule form")
        page.fill("input[name=title]", "Capacity sprint")
        page.fill("input[name=starts_at]", "2031-06-10T10:00")
        page.fill("input[name=ends_at]", "2031-06-10T12:30")
        page.select_option("select[name=time_zone]", "America/New_York")
        page.fill("input[name=location]", "Norfolk, Virginia")
        _submit(page)
        page.wait_for_selector("text=Meeting scheduled.")
        assert "(America/New_York)" in page.inner_text(".facts")
        meeting = Meeting.objects.get(title="Capacity sprint")

        for title in ("Opening", "Capacity", "Closing"):
            page.click("text=Add an agenda item")
            if title == "Opening":
                clean("agenda item form")
            page.fill("input[name=title]", title)
            _submit(page)
            page.wait_for_selector("text=Agenda item added.")
        page.click("[data-testid=agenda] li:nth-child(3) >> text=Move up")
        page.wait_for_selector("text=Agenda reordered.")
        assert [t.split("\n")[0] for t in page.locator("[data-testid=agenda] > li").all_inner_texts()][
            :3
        ] == [
            "Opening",
            "Closing",
            "Capacity",
        ]
        first = page.locator("[data-testid=agenda] > li").first
        first.locator("select[name=kind]").select_option("boards.risk")
        first.locator("input[name=reference]").fill(str(risk.pk))
        first.locator("button", has_text="Add the link").click()
        page.wait_for_selector("text=Link added.")
        assert "Nitrocellulose bottleneck" in page.inner_text("[data-testid=agenda]")
        page.click("#attendance summary")
        page.check(f"#attendance_presence_{world.wg1_member.pk}_0")
        clean("meeting page, attendance open")
        page.click("[data-testid=attendance-form] button[type=submit]")
        page.wait_for_selector("text=Attendance recorded.")
        assert "Present" in page.inner_text("[data-testid=attendance]")
        page.goto(f"{base}/boards/meetings/{meeting.pk}/status/")
        clean("status form")
        page.goto(f"{base}/boards/meetings/{meeting.pk}/agenda/reorder/")
        clean("reorder form")
        page.shot("01-meeting")
        sign_out(page)

        sign_in(page, base, "w_wg2")
        page.goto(f"{base}/boards/risks/")
        page.click("text=Record a risk")
        clean("risk form")
        page.fill("input[name=title]", "Single TNT plant")
        page.select_option("select[name=tier]", "tier_2")
        page.fill("input[name=supplier]", "Nitro-Chem")
        page.fill("input[name=supplier_country]", "POL")
        page.select_option("select[name=risk_type]", "single_source")
        page.fill("input[name=likelihood]", "7")
        page.fill("input[name=impact]", "5")
        page.fill("input[name=review_on]", "2031-01-31")
        _submit(page)
        assert "Give a whole number from 1 to 5." in page.inner_text(".field-invalid")
        clean("risk form with a field message")
        page.fill("input[name=likelihood]", "4")
        _submit(page)
        page.wait_for_selector("text=Risk recorded.")
        assert page.inner_text("[data-testid=score]") == "20"
        clean("risk page")
        page.shot("02-risk")
        sign_out(page)

        sign_in(page, base, "w_sec")
        page.goto(f"{base}/boards/bodies/{world.wg1.pk}/")
        clean("body page")
        page.click("text=Seat a member")
        clean("seat form")
        page.goto(f"{base}/boards/recommendations/")
        page.click("[data-testid=drafting] summary")
        page.click(f"[data-testid=drafting] a[href='/boards/bodies/{world.wg1.pk}/recommendations/new/']")
        clean("recommendation form")
        page.shot("03-secretariat")

        assert csp_violations(page) == []
        # The refused risk (likelihood 7) answered 400, as it should; nothing else went wrong.
        assert [e for e in page.console_errors if "status of 400" not in e] == []
    assert len(checked) == 11
