"""A citizen sends a field report in a real browser and follows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.records.models import Attachment, Record
from apps.runtime.models import Task
from apps.runtime.services import task_complete
from tests.apps.portal.helpers import png_bytes

from .conftest import PHONE

pytestmark = pytest.mark.browser

DESCRIPTION = "Đường 30 Tháng 4 ngập sâu sau mưa, xe máy chết máy."
CODE_RE = re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$")


#: What the citizen reads, in each language of the portal.
TEXTS = {
    "vi": {
        "form": "Phản ánh hiện trường",
        "flooding": "Ngập nước",
        "description": "Mô tả",
        "photos": "Hình ảnh",
        "district": "Quận/huyện",
        "ninh_kieu": "UBND quận Ninh Kiều",
        "phone": "Số điện thoại",
        "received": "Đã tiếp nhận",
        "triage": "Trung tâm điều hành đang phân loại",
        "ioc": "Trung tâm Giám sát, điều hành đô thị thông minh",
    },
    "en": {
        "form": "Report a problem",
        "flooding": "Flooding",
        "description": "Description",
        "photos": "Photos",
        "district": "District",
        "ninh_kieu": "Ninh Kieu District People's Committee",
        "phone": "Phone number",
        "received": "received",
        "triage": "The operations centre is triaging it",
        "ioc": "Intelligent Operations Centre",
    },
}


@pytest.mark.parametrize("viewport", [PHONE])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_citizen_reports_flooding_on_a_phone_and_follows_the_case(
    live_demo: str, page: Page, language: str
) -> None:
    text = TEXTS[language]
    page.goto(f"{live_demo}/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name=text["form"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["form"])
    expect(page.locator("#wizard-progress")).to_be_visible()  # several steps: the wizard
    page.locator("#one-page-link").click()  # the citizen prefers the whole form at once

    page.get_by_label(text["flooding"]).check()
    expect(page.locator("#field-flood_depth_cm")).to_be_visible()  # shown for flooding
    page.get_by_label(text["description"]).fill(DESCRIPTION)
    page.get_by_label(text["photos"]).set_input_files(
        files=[{"name": "ngap.png", "mimeType": "image/png", "buffer": png_bytes(64, 48)}]
    )
    page.locator("#f-location-lat").fill("10.0286")
    page.locator("#f-location-lng").fill("105.7703")
    page.get_by_label(text["district"]).select_option(label=text["ninh_kieu"])
    page.get_by_label(text["phone"]).fill("0901234567")
    expect(page.locator("#field-other_category")).to_be_hidden()  # category is not "other"
    page.screenshot(path="/tmp/portal-form.png", full_page=True)

    page.locator("form.portal-form button[type=submit]").click()

    code = page.locator("#tracking-code")
    expect(code).to_have_text(CODE_RE)
    expect(page.locator("#secret")).to_have_text(re.compile(r"^[2-9A-Z]{8}$"))
    page.screenshot(path="/tmp/portal-receipt.png", full_page=True)
    tracking_code = code.inner_text().strip()
    record = Record.objects.get(tracking_code=tracking_code)
    assert record.data["district"] == "ninh_kieu"
    assert Attachment.objects.get(record=record).content_type == "image/png"

    page.locator("#status-link").click()

    expect(page.locator("#tracking-code")).to_have_text(tracking_code)
    expect(page.locator("#case-status .badge--progress")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(re.compile(text["received"], re.IGNORECASE))
    expect(timeline).to_contain_text(text["triage"])
    expect(page.locator("#current-agency")).to_have_text(text["ioc"])
    page.screenshot(path="/tmp/portal-status.png", full_page=True)

    # The centre routes it to the drainage company, which fixes it: the case is closed.
    for username, action in (("dieuphoi", "accept"), ("thoatnuoc", "resolve")):
        task = Task.objects.get(instance__record=record, status=Task.Status.OPEN)
        task_complete(task=task, user=User.objects.get(username=username), action=action)
    page.reload()
    expect(page.locator("#case-status .badge--closed")).to_be_visible()
    expect(page.locator("#current-agency")).to_have_count(0)
    page.locator("#rating-link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_english_form_shows_errors_for_a_missing_required_answer(
    live_demo: str, page: Page
) -> None:
    page.goto(f"{live_demo}/f/field_reports/citizen_report/?all=1")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")

    other = page.locator("#field-other_category")
    page.get_by_label("Other", exact=True).check()
    expect(other).to_be_visible()
    page.get_by_label("Flooding").check()
    expect(other).to_be_hidden()
    page.locator("#f-location-lat").fill("10.0286")
    page.locator("#f-location-lng").fill("105.7703")
    page.get_by_label("District").select_option(label="Ninh Kieu District People's Committee")

    page.locator("form.portal-form button[type=submit]").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Description: This field is required.")
    description = page.get_by_label("Description")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Flooding")).to_be_checked()  # answers are kept
    expect(page.locator("#f-location-lng")).to_have_value("105.7703")
    summary.get_by_role("link", name=re.compile("^Description")).click()
    expect(description).to_be_focused()
    assert Record.objects.count() == 0
    page.screenshot(path="/tmp/portal-errors.png", full_page=True)
