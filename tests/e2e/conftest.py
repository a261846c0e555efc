"""Browser fixtures: Debian's Chromium driven by Playwright (sync API).

``browser`` is started once per session; ``page`` is a fresh context per test. Its
viewport is the ``viewport`` fixture: desktop by default, and a test may ask for a
phone with ``@pytest.mark.parametrize("viewport", [PHONE])``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}: install it with "
            "`apt-get install -y chromium` (or `make chromium`).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The page's viewport; parametrize with PHONE for a phone-sized page."""
    return DESKTOP


@pytest.fixture
def page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    yield new_page
    context.close()


@pytest.fixture
def live_demo(live_server: Any, transactional_db: None) -> str:
    """The live server's URL, with the demo agencies, users and apps loaded."""
    call_command("load_demo", verbosity=0)
    return str(live_server.url)


def sign_in(page: Page, base: str, username: str) -> None:
    """Sign ``username`` (a demo user) in through the workspace's login form."""
    page.goto(f"{base}/workspace/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
