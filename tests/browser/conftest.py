"""Fixtures of the browser tests: one headless Chromium per session, a fresh page per test, demo data.

The tests drive Debian's Chromium through Playwright's sync API (not the pytest-playwright plugin)
against pytest-django's ``live_server``. Playwright's sync API keeps an asyncio event loop running in
the main thread, so Django refuses ORM calls made from the test body (``SynchronousOnlyOperation``);
``DJANGO_ALLOW_ASYNC_UNSAFE`` is Django's documented switch for exactly this case.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("ITSM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
DEMO_TODAY = datetime.date(2026, 11, 21)
DEMO_PASSWORD = "demo"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (set ITSM_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A page in its own context (no cookies shared between tests) with ``live_server`` as base URL."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def live_demo(transactional_db: Any) -> dict[str, int]:
    """The demo organisation, committed so that the ``live_server`` thread sees it.

    The role groups survive each test's flush: ``post_migrate`` re-syncs them (``itsm.apps``).
    """
    from itsm.demo import seed_demo

    return seed_demo(today=DEMO_TODAY, compact=True)


@pytest.fixture
def login(page: Page, live_demo: dict[str, int]) -> Callable[..., Page]:
    """Sign in through the login form and wait for the dashboard."""

    def sign_in(username: str, password: str = DEMO_PASSWORD) -> Page:
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url("**/dashboard/")
        return page

    return sign_in
