"""Headless Chromium for browser journeys: Debian's chromium, never a downloaded browser."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# Chromium's own background traffic is refused on a closed network; keep it quiet.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Recorded before any page script runs, so violations during load are caught too.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' +
    (e.sourceFile || '?') + ':' + e.lineNumber + ':' + e.columnNumber);
});
"""


def require_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")


@contextmanager
def browser_page(name: str):
    """A page with console errors and CSP violations collected; screenshots go to test-artifacts/."""
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM refuses to run beside one
    # unless told the calls are deliberate (they are: the test thread only, between page steps).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda msg: (
                msg.type == "error"
                and page.console_errors.append(f"{page.url}: {msg.text} @ {msg.location.get('url', '')}")
            ),
        )
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
        page.shot = lambda step: page.screenshot(path=str(folder / f"{step}.png"), full_page=True)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one line each. The script is evaluated
    through the DevTools protocol, which the page's CSP does not govern, so the CSP stays on for
    what the page itself loads."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => v.id + ': ' + v.help + ' @ '"
        " + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))",
        WCAG_21_AA,
    )
    return list(result)


def open_menu(page, theme: str, link: str) -> None:
    """Go to a page through the main menu, as a user does: open its theme, then follow the link."""
    page.click(f"nav.mainnav summary:has-text('{theme}')")
    page.click(f"nav.mainnav a:has-text('{link}')")
