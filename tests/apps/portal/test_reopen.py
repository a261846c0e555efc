"""A citizen not satisfied with their closed case reopens it from its status page, with a
reason, within PORTAL_REOPEN_DAYS and once per closing; its workflow starts again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.records.models import Record
from apps.runtime.models import Event, ProcessInstance, Task
from apps.runtime.services import (
    case_reopen_by_citizen,
    instance_replay,
    task_complete,
)

from .helpers import read_page


def _open_task(record: Record) -> Task:
    return Task.objects.get(instance__record=record, status=Task.Status.OPEN)


@pytest.fixture
def resolved_case(submit_report: Any, user: Any) -> tuple[Record, str]:
    """A field report handled to the end: accepted, then resolved by drainage."""
    submission = submit_report()
    record = submission.record
    task_complete(task=_open_task(record), user=user("dieuphoi"), action="accept",
                  data={"severity": "4"})  # fmt: skip
    task_complete(task=_open_task(record), user=user("thoatnuoc"), action="resolve",
                  data={"resolution_note": "Đã nạo vét cống"})  # fmt: skip
    record.refresh_from_db()
    assert record.status == Record.Status.CLOSED
    return record, submission.secret


def _status(record: Record, secret: str, path: str = "/status/") -> str:
    return f"{path}?{urlencode({'code': record.tracking_code, 'secret': secret})}"


def test_a_closed_case_offers_to_reopen_it(resolved_case: tuple[Record, str]) -> None:
    record, secret = resolved_case

    page = read_page(Client().get(_status(record, secret)))

    assert page.by_id("reopen-link").attrs["href"] == _status(record, secret, "/status/reopen/")
    form = read_page(Client().get(_status(record, secret, "/status/reopen/")))
    assert "required" in form.find("textarea", name="reason").attrs
    form.find("input", name="csrfmiddlewaretoken")


def test_reopening_starts_the_workflow_again_for_the_same_record(
    resolved_case: tuple[Record, str],
) -> None:
    record, secret = resolved_case
    client = Client(enforce_csrf_checks=True)
    form = read_page(client.get(_status(record, secret, "/status/reopen/")))
    token = form.find("input", name="csrfmiddlewaretoken").attrs["value"]

    reason = "Cống lại tắc sau hai ngày"
    response = client.post(
        "/status/reopen/",
        {"code": record.tracking_code, "secret": secret, "reason": reason,
         "csrfmiddlewaretoken": token},
    )  # fmt: skip

    assert response.status_code == 303
    assert response["Location"].endswith("&sent=reopened")
    record.refresh_from_db()
    assert (record.status, record.closed_at, record.outcome) == ("in_progress", None, "")
    instance = ProcessInstance.objects.get(record=record)
    assert instance.status == "running"
    task = _open_task(record)
    assert task.node_id == "triage" and task.agency is not None  # from the start again
    assert task.agency.code == "ioc"
    assert record.current_agency is not None and record.current_agency.code == "ioc"
    assert instance_replay(instance) == instance.state
    reopened = Event.objects.get(record=record, kind="case_reopened_by_citizen")
    assert reopened.public and reopened.data["reason"] == "Cống lại tắc sau hai ngày"
    page = client.get(response["Location"]).content.decode()
    assert "Người dân mở lại hồ sơ: Cống lại tắc sau hai ngày" in page
    assert 'id="reopen-link"' not in page


def test_a_case_is_reopened_once_per_closing(resolved_case: tuple[Record, str], user: Any) -> None:
    record, secret = resolved_case
    case_reopen_by_citizen(record=record, secret=secret, reason="Chưa xử lý xong")
    with pytest.raises(Conflict):
        case_reopen_by_citizen(record=record, secret=secret, reason="Lần nữa")

    # Handled again and closed again: it may be reopened once more.
    task_complete(task=_open_task(record), user=user("dieuphoi"), action="reject", data={})
    record.refresh_from_db()
    assert record.status == Record.Status.CLOSED
    case_reopen_by_citizen(record=record, secret=secret, reason="Vẫn chưa xong")
    assert Event.objects.filter(record=record, kind="case_reopened_by_citizen").count() == 2


def test_after_the_period_the_button_is_gone_and_a_post_is_refused(
    resolved_case: tuple[Record, str], english_client: Client, settings: Any
) -> None:
    record, secret = resolved_case
    settings.PORTAL_REOPEN_DAYS = 3
    Record.objects.filter(pk=record.pk).update(closed_at=timezone.now() - timedelta(days=4))

    assert 'id="reopen-link"' not in english_client.get(_status(record, secret)).content.decode()
    refused = english_client.post("/status/reopen/", {"code": record.tracking_code,
                                  "secret": secret, "reason": "Quá hạn"})  # fmt: skip

    assert refused.status_code == 409
    assert "The time to reopen this case has passed (3 days" in refused.content.decode()
    record.refresh_from_db()
    assert record.status == Record.Status.CLOSED


def test_a_reason_is_required(resolved_case: tuple[Record, str], english_client: Client) -> None:
    record, secret = resolved_case

    refused = english_client.post("/status/reopen/", {"code": record.tracking_code,
                                  "secret": secret, "reason": "   "})  # fmt: skip

    assert refused.status_code == 400
    page = read_page(refused)
    assert "Say why you are not satisfied." in page.by_id("error-summary").text
    assert page.find("textarea", name="reason").attrs["aria-invalid"] == "true"
    with pytest.raises(InvalidInput):
        case_reopen_by_citizen(record=record, secret=secret, reason="x" * 2001)


def test_a_case_in_progress_or_a_wrong_secret_cannot_be_reopened(submit_report: Any) -> None:
    submission = submit_report()

    with pytest.raises(Conflict):
        case_reopen_by_citizen(record=submission.record, secret=submission.secret, reason="?")
    with pytest.raises(NotFound):
        case_reopen_by_citizen(record=submission.record, secret="WRONG", reason="?")
    response = Client().post("/status/reopen/", {"code": submission.record.tracking_code,
                             "secret": "WRONG", "reason": "?"})  # fmt: skip
    assert response.status_code == 404
