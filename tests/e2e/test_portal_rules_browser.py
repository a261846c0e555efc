"""The portal's live rules and map picker in a real browser (frontend/dist/portal/portal.js).

The citizen's field-report form shows and requires fields as it is answered, with the same
JSON Logic engine the server's parity tests check, and a location can be typed or picked
on a map. No tile server is reachable here: the map must work (and not break the page)
without tiles. Needs the built bundle: ``npm ci && npm run build`` in frontend/ (``make
test`` does it); the tests fail, never skip, without it.

The form may become a wizard (one step at a time): the category rules are on its first
step; the other tests walk forward to the step holding their field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "frontend" / "dist" / "portal" / "portal.js"
FORM_URL = "/f/field_reports/citizen_report/?all=1"
NEXT_BUTTON = re.compile(r"^(Tiếp|Tiếp tục|Bước tiếp|Next|Continue)", re.IGNORECASE)


@pytest.fixture
def errors(page: Page) -> Iterator[list[str]]:
    """JavaScript errors of the page; the test fails if there is any."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    # No network here: refuse tile requests at once instead of waiting for DNS.
    page.route(re.compile(r"^https?://[^/]*tile[^/]*/"), lambda route: route.abort())
    yield found
    assert not found, f"JavaScript errors on the page: {found}"


@pytest.fixture
def form_page(live_demo: str, page: Page, errors: list[str]) -> Page:
    if not BUNDLE.is_file():
        pytest.fail(
            f"{BUNDLE.relative_to(REPO)} is missing: build it with `npm ci && npm run build` "
            "in frontend/ (`make frontend` or `make test` does it).",
            pytrace=False,
        )
    page.goto(f"{live_demo}{FORM_URL}")
    # The loader (lcnc/static/js/portal.js) imports the bundle, which marks the page.
    expect(page.locator("html")).to_have_attribute("data-portal-ready", "", timeout=10_000)
    return page


def choose_category(page: Page, label: str) -> None:
    page.locator("#field-category").get_by_label(label, exact=True).check()


def walk_to(page: Page, key: str) -> None:
    """Answer the steps before the one holding field ``key`` (a no-op on a one-page form)."""
    for _ in range(5):
        if page.locator(f"#field-{key}").count():
            return
        fill_current_step(page)
        page.get_by_role("button", name=NEXT_BUTTON).first.click()
    pytest.fail(f"field {key!r} was not found on the form or its next steps", pytrace=False)


def fill_current_step(page: Page) -> None:
    if page.locator("#field-category").count():
        choose_category(page, "Ngập nước")
    if page.locator("#field-description").count():
        page.locator("#field-description textarea").fill("Đường ngập sâu sau mưa.")
    if page.locator("#field-location").count():
        page.locator("#f-location-lat").fill("10.0286")
        page.locator("#f-location-lng").fill("105.7703")
    if page.locator("#field-district").count():
        page.locator("#field-district select").select_option(index=1)


def test_category_shows_and_requires_the_other_fields(form_page: Page) -> None:
    page = form_page
    other = page.locator("#field-other_category")
    depth = page.locator("#field-flood_depth_cm")
    other_input = other.locator("input[name=other_category]")
    marker = other.locator("[data-required-marker]")
    expect(other).to_be_hidden()
    expect(depth).to_be_hidden()

    choose_category(page, "Khác")
    expect(other).to_be_visible()
    expect(marker).to_be_visible()
    expect(other_input).to_have_attribute("required", "")
    expect(other_input).to_be_enabled()
    expect(depth).to_be_hidden()
    other_input.fill("Cây đổ chắn đường")

    choose_category(page, "Ngập nước")
    expect(other).to_be_hidden()
    expect(depth).to_be_visible()
    expect(other_input).to_be_disabled()
    expect(other_input).to_have_value("")  # hidden answers are not sent
    expect(other_input).not_to_have_attribute("required", "")
    depth.locator("input").fill("40")

    choose_category(page, "Khác")
    expect(other).to_be_visible()
    expect(depth).to_be_hidden()
    expect(depth.locator("input")).to_have_value("")


def test_an_email_shows_wants_updates(form_page: Page) -> None:
    page = form_page
    walk_to(page, "reporter_email")
    updates = page.locator("#field-wants_updates")
    email = page.locator("#field-reporter_email input")
    expect(updates).to_be_hidden()
    email.fill("dan@example.vn")
    expect(updates).to_be_visible()
    updates.locator("input[type=checkbox]").check()
    email.fill("   ")
    expect(updates).to_be_hidden()
    expect(updates.locator("input[type=checkbox]")).not_to_be_checked()


def test_typed_location_moves_the_map_marker(form_page: Page) -> None:
    page = form_page
    walk_to(page, "location")
    lat, lng = page.locator("#f-location-lat"), page.locator("#f-location-lng")
    lat.fill("")
    lng.fill("")
    picker = page.locator("#field-location .location-map")
    expect(picker).to_be_visible()
    expect(picker).to_have_attribute("data-marker-lat", "")
    marker = picker.locator(".location-map__marker")
    expect(marker).to_have_count(0)

    lat.fill("10.0286")
    lng.fill("105.7703")
    expect(lat).to_have_value("10.0286")
    expect(lng).to_have_value("105.7703")
    expect(picker).to_have_attribute("data-marker-lat", "10.0286")
    expect(picker).to_have_attribute("data-marker-lng", "105.7703")
    expect(marker).to_be_visible()
    first = marker.bounding_box()

    lng.fill("105.7803")  # about 1 km east: the marker moves right
    expect(picker).to_have_attribute("data-marker-lng", "105.7803")
    moved = marker.bounding_box()
    assert first is not None and moved is not None
    assert moved["x"] > first["x"]

    # A click on the map (without tiles) fills the inputs in.
    box = picker.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)
    expect(lat).to_have_value(re.compile(r"^-?\d+\.\d{6}$"))
    expect(lng).to_have_value(re.compile(r"^-?\d+\.\d{6}$"))
    expect(picker).to_have_attribute("data-marker-lat", re.compile(r"^-?\d+\.\d+$"))
    assert float(lng.input_value()) < 105.7803
