"""A citizen fills in a form step by step on a phone: back and next, the summary, a
change from the summary, and the final send."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.records.models import Record

from .conftest import PHONE

pytestmark = pytest.mark.browser

DESCRIPTION = "Đường 30 Tháng 4 ngập sâu sau mưa, xe máy chết máy."


@pytest.mark.parametrize("viewport", [PHONE])
def test_citizen_walks_the_wizard_on_a_phone(live_demo: str, page: Page) -> None:
    page.goto(f"{live_demo}/f/field_reports/citizen_report/")
    page.locator("#wizard-link").click()
    expect(page.locator("#wizard-progress")).to_contain_text("Bước 1/3")

    page.get_by_label("Ngập nước").check()
    page.get_by_label("Mô tả").fill(DESCRIPTION)
    page.locator("#wizard-next").click()

    expect(page.locator("#wizard-progress")).to_contain_text("Bước 2/3")
    page.locator("#f-location-lat").fill("10.0286")
    page.locator("#f-location-lng").fill("105.7703")
    page.locator("#wizard-back").click()

    expect(page.locator("#wizard-progress")).to_contain_text("Bước 1/3")
    expect(page.get_by_label("Mô tả")).to_have_value(DESCRIPTION)
    page.locator("#wizard-next").click()
    expect(page.locator("#f-location-lat")).to_have_value("10.0286")  # kept by "back"
    page.get_by_label("Quận/huyện").select_option(label="UBND quận Ninh Kiều")
    page.locator("#wizard-next").click()

    expect(page.locator("#wizard-progress")).to_contain_text("Bước 3/3")
    page.get_by_label("Số điện thoại").fill("0901234567")
    page.locator("#wizard-next").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại thông tin")
    expect(page.locator("main")).to_contain_text("0901234567")
    page.screenshot(path="/tmp/portal-wizard-summary.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing overflows the phone's screen

    page.locator("a.summary__change").nth(2).click()  # change the contact step
    expect(page.locator("#wizard-progress")).to_contain_text("Bước 3/3")
    page.get_by_label("Số điện thoại").fill("0907654321")
    page.locator("#wizard-next").click()
    expect(page.locator("main")).to_contain_text("0907654321")

    page.locator("#wizard-submit").click()

    expect(page.locator("#tracking-code")).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    record = Record.objects.get(tracking_code=page.locator("#tracking-code").inner_text().strip())
    assert record.data["reporter_phone"] == "0907654321"
    assert record.data["description"] == DESCRIPTION
