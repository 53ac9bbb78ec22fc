"""The plan journey in real headless Chromium: a director files, the secretariat returns it with a
comment, the director revises and resubmits, the secretariat accepts. Screenshots at each step go to
test-artifacts/plan-journey/."""

import datetime as dt

import pytest
from django.utils import timezone

from pledges.models import NationalPlan, PlanCycle
from portal.tests.factories import PASSWORD
from procurement.tests.factories import ItemFactory
from tests.browser import axe_violations, browser_page, csp_violations

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


def empty_sections(page) -> list[str]:
    items = page.locator("[data-testid=empty-sections] li").all_inner_texts()
    return [" ".join(text.split()) for text in items]


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
        # The plan's tools are on its page.
        for tool in ("pdf", "xlsx", "capacity-upload"):
            assert page.locator(f"[data-tool={tool}]").is_visible()
        # Text typed in section 2 and not saved: "Submit plan…" saves it first, with no leave-page
        # prompt (any dialog is recorded, and dismissing one would cancel the navigation).
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
        page.fill("#id_section-2-narrative", "A national defence-industrial strategy since 2024.")
        page.shot("01-director-filled")
        with page.expect_response(lambda r: "/sections/2/" in r.url and r.status == 200):
            page.click("[data-submit-link]")
        page.wait_for_url("**/pledges/plans/*/submit/")
        assert dialogs == []
        plan = NationalPlan.objects.get()
        assert plan.current_version.sections.get(commitment=2).narrative.startswith("A national")
        # The submission page lists what is still empty, by name, and asks to confirm.
        empty = empty_sections(page)
        assert len(empty) == 6
        assert not any(name.startswith(("1 ", "2 ", "3 ")) for name in empty)
        assert page.locator("h2", has_text="6 of 9 sections are empty").is_visible()
        page.shot("02-director-confirms")
        assert axe_violations(page) == []
        page.click("[data-testid=confirm-submit]")
        page.wait_for_url(f"**/pledges/plans/{plan.pk}/")
        page.shot("03-director-submitted")
        assert NationalPlan.objects.get().status == "submitted"
        days = (timezone.now().date() - dt.date(2026, 6, 30)).days
        late = f"submitted late, {days} days"
        assert page.inner_text("[data-testid=late-note]") == late
        sign_out(page)

        # Secretariat: start the review, return with a comment on section 3.
        sign_in(page, base, "sec")
        page.goto(f"{base}/pledges/review/")
        page.shot("04-secretariat-list")
        page.goto(f"{base}/pledges/review/{plan.pk}/")
        assert page.inner_text("[data-testid=late-note]") == late
        page.click("text=Start review")
        page.wait_for_load_state()
        page.fill("[name=section_3]", "Give the 2028 target as well.")
        page.click("[data-testid=return-button]")
        page.wait_for_load_state()
        page.shot("05-secretariat-returned")
        assert NationalPlan.objects.get().status == "returned"
        sign_out(page)

        # Director: sees the comment, revises, resubmits.
        sign_in(page, base, "dir_pol")
        page.goto(f"{base}/pledges/plans/{plan.pk}/")
        page.locator("text=Give the 2028 target as well.").first.wait_for()
        page.shot("06-director-sees-comment")
        save_section(page, 3, "155 mm output doubles by 2027 and reaches 180,000 a year in 2028.")
        assert page.locator("[data-tool=diff]").is_visible()  # plan version 2: something to compare
        page.click("[data-submit-link]")
        page.wait_for_url(f"**/pledges/plans/{plan.pk}/submit/")
        assert len(empty_sections(page)) == 6
        page.click("[data-testid=confirm-submit]")
        page.wait_for_url(f"**/pledges/plans/{plan.pk}/")
        page.shot("07-director-resubmitted")
        assert NationalPlan.objects.get().status == "submitted"
        assert dialogs == []
        sign_out(page)

        # Secretariat: accepts.
        sign_in(page, base, "sec")
        page.goto(f"{base}/pledges/review/{plan.pk}/")
        page.click("text=Start review")
        page.wait_for_load_state()
        page.click("[data-testid=accept-button]")
        page.wait_for_load_state()
        page.shot("08-secretariat-accepted")
        assert NationalPlan.objects.get().status == "accepted"
        assert csp_violations(page) == []
        assert page.console_errors == []


def test_unsaved_text_that_cannot_be_saved_stops_the_submission_with_its_reason(live_server, make_user):
    from pledges import services

    director = make_user("director", "POL", username="dir_pol")
    delegate = make_user("director", "POL", username="delegate_pol")
    plan = services.plan_start(
        actor=director,
        nation=director.nation,
        cycle=PlanCycle.objects.create(year=2027, due_date=dt.date(2027, 6, 30)),
    )
    base = live_server.url
    with browser_page("plan-submit-blocked") as page:
        sign_in(page, base, "dir_pol")
        page.goto(f"{base}/pledges/plans/{plan.pk}/")
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
        page.fill("#id_section-1-narrative", "My unsaved text.")
        # Meanwhile a delegate saves the same section: the director's save is now a conflict.
        section = plan.current_version.sections.get(commitment=1)
        services.section_save(
            actor=delegate, section=section, narrative="Delegate's text.", expected_version=1
        )
        with page.expect_response(lambda r: "/sections/1/" in r.url and r.status == 409):
            page.click("[data-submit-link]")
        status = page.locator("[data-submit-status]")
        status.filter(has_text="could not be saved").wait_for()
        assert "Cooperation, openness" in status.inner_text()
        page.shot("01-stopped-at-the-conflict")
        assert page.url == f"{base}/pledges/plans/{plan.pk}/"  # still on the editor, text kept
        assert page.input_value("#id_section-1-narrative") == "My unsaved text."
        assert page.locator("[data-testid=conflict]").is_visible()
        assert dialogs == []
        plan.refresh_from_db()
        assert plan.status == "draft"
        assert csp_violations(page) == []
