"""A permit returned for changes, corrected by its citizen in Chromium: the status page
shows what was asked, the correction page only the requested fields, and after sending
the case is back with the one-stop officer."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import FilePayload, Page, expect

from apps.accounts.models import User
from apps.builder.selectors import published_form
from apps.records.models import Attachment, Record
from apps.runtime.models import Task
from apps.runtime.services import case_open, task_complete
from tests.samples import PERMIT_ANSWERS

pytestmark = pytest.mark.browser

APPLICATION = dict(PERMIT_ANSWERS)
NOTE = "Thiếu bản vẽ mặt bằng; diện tích sàn ghi sai."
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _open(record: Record, node: str) -> list[Task]:
    return list(Task.objects.filter(instance__record=record, status="open", node_id=node))


def test_citizen_corrects_a_returned_permit_and_the_case_continues(
    live_demo: str, page: Page
) -> None:
    version, app_def, form = published_form("one_stop_permit", "apply")
    submission = case_open(version=version, app_def=app_def, form=form, raw=APPLICATION)
    record = submission.record
    [check] = _open(record, "check")
    task_complete(task=check, user=User.objects.get(username="motcua"), action="incomplete",
                  data={"completeness_note": NOTE})  # fmt: skip
    query = urlencode({"code": record.tracking_code, "secret": submission.secret})

    page.goto(f"{live_demo}/status/?{query}")
    expect(page.locator("#citizen-task-title")).to_contain_text("Bổ sung hồ sơ")
    expect(page.locator("#task-notes")).to_contain_text(NOTE)
    page.locator("#correction-link").click()

    fields = page.locator("form [data-field]")
    expect(fields).to_have_count(3)
    keys = [fields.nth(i).get_attribute("data-field") for i in range(3)]
    assert keys == ["documents", "land_parcel", "floor_area_m2"]
    expect(page.locator("input[name=applicant_name]")).to_have_count(0)
    area = page.locator("input[name=floor_area_m2]")
    expect(area).to_have_value("240")
    area.fill("250")
    plan: FilePayload = {"name": "ban-ve.pdf", "mimeType": "application/pdf", "buffer": PDF}
    page.locator("input[name=documents]").set_input_files(files=[plan])
    page.get_by_role("button", name="Nộp lại").click()

    expect(page.locator("#sent-message")).to_be_visible()
    expect(page.locator("#citizen-task")).to_have_count(0)
    record.refresh_from_db()
    assert record.data["floor_area_m2"] == 250
    assert record.data["applicant_name"] == "Trần Văn Nhà"
    assert Attachment.objects.get(record=record).content_type == "application/pdf"
    assert _open(record, "return_to_applicant") == []
    [again] = _open(record, "check")
    assert again.agency is not None and again.agency.code == "mot_cua"
