"""The plan journey in real headless Chromium: a director files, the secretariat returns it with a
comment, the director revises and resubmits, the secretariat accepts. Screenshots at each step go to
test-artifacts/plan-journey/."""

import datetime as dt

import pytest

from pledges.models import NationalPlan, PlanCycle
from portal.tests.factories import PASSWORD
from procurement.tests.factories import ItemFactory
from tests.browser import browser_page, csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def sign_out(page):
    page.click("details.usermenu summary")
    page.click("text=Sign out")


def save_section(page, commitment, text):
    page.fill(f"#id_section-{commitment}-narrative", text)
    with page.expect_response(lambda r: f"/sections/{commitment}/" in r.url and r.status == 200):
        page.click(f"#section-form-{commitment} button[type=submit]")
    page.locator(f"#section-body-{commitment} [data-testid=saved]").wait_for()


def test_director_and_secretariat_take_a_plan_through_review(live_server, make_user):
    make_user("director", "POL", username="dir_pol", first_name="Tomasz")
    make_user("secretariat", None, username="sec", first_name="Helen")
    PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    ItemFactory(code="155mm-round", name="155 mm artillery round")
    base = live_server.url

    with browser_page("plan-journey") as page:
        # Director: start the plan, fill two sections, add a capacity line, submit.
        sign_in(page, base, "dir_pol")
        page.goto(f"{base}/pledges/")
        page.click("text=Start the 2026 plan")
        page.wait_for_selector("#section-form-1")
        save_section(page, 1, "We share demand signals with NSPA every quarter.")
        save_section(page, 3, "155 mm output doubles by 2027.")
        form = "#entry-form-capacityline-new"
        page.select_option(f"select[form='{form[1:]}'][name$='-item']", label="155 mm artillery round")
        capacity = {
            "site": "Mesko", "baseline_output": "30000", "baseline_year": "2023", "current_output": "60000",
            "target_output": "150000", "target_year": "2027", "surge_capacity": "20000",
            "lead_time_months": "18",
        }  # fmt: skip
        for name, value in capacity.items():
            page.fill(f"[form='{form[1:]}'][name$='-{name}']", value)
        with page.expect_response(lambda r: "/entries/capacityline/" in r.url and r.status == 200):
            page.click(f"{form} button[type=submit]")
        page.locator("#entries-capacityline >> text=Mesko").wait_for()
        page.shot("01-director-filled")
        page.click("summary:has-text('Submit plan')")
        page.click("text=Submit the plan now")
        page.wait_for_load_state()
        page.shot("02-director-submitted")
        assert NationalPlan.objects.get().status == "submitted"
        sign_out(page)

        # Secretariat: start the review, return with a comment on section 3.
        sign_in(page, base, "sec")
        plan = NationalPlan.objects.get()
        page.goto(f"{base}/pledges/review/")
        page.shot("03-secretariat-list")
        page.goto(f"{base}/pledges/review/{plan.pk}/")
        page.click("text=Start review")
        page.wait_for_load_state()
        page.fill("[name=section_3]", "Give the 2028 target as well.")
        page.click("[data-testid=return-button]")
        page.wait_for_load_state()
        page.shot("04-secretariat-returned")
        assert NationalPlan.objects.get().status == "returned"
        sign_out(page)

        # Director: sees the comment, revises, resubmits.
        sign_in(page, base, "dir_pol")
        page.goto(f"{base}/pledges/plans/{plan.pk}/")
        page.locator("text=Give the 2028 target as well.").first.wait_for()
        page.shot("05-director-sees-comment")
        save_section(page, 3, "155 mm output doubles by 2027 and reaches 180,000 a year in 2028.")
        page.click("summary:has-text('Submit plan')")
        page.click("text=Submit the plan now")
        page.wait_for_load_state()
        assert NationalPlan.objects.get().status == "submitted"
        sign_out(page)

        # Secretariat: accepts.
        sign_in(page, base, "sec")
        page.goto(f"{base}/pledges/review/{plan.pk}/")
        page.click("text=Start review")
        page.wait_for_load_state()
        page.click("[data-testid=accept-button]")
        page.wait_for_load_state()
        page.shot("06-secretariat-accepted")
        assert NationalPlan.objects.get().status == "accepted"
        assert csp_violations(page) == []
        assert page.console_errors == []
