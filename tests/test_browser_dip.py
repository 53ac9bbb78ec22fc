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

# The trend's lines drawn strong (not the faint grey of an Ally nobody highlighted), and the
# names its legend shows.
STRONG = """() => {
  const chart = window.Chart.getChart(document.querySelector('canvas[data-chart="dip-trend"]'));
  return chart.data.datasets.filter((set) => set.borderColor !== "#d0d5dd").map((set) => set.label).sort();
}"""
LEGEND = """() => {
  const chart = window.Chart.getChart(document.querySelector('canvas[data-chart="dip-trend"]'));
  return chart.legend.legendItems.map((item) => item.text);
}"""


def alliance_labels(page) -> list[str]:
    return page.evaluate(
        """() => JSON.parse(document.getElementById("dip-trend-data").textContent).series
               .filter((s) => s.alliance).map((s) => s.label)"""
    )


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
        # The trend: 31 Allies, the Alliance lines and the 2% and 3.5% lines, over 13 years.
        trend = page.evaluate(DRAWN, "dip-trend")
        alliance = page.locator("[data-testid=dip-table] tr.dip-aggregate").count()
        assert alliance >= 1
        assert trend["datasets"] == 31 + alliance + 2
        assert trend["points"] == 13
        # Readable: the Allies are faint and unnamed until highlighted; the Alliance lines are not.
        assert page.evaluate(STRONG) == sorted(
            [*alliance_labels(page), "2% guideline", "3.5% Hague core target"]
        )
        page.click("details.dip-highlight summary")
        page.check("details.dip-highlight label:has-text('Poland') input")
        assert "Poland" in page.evaluate(STRONG)
        assert "Poland" in page.evaluate(LEGEND)
        assert "France" not in page.evaluate(LEGEND)
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
