"""The DIP compliance dashboard in real headless Chromium: the secretariat opens it on NATO's 2026
edition, and the three charts are drawn (Chart.js attached to each canvas), with no console error
and no CSP violation; then one nation's page with its path chart. Screenshots go to
test-artifacts/dip-dashboard/."""

import pytest

from pledges.tests.dip_data import import_nato_2026
from tests.browser import browser_page, csp_violations
from tests.test_browser_plans import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANVASES = ["dip-trend", "dip-ranking", "dip-equipment"]

# Whether Chart.js drew on the canvas: it has a size and a chart instance.
DRAWN = """(kind) => {
  const canvas = document.querySelector(`canvas[data-chart="${kind}"]`);
  if (!canvas) { return "missing"; }
  const chart = window.Chart && window.Chart.getChart(canvas);
  return { width: canvas.width, height: canvas.height, chart: chart !== undefined,
           datasets: chart ? chart.data.datasets.length : 0, points: chart ? chart.data.labels.length : 0 };
}"""

# Chart.js has loaded and attached a chart to each of the page's ``count`` canvases.
ALL_DRAWN = """(count) => {
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  return window.Chart !== undefined && canvases.length === count
    && canvases.every((canvas) => window.Chart.getChart(canvas) !== undefined);
}"""


def test_secretariat_sees_the_dashboard_charts_drawn(live_server, make_user):
    secretariat = make_user("secretariat", None, username="sec", first_name="Helen")
    import_nato_2026(secretariat)
    base = live_server.url

    with browser_page("dip-dashboard") as page:
        sign_in(page, base, "sec")
        page.goto(f"{base}/pledges/dip/")
        page.wait_for_function(ALL_DRAWN, arg=3)
        for kind in CANVASES:
            drawn = page.evaluate(DRAWN, kind)
            assert drawn != "missing", kind
            assert drawn["width"] > 0, (kind, drawn)
            assert drawn["height"] > 0, (kind, drawn)
            assert drawn["chart"], (kind, drawn)
        # The trend: 31 Allies plus the 2% and 3.5% lines, over 13 years.
        trend = page.evaluate(DRAWN, "dip-trend")
        assert trend["datasets"] == 31 + 2
        assert trend["points"] == 13
        assert page.locator("[data-testid=dip-table] tr[data-subject=POL]").count() == 1
        assert "NATO total" in page.locator("[data-testid=dip-table]").inner_text()
        page.shot("01-dashboard")

        # Filters: a shorter range redraws with fewer years.
        page.fill("#id_year_from", "2020")
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**year_from=2020**")
        page.wait_for_function(ALL_DRAWN, arg=3)
        assert page.evaluate(DRAWN, "dip-trend")["points"] == 7

        page.click("[data-testid=dip-table] tr[data-subject=POL] a")
        page.wait_for_selector("canvas[data-chart=dip-path]")
        page.wait_for_function(ALL_DRAWN, arg=1)
        path = page.evaluate(DRAWN, "dip-path")
        assert path["width"] > 0
        assert path["chart"]
        assert path["datasets"] == 4
        assert "Data sources and editions" in page.content()
        page.shot("02-nation-poland")

        assert csp_violations(page) == []
        assert page.console_errors == []
