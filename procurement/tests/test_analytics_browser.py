"""In a browser: the delivery-performance and burn-down charts draw in Chromium under the CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from procurement.tests.analytics_data import PERFORMANCE, build_data

pytestmark = pytest.mark.django_db


# --- In a browser: the charts draw under the CSP -----------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_draw_in_chromium_under_the_csp(live_server, make_user):
    from portal.tests.factories import PASSWORD
    from tests.browser import browser_page, csp_violations

    built = build_data()
    make_user("nspa", None, username="chart_nspa")
    with browser_page("procurement-charts") as page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "chart_nspa")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

        page.goto(f"{live_server.url}{PERFORMANCE}")
        page.wait_for_selector('canvas[data-chart="lead-time"][data-drawn="1"]')
        # One item: its average and p90 lines, over the two quarters.
        datasets = page.evaluate(
            "Chart.getChart(document.querySelector('canvas[data-chart=\"lead-time\"]')).data.datasets"
            ".map(d => [d.label, d.data])"
        )
        name = built["item"].name
        assert datasets == [[f"{name} · average", [66.5, 181]], [f"{name} · p90", [91.7, 181]]]
        page.shot("01-delivery-performance")

        framework_url = reverse("procurement:framework-detail", kwargs={"pk": built["framework"].pk})
        page.goto(f"{live_server.url}{framework_url}")
        page.wait_for_selector('canvas[data-chart="burndown"][data-drawn="1"]')
        bars = page.evaluate(
            "Chart.getChart(document.querySelector('canvas[data-chart=\"burndown\"]')).data.datasets"
            ".map(d => [d.label, d.data[0]])"
        )
        assert bars == [["POL", 14000], ["FRA", 5000], ["Remaining", 981000]]
        page.shot("02-framework-burndown")

        assert csp_violations(page) == []
        assert page.console_errors == []
