"""In real headless Chromium, on the demo data: no page scrolls sideways at 320 px (WCAG 1.4.10),
390 px (a phone) or 1366 px (a laptop), wide tables scroll in their own focusable region instead,
and on a phone the menu folds behind a "Menu" button so the header leaves the page its room."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.browser import browser_page, csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each role's daily pages, the two the issue measured too wide at 1366 px among them.
PAGES = {
    "director_pol": [
        "/",
        "/pledges/",
        "/pledges/dip/",
        "/procurement/call-offs/",
        "/notifications/",
        "/activity/",
    ],
    "nspa": ["/", "/procurement/frameworks/", "/procurement/deliveries/", "/procurement/call-offs/"],
    "secretariat": ["/", "/pledges/dip/", "/pledges/review/", "/standards/", "/activity/"],
    "board_member": ["/", "/boards/meetings/", "/boards/actions/"],
    "partner_ukr": ["/", "/profile/"],
}
WIDTHS = (320, 390, 1366)

# The page's own width against the window's, and the innermost elements that stick out of it
# (outside the tables' own scroll regions), to say what is too wide.
OVERFLOW = """() => {
  const doc = document.documentElement;
  const out = (el) => el.getBoundingClientRect().right > doc.clientWidth + 1;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => out(el) && !el.closest('.table-scroll') && ![...el.children].some(out))
    .slice(0, 4)
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
}"""


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_no_page_scrolls_sideways_and_the_menu_folds_on_a_phone(live_server):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    too_wide = []
    with browser_page("small-screens") as page:
        for username, paths in PAGES.items():
            page.context.clear_cookies()
            page.set_viewport_size({"width": 1366, "height": 900})
            _sign_in(page, base, username)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 844})
                for path in paths:
                    response = page.goto(base + path)
                    assert response.status == 200, (username, path)
                    found = page.evaluate(OVERFLOW)
                    if found["scroll"] > found["client"]:
                        too_wide.append((username, width, path, found))
                        page.shot(f"{username}-{width}-{path.strip('/').replace('/', '-') or 'home'}")
        assert too_wide == [], too_wide

        # A phone: the header is the brand, the menu button and the user's links, not the menu.
        page.context.clear_cookies()
        _sign_in(page, base, "secretariat")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "/")
        header = page.eval_on_selector("header.topbar", "el => el.getBoundingClientRect().height")
        assert header <= 120, header
        toggle = page.locator("button.menu-toggle")
        assert toggle.is_visible()
        assert not page.locator("nav.mainnav").is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("nav.mainnav").is_visible()
        page.click("nav.mainnav summary:has-text('Board')")
        assert page.locator("nav.mainnav a:has-text('Meetings')").is_visible()
        # On a laptop there is no button: the menu is the bar.
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(base + "/")
        assert not toggle.is_visible()
        assert page.locator("nav.mainnav").is_visible()

        # A table wider than the screen scrolls inside a named region the keyboard reaches.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "/pledges/dip/")
        regions = page.locator(".table-scroll[role=region][tabindex='0']")
        assert regions.count() >= 1
        assert regions.first.get_attribute("aria-label")
        assert csp_violations(page) == []
        assert page.console_errors == []
