"""A case given back to its citizen (the permit's "complete the application"): the
status page shows what was asked; the citizen corrects exactly the task's fields with the
tracking code and secret, and the case continues."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.records.models import Attachment, Record
from apps.runtime.models import Task
from apps.runtime.services import task_complete
from tests.samples import PERMIT_ANSWERS

from .helpers import read_page

PERMIT_URL = "/f/one_stop_permit/apply/"
PERMIT_POST = {**PERMIT_ANSWERS, "website": ""}
NOTE = "Thiếu bản vẽ mặt bằng; diện tích sàn ghi sai."
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _open(record: Record, node: str) -> list[Task]:
    return list(Task.objects.filter(instance__record=record, status="open", node_id=node))


@pytest.fixture
def returned(user: Any) -> tuple[Client, Record, str]:
    """An anonymous applicant's permit, returned by the one-stop officer with a note."""
    client = Client()
    response = client.post(PERMIT_URL, PERMIT_POST)
    assert response.status_code == 303
    record = Record.objects.get()
    receipt = read_page(client.get(response["Location"]))
    secret = receipt.by_id("secret").text.strip()
    [check] = _open(record, "check")
    task_complete(
        task=check, user=user("motcua"), action="incomplete", data={"completeness_note": NOTE}
    )
    return client, record, secret


def _status_url(record: Record, secret: str, path: str = "/status/") -> str:
    return f"{path}?{urlencode({'code': record.tracking_code, 'secret': secret})}"


def test_status_page_shows_what_was_asked_and_links_to_the_correction(
    returned: tuple[Client, Record, str],
) -> None:
    client, record, secret = returned

    page = read_page(client.get(_status_url(record, secret)))

    assert "Bổ sung hồ sơ" in page.by_id("citizen-task-title").text
    assert NOTE in page.by_id("task-notes").text
    assert page.by_id("correction-link").attrs["href"] == _status_url(
        record, secret, "/status/correct/"
    )


def test_correction_page_draws_exactly_the_tasks_editable_fields(
    returned: tuple[Client, Record, str],
) -> None:
    client, record, secret = returned

    response = client.get(_status_url(record, secret, "/status/correct/"))

    assert response.status_code == 200
    page = read_page(response)
    fields = [e.attrs["data-field"] for e in page.find_all("div") if "data-field" in e.attrs]
    assert fields == ["documents", "land_parcel", "floor_area_m2"]
    assert page.find("input", name="floor_area_m2").attrs["value"] == "240"
    assert page.find("input", name="documents").attrs["type"] == "file"
    [button] = page.find_all("button", name="action")
    assert (button.attrs["value"], button.text.strip()) == ("resubmit", "Nộp lại")
    assert NOTE in page.by_id("task-notes").text


def test_anonymous_applicant_corrects_the_case_and_it_goes_back_to_the_check(
    returned: tuple[Client, Record, str],
) -> None:
    client, record, secret = returned
    plan = SimpleUploadedFile("ban-ve.pdf", PDF, content_type="application/pdf")

    response = client.post(
        "/status/correct/",
        {
            "code": record.tracking_code,
            "secret": secret,
            "documents": [plan],
            "land_parcel": "125-12",
            "floor_area_m2": "250",
            "applicant_name": "Kẻ Mạo Danh",  # not editable: ignored
            "action": "resubmit",
        },
    )

    assert response.status_code == 303
    assert response["Location"] == _status_url(record, secret) + "&sent=correction"
    record.refresh_from_db()
    assert record.data["floor_area_m2"] == 250
    assert record.data["applicant_name"] == "Trần Văn Nhà"
    attachment = Attachment.objects.get(record=record)
    assert (attachment.field_key, attachment.content_type) == ("documents", "application/pdf")
    assert record.data["documents"] == [attachment.descriptor()]
    assert _open(record, "return_to_applicant") == []
    [check] = _open(record, "check")
    assert check.agency.code == "mot_cua"
    page = read_page(client.get(response["Location"]))
    assert page.find_all(None, id="citizen-task") == []
    page.by_id("sent-message")


@pytest.mark.parametrize("method", ["get", "post"])
def test_wrong_secret_is_the_generic_404_and_changes_nothing(
    returned: tuple[Client, Record, str], method: str
) -> None:
    client, record, _secret = returned
    data = {
        "code": record.tracking_code,
        "secret": "WRONG234",
        "floor_area_m2": "999",
        "action": "resubmit",
    }

    response = getattr(client, method)("/status/correct/", data)

    assert response.status_code == 404
    record.refresh_from_db()
    assert record.data["floor_area_m2"] == 240
    assert len(_open(record, "return_to_applicant")) == 1


def test_unknown_action_and_invalid_answers_are_refused(
    returned: tuple[Client, Record, str],
) -> None:
    client, record, secret = returned
    base = {"code": record.tracking_code, "secret": secret, "land_parcel": "125-12"}

    unknown = client.post("/status/correct/", {**base, "floor_area_m2": "250", "action": "agree"})
    invalid = client.post(
        "/status/correct/", {**base, "floor_area_m2": "abc", "action": "resubmit"}
    )
    blank = client.post("/status/correct/", {**base, "floor_area_m2": "", "action": "resubmit"})

    assert unknown.status_code == 400
    assert invalid.status_code == 400
    assert read_page(invalid).find("input", name="floor_area_m2").attrs["aria-invalid"] == "true"
    assert blank.status_code == 400  # a required field cannot be emptied
    record.refresh_from_db()
    assert record.data["floor_area_m2"] == 240
    assert len(_open(record, "return_to_applicant")) == 1


def test_correction_needs_the_csrf_token(returned: tuple[Client, Record, str]) -> None:
    _client, record, secret = returned
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        "/status/correct/",
        {"code": record.tracking_code, "secret": secret, "floor_area_m2": "250",
         "land_parcel": "125-12", "action": "resubmit"},
    )  # fmt: skip

    assert response.status_code == 403
    assert len(_open(record, "return_to_applicant")) == 1


def test_nothing_to_correct_is_a_404(submit_report: Any) -> None:
    submission = submit_report()

    response = Client().get(_status_url(submission.record, submission.secret, "/status/correct/"))

    assert response.status_code == 404
