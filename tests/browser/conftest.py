"""Fixtures for the browser tests: one system Chromium per session, a fresh context per test, demo data.

Every test in this folder is marked ``browser``: ``make test`` runs them in their own stage
(``pytest -m browser``) after the database suites, which run with ``-m "not browser"``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qmss.testing.browser import chromium_path, launch_browser

BROWSER_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m filtering
def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        message = "Chromium not found (set CHROMIUM or install the Debian package chromium)"
        if _in_ci():
            pytest.fail(f"{message}; browser tests are required in CI")
        pytest.skip(message)

    # Playwright's sync API keeps an asyncio event loop running in this thread, and Django refuses ORM
    # calls from a thread with a running loop unless told it is safe: it is, the loop only drives the browser.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = launch_browser(playwright, executable=executable)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="cs-CZ", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def demo_data(transactional_db, browser):
    """The synthetic territory and the demo organisations and users, committed so the live server sees them.

    Depends on ``browser`` so that Playwright (and DJANGO_ALLOW_ASYNC_UNSAFE) is set up before these
    ORM calls and torn down after the database flush.
    """
    from qmss.setup.demo import load_demo
    from qmss.territory import synthetic

    territory_import = synthetic.build_synthetic_territory()
    created = load_demo()
    return {"territory_import": territory_import, "created": created}


@pytest.fixture
def server_url(live_server) -> str:
    return live_server.url.rstrip("/")
