"""A citizen adds two co-applicants to the one-stop permit on a phone, with JavaScript:
rows are added and removed in place (no reload), the focus moves to the new row, the rows
are named for screen readers, and the sent case keeps both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.records.models import Record

from .conftest import PHONE

pytestmark = pytest.mark.browser

PERMIT = "/f/one_stop_permit/apply/"


@pytest.mark.parametrize("viewport", [PHONE])
def test_citizen_adds_two_co_applicants_on_a_phone(live_demo: str, page: Page) -> None:
    page.goto(f"{live_demo}{PERMIT}")
    expect(page.locator("#wizard-progress")).to_contain_text("Bước 1/")
    page.get_by_label("Họ và tên người đề nghị").fill("Trần Văn Nhà")
    page.get_by_label("Số CCCD/CMND").first.fill("092088001234")
    page.get_by_label("Số điện thoại").fill("0912345678")

    rows = page.locator("[data-group-rows] > [data-group-row]")
    expect(rows).to_have_count(1)
    page.locator("#f-co_applicants-0-full_name").fill("Lê Thị Hoa")
    page.locator("#f-co_applicants-0-id_number").fill("092188004321")
    page.locator("#f-co_applicants-0-relation").select_option("spouse")

    url = page.url
    add = page.locator("[data-group-add]")
    add.click()  # in place: no reload
    expect(rows).to_have_count(2)
    assert page.url == url
    expect(page.locator("#f-co_applicants-1-full_name")).to_be_focused()
    expect(page.get_by_role("group", name="Người cùng đứng đơn 2")).to_be_visible()
    status = page.locator("[data-group-status]")
    expect(status).to_have_text(status.get_attribute("data-msg-added") or "?")
    page.locator("#f-co_applicants-1-full_name").fill("Trần Văn Phúc")
    page.locator("#f-co_applicants-1-id_number").fill("092090005555")
    page.locator("#f-co_applicants-1-relation").select_option("co_owner")

    # A third row, then removed again: the others keep their answers and names.
    add.click()
    expect(rows).to_have_count(3)
    page.get_by_role("button", name="Xoá Người cùng đứng đơn 3").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#f-co_applicants-1-full_name")).to_have_value("Trần Văn Phúc")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing overflows the phone's screen
    page.screenshot(path="/tmp/portal-groups.png", full_page=True)

    page.locator("#wizard-next").click()
    expect(page.locator("#wizard-progress")).to_contain_text("Bước 2/")
    page.get_by_label("Địa chỉ công trình").fill("123 Trần Hưng Đạo, Ninh Kiều")
    page.locator("#f-district").select_option("ninh_kieu")
    page.locator("#f-land_parcel").fill("125-12")
    page.locator("#f-floors").fill("2")
    page.locator("#f-floor_area_m2").fill("240")
    page.locator("#wizard-next").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại thông tin")
    expect(page.locator("main")).to_contain_text("Người cùng đứng đơn 2: Họ và tên: Trần Văn Phúc")
    page.locator("#wizard-submit").click()

    expect(page.locator("#tracking-code")).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    record = Record.objects.get(tracking_code=page.locator("#tracking-code").inner_text().strip())
    assert record.data["co_applicants"] == [
        {"full_name": "Lê Thị Hoa", "id_number": "092188004321", "relation": "spouse"},
        {"full_name": "Trần Văn Phúc", "id_number": "092090005555", "relation": "co_owner"},
    ]


def test_add_another_works_without_javascript(live_demo: str, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{live_demo}{PERMIT}?all=1")
        page.locator("#f-co_applicants-0-full_name").fill("Lê Thị Hoa")
        # Enter in an answer sends the form (the nameless default button), never "Remove".
        page.locator("[data-group-add]").click()
        expect(page.locator("[data-group-rows] > [data-group-row]")).to_have_count(3)
        expect(page.locator("#f-co_applicants-0-full_name")).to_have_value("Lê Thị Hoa")
        page.locator("#f-co_applicants-0-full_name").press("Enter")
        expect(page.locator("#error-summary")).to_be_visible()
        expect(page.locator("#f-co_applicants-0-full_name")).to_have_value("Lê Thị Hoa")
        assert Record.objects.count() == 0
    finally:
        context.close()
