"""axe-core on every HTML page of the URL matrix, for every visitor the matrix lets in (issue 14,
section 5): each (page, visitor) answering 200 with HTML is opened in real headless Chromium on
the matrix's objects and must have no WCAG 2.1 A or AA violation.

axe-core is vendored for tests only (tests/vendor/axe-core/, from npm; never served) and injected
through the DevTools protocol (tests.browser.axe_violations), so the pages' CSP stays on.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.browser import axe_violations, browser_page, csp_violations
from tests.matrix import ROLES
from tests.test_url_matrix import API_ROUTES, ROWS, build_context, url_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The API docs page (Swagger UI) is HTML too, though its path is under /api/.
PAGES = [
    row for row in ROWS if row.method == "GET" and (row.route not in API_ROUTES or row.route == "api-docs")
]


def _signed_in(page, base: str, user) -> None:
    """The browser carries a session of ``user``'s, made as the test client makes one."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


def test_every_html_page_of_the_matrix_passes_axe_for_every_visitor_it_lets_in(live_server, matrix_users):
    context = build_context(matrix_users)
    base = live_server.url
    failures, checked = [], 0
    with browser_page("accessibility-matrix") as page:
        # Every role (France's director reads the same pages as Poland's, about fewer rows).
        for who in ("anonymous", *ROLES):
            if who == "anonymous":
                page.context.clear_cookies()
            else:
                _signed_in(page, base, matrix_users[who])
            for row in PAGES:
                if row.observed_status(who) != 200:
                    continue
                url = base + url_of(row, context) + (f"?{row.query}" if row.query else "")
                # Exports (CSV, XLSX, PDF, iCalendar) are files, not pages: ask first, cheaply.
                head = page.context.request.get(url, max_redirects=0)
                if head.status != 200 or not head.headers.get("content-type", "").startswith("text/html"):
                    continue
                response = page.goto(url)
                assert response is not None
                if response.status != 200:
                    failures.append(f"{who} {row.id}: {response.status}")
                    continue
                checked += 1
                where = f"{who} {row.id} {url.removeprefix(base)}"
                failures += [f"{where}: {violation}" for violation in axe_violations(page)]
                failures += [f"{where}: CSP {violation}" for violation in csp_violations(page)]
    print(f"axe-core: {checked} (page, visitor) pairs checked")
    assert checked > 300, checked  # the matrix's HTML pages, once per visitor that may open them
    assert failures == [], "\n".join(failures)
