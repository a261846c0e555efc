from __future__ import annotations

from apps.runtime.models import Task

from .conftest import html, open_task, task_url


def test_workspace_is_in_vietnamese_by_default(client_as, submit_report) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record

    page = html(client_as("dieuphoi").get("/workspace/"))

    assert '<html lang="vi">' in page
    assert "Phân loại phản ánh" in page  # the triage task's label in the fixture
    assert "Triage the report" not in page
    task_page = html(client_as("dieuphoi").get(task_url(open_task(record))))
    assert "Chuyển xử lý" in task_page  # the accept action
    assert "Ngập nước" in task_page  # the category's option label


def test_workspace_switches_to_english(english_client, submit_report) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record
    client = english_client("dieuphoi")

    page = html(client.get("/workspace/"))

    assert '<html lang="en">' in page
    assert "Inbox" in page
    assert "Triage the report" in page
    assert "Phân loại phản ánh" not in page
    task = Task.objects.get(instance__record=record)
    task_page = html(client.get(task_url(task)))
    assert "Route for handling" in task_page
    assert "Kind of problem" in task_page
    assert "Flooding" in task_page
