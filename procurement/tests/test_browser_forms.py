"""In real headless Chromium: NSPA places a call-off with a delivery schedule entered as rows (one
added with "Add a delivery"), is told beside the field what is wrong, then records deliveries from
the deliveries list by call-off reference and line number, the accepted quantity following the
delivered one, and records another on the same line. No console error, no CSP violation, and
axe-core finds no WCAG 2.1 A/AA violation on these pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from procurement.models import CallOff, Delivery, ScheduledDelivery
from procurement.tests.factories import make_framework, nspa_user
from tests.browser import axe_violations, browser_page, csp_violations
from tests.test_browser_plans import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nspa_places_a_scheduled_call_off_and_records_its_deliveries(live_server, make_user):
    make_user("nspa", None, username="b_nspa")
    framework = make_framework(actor=nspa_user(), lines=((Decimal("100.00"), 500), (Decimal("7.50"), 100)))
    first = framework.lines.order_by("pk").first()
    base = live_server.url
    checked = []

    def clean(label: str) -> None:
        assert axe_violations(page) == [], label
        checked.append(label)

    with browser_page("procurement-forms") as page:
        page.set_viewport_size({"width": 1366, "height": 900})
        sign_in(page, base, "b_nspa")
        page.goto(f"{base}/procurement/frameworks/{framework.pk}/call-offs/new/")
        clean("call-off form")
        page.select_option("#id_nation", label="Poland")
        page.fill("#id_reference", "CO-BROWSER-1")
        page.fill("#id_order_date", "2024-06-01")
        page.select_option("#id_lines-0-framework_line", str(first.pk))
        page.fill("#id_lines-0-quantity", "100")
        for index, (due, quantity) in enumerate(
            (("2024-09-30", "25"), ("2024-12-31", "25"), ("2025-03-31", "25"))
        ):
            page.fill(f"#id_lines-0-schedule-{index}-due_date", due)
            page.fill(f"#id_lines-0-schedule-{index}-quantity", quantity)
        page.click("text=Add a delivery to line 1")
        # The new entry has focus, and labels numbered as the ones the server wrote.
        assert page.evaluate("document.activeElement.id") == "id_lines-0-schedule-3-due_date"
        assert page.inner_text("label[for=id_lines-0-schedule-3-quantity]") == "Line 1, delivery 4: quantity"
        assert page.input_value("#id_lines-0-schedule-TOTAL_FORMS") == "4"
        page.fill("#id_lines-0-schedule-3-due_date", "2025-06-30")
        page.fill("#id_lines-0-schedule-3-quantity", "0")
        clean("call-off form with an added entry")
        page.click("button:has-text('Place call-off')")
        page.wait_for_selector("#id_lines-0-schedule-3-quantity_error")
        assert "greater than or equal to 1" in page.inner_text("#id_lines-0-schedule-3-quantity_error")
        # What was typed is still there, the added entry included.
        assert page.input_value("#id_lines-0-schedule-2-due_date") == "2025-03-31"
        assert page.input_value("#id_lines-0-schedule-3-due_date") == "2025-06-30"
        clean("call-off form with a field error")
        page.shot("01-calloff-error")
        page.fill("#id_lines-0-schedule-3-quantity", "25")
        page.click("button:has-text('Place call-off')")
        page.wait_for_selector("text=Call-off CO-BROWSER-1 placed.")
        call_off = CallOff.objects.get(reference="CO-BROWSER-1")
        assert ScheduledDelivery.objects.filter(call_off_line__call_off=call_off).count() == 4
        assert "Line 1: " in page.inner_text("[data-testid=calloff-line] h2")
        clean("call-off page")
        page.shot("02-calloff-page")

        page.goto(f"{base}/procurement/deliveries/")
        page.shot("03-deliveries")
        page.click(".page-actions >> text=Record a delivery")
        clean("record a delivery: which call-off")
        page.fill("#id_call_off", "CO-BROWSER-1")
        page.fill("#id_line", "2")
        page.click("button:has-text('Continue')")
        page.wait_for_selector("text=there is no line 2")
        clean("which call-off, with an error")
        page.fill("#id_line", "1")
        page.click("button:has-text('Continue')")
        page.wait_for_selector("form[data-delivery-form]")
        assert page.input_value("#id_delivered_on") == dt.date.today().isoformat()
        page.fill("#id_quantity_delivered", "30")
        assert page.input_value("#id_quantity_accepted") == "30"
        page.fill("#id_quantity_rejected", "4")
        assert page.input_value("#id_quantity_accepted") == "26"
        page.fill("#id_rejection_reason", "Damaged crates")
        page.fill("#id_lot_number", "LOT-B1")
        page.fill("#id_delivered_on", "2024-09-30")
        clean("delivery form")
        page.shot("04-delivery-form")
        page.click("button:has-text('Save and record another')")
        page.wait_for_selector("text=Record the next one on the same line below.")
        assert page.input_value("#id_quantity_delivered") == ""
        assert page.input_value("#id_lot_number") == ""
        page.fill("#id_quantity_delivered", "5")
        page.fill("#id_quantity_accepted", "3")  # typed: no longer follows
        page.fill("#id_quantity_delivered", "6")
        assert page.input_value("#id_quantity_accepted") == "3"
        page.fill("#id_quantity_rejected", "3")
        page.fill("#id_rejection_reason", "Wet")
        page.fill("#id_lot_number", "LOT-B2")
        page.fill("#id_delivered_on", "2024-10-31")
        page.click("form[data-delivery-form] button:has-text('Save'):not([name])")
        page.wait_for_selector("text=Delivery recorded.")
        clean("delivery page")
        page.shot("05-delivery")
        recorded = dict(Delivery.objects.values_list("lot_number", "quantity_accepted"))
        assert recorded == {"LOT-B1": 26, "LOT-B2": 3}

        assert csp_violations(page) == []
        assert [e for e in page.console_errors if "status of 400" not in e] == []
    assert len(checked) == 8
