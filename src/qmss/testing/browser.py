"""Helpers for the Playwright browser tests: Debian's Chromium, login, and axe-core accessibility checks.

Playwright's own browser builds are never downloaded: the tests drive the system Chromium
(``/usr/bin/chromium`` or ``$CHROMIUM``) through ``executable_path``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_CHROMIUM = "/usr/bin/chromium"

# Without the background-networking flags Chromium keeps trying to reach Google's services, which the
# closed network of CI refuses, and the launch hangs or slows down; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# WCAG 2.0 and 2.1, levels A and AA: the level public-sector web sites must meet (EN 301 549).
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def chromium_path() -> str | None:
    """The Chromium executable to drive: ``$CHROMIUM`` or /usr/bin/chromium; None when neither exists."""
    candidate = os.environ.get("CHROMIUM") or DEFAULT_CHROMIUM
    path = Path(candidate)
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    return None


def launch_browser(playwright, *, executable: str | None = None, **kwargs):
    """Launch headless Chromium from the system through a started ``sync_playwright()`` object."""
    executable = executable or chromium_path()
    if executable is None:
        raise RuntimeError(f"Chromium not found: set CHROMIUM or install it at {DEFAULT_CHROMIUM}")
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=list(CHROMIUM_ARGS), timeout=60_000, **kwargs
    )


def login(page, live_server_url: str, username: str, password: str) -> None:
    """Log in through the real login form and wait for the page the form redirects to."""
    page.goto(f"{live_server_url.rstrip('/')}/ucet/prihlaseni/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    form = page.locator("form:has(#id_password)")
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit]").first.click()
    if "/ucet/prihlaseni/" in page.url:
        errors = page.locator(".errorlist, .alert, [role=alert]").all_inner_texts()
        raise AssertionError(f"login as {username!r} failed, still on {page.url}: {errors}")


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One readable block per axe violation: id, impact, help text and the offending nodes."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'n/a'}]: {violation.get('help', '')}"
            f" ({violation.get('helpUrl', '')})"
        )
        for node in violation.get("nodes", []):
            target = ", ".join(str(t) for t in node.get("target", []))
            html = " ".join(str(node.get("html", "")).split())
            if len(html) > 200:
                html = html[:197] + "..."
            lines.append(f"    at {target}: {html}")
            summary = " ".join(str(node.get("failureSummary", "")).split())
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def run_axe(page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1 A + AA rules) on the page as it is now; returns the violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return list(results.response.get("violations", []))


def assert_no_axe_violations(page, context: str = "") -> None:
    """Fail with a readable list when axe finds any WCAG 2.0/2.1 A or AA violation on the page."""
    violations = run_axe(page)
    if violations:
        where = context or page.url
        raise AssertionError(
            f"{len(violations)} accessibility violation(s) on {where} ({page.url}):\n" + format_violations(violations)
        )
