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
    page.goto(f"{live_demo}/f/field_reports/citizen_report/")  # a form of steps: the wizard
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


def test_a_rule_on_a_later_step_sees_an_earlier_answer(live_demo: str, page: Page) -> None:
    from apps.builder.services import bundle_import
    from tests.apps.portal.test_wizard_cross_step import SHOP_BUNDLE

    bundle_import(bundle=SHOP_BUNDLE)
    page.goto(f"{live_demo}/f/shops/register/")
    page.locator("select[name=kind]").select_option("shop")
    page.locator("#wizard-next").click()
    expect(page.locator("#wizard-progress")).to_contain_text("Bước 2/2")
    expect(page.locator("#field-shop_name")).to_be_visible()  # kind is "shop" on step 1

    page.locator("#wizard-back").click()
    page.locator("select[name=kind]").select_option("house")
    page.locator("#wizard-next").click()
    expect(page.locator("#wizard-progress")).to_contain_text("Bước 2/2")
    expect(page.locator("#field-shop_name")).to_be_hidden()
    page.get_by_label("Chủ sở hữu").fill("Trần Văn Bình")
    page.locator("#wizard-next").click()
    expect(page).to_have_url(re.compile(r"step=summary"))


def test_citizen_reopens_a_closed_case_from_its_status_page(live_demo: str, page: Page) -> None:
    from urllib.parse import urlencode

    from apps.accounts.models import User
    from apps.builder.selectors import published_form
    from apps.runtime.models import Task
    from apps.runtime.services import case_open, task_complete

    version, app_def, form = published_form("field_reports", "citizen_report")
    raw = {
        "category": "flooding",
        "description": DESCRIPTION,
        "flood_depth_cm": "40",
        "location": {"lat": "10.0286", "lng": "105.7703"},
        "district": "ninh_kieu",
        "reporter_name": "Nguyễn Thị Mai",
        "reporter_phone": "0901234567",
    }
    submission = case_open(version=version, app_def=app_def, form=form, raw=raw)
    record = submission.record
    for username, action in (("dieuphoi", "accept"), ("thoatnuoc", "resolve")):
        task = Task.objects.get(instance__record=record, status="open")
        task_complete(task=task, user=User.objects.get(username=username), action=action)
    query = urlencode({"code": record.tracking_code, "secret": submission.secret})

    page.goto(f"{live_demo}/status/?{query}")
    expect(page.locator("#case-status .badge--closed")).to_be_visible()
    page.locator("#reopen-link").focus()
    page.keyboard.press("Enter")
    page.locator("#f-reopen-reason").fill("Cống lại tắc sau hai ngày")
    page.locator("#reopen-submit").click()

    expect(page.locator("#sent-message")).to_be_visible()
    expect(page.locator("#case-status .badge--progress")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Cống lại tắc sau hai ngày")
    expect(page.locator("#reopen-link")).to_have_count(0)
    record.refresh_from_db()
    assert record.status == Record.Status.IN_PROGRESS
