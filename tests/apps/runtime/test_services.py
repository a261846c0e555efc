"""Running cases through the services: tasks, the audit log, notifications, races."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.records.models import Record
from apps.runtime.delivery import deliver_entry
from apps.runtime.models import AppendOnlyError, Event, OutboxEntry, ProcessInstance, Task
from apps.runtime.services import instance_cancel, task_complete

pytestmark = pytest.mark.django_db


def _open_task(record: Record) -> Task:
    return Task.objects.get(instance__record=record, status=Task.Status.OPEN)


def test_submission_starts_the_workflow_pinned_to_its_version(submit_report: Any) -> None:
    record = submit_report().record
    instance = ProcessInstance.objects.get(record=record)
    assert instance.app_version == record.app_version
    assert instance.status == "running"
    task = _open_task(record)
    assert (task.node_id, task.agency.code, task.role.key) == ("triage", "ioc", "dispatcher")
    assert record.current_agency is not None and record.current_agency.code == "ioc"


def test_every_step_is_in_the_event_log_with_its_actor(submit_report: Any, user: Any) -> None:
    record = submit_report().record
    task_complete(task=_open_task(record), user=user("dieuphoi"), action="accept",
                  data={"severity": "4"})  # fmt: skip
    task_complete(task=_open_task(record), user=user("thoatnuoc"), action="resolve",
                  data={"resolution_note": "Đã nạo vét cống"})  # fmt: skip
    record.refresh_from_db()
    assert (record.status, record.outcome, record.current_agency) == ("closed", "resolved", None)
    assert record.data["severity"] == 4
    assert record.data["resolution_note"] == "Đã nạo vét cống"
    log = list(record.events.order_by("at", "id"))
    with translation.override("en"):
        actors = [(e.kind, e.actor_display) for e in log]
    assert actors == [
        ("case_started", "Citizen"),
        ("task_created", "Citizen"),
        ("task_completed", "Nguyễn Văn Điều"),
        ("decision_taken", "Nguyễn Văn Điều"),
        ("task_created", "Nguyễn Văn Điều"),
        ("task_completed", "Trần Thị Nước"),
        ("case_closed", "Trần Thị Nước"),
    ]
    assert log[2].actor == user("dieuphoi")
    assert log[2].data["changes"] == {"severity": 4}
    assert all(e.app_version_id == record.app_version_id for e in log)


def test_events_are_append_only(submit_report: Any) -> None:
    event = submit_report().record.events.first()
    event.kind = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.filter(kind="tampered").count() == 0


def test_officer_of_another_agency_cannot_complete(submit_report: Any, user: Any) -> None:
    record = submit_report().record
    with pytest.raises(NotAllowed):
        task_complete(task=_open_task(record), user=user("thoatnuoc"), action="accept")
    assert _open_task(record).status == "open"


def test_completing_twice_is_a_conflict(submit_report: Any, user: Any) -> None:
    record = submit_report().record
    task = _open_task(record)
    task_complete(task=task, user=user("dieuphoi"), action="reject")
    events = Event.objects.count()
    with pytest.raises(Conflict):
        task_complete(task=task, user=user("dieuphoi"), action="reject")
    assert Event.objects.count() == events


def test_bad_task_data_changes_nothing(submit_report: Any, user: Any) -> None:
    record = submit_report().record
    task = _open_task(record)
    with pytest.raises(InvalidInput) as caught:
        task_complete(task=task, user=user("dieuphoi"), action="accept", data={"severity": "9"})
    assert set(caught.value.details) == {"severity"}
    with pytest.raises(InvalidInput) as caught:
        task_complete(task=task, user=user("dieuphoi"), action="accept",
                      data={"description": "sửa mô tả"})  # fmt: skip
    assert set(caught.value.details) == {"description"}
    with pytest.raises(InvalidInput):
        task_complete(task=task, user=user("dieuphoi"), action="resolve")
    task.refresh_from_db()
    assert task.status == "open"
    record.refresh_from_db()
    assert "severity" not in record.data


def test_district_reports_go_to_the_district_agency(submit_report: Any, user: Any) -> None:
    record = submit_report(category="streetlight", district="cai_rang").record
    task_complete(task=_open_task(record), user=user("dieuphoi"), action="accept")
    task = _open_task(record)
    assert (task.node_id, task.agency.code) == ("handle_district", "cai_rang")
    task_complete(task=task, user=user("cairang"), action="resolve")
    record.refresh_from_db()
    assert record.outcome == "resolved"


def test_cancel_closes_the_case(submit_report: Any, user: Any) -> None:
    record = submit_report().record
    instance_cancel(instance=record.instance, user=user("dieuphoi"), reason="trùng lặp")
    record.refresh_from_db()
    assert (record.status, record.outcome) == ("closed", "cancelled")
    assert Task.objects.get(instance__record=record).status == "cancelled"


REAL_WORKER = os.environ.get("LCNC_REAL_CELERY_WORKER") == "1"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_citizen_is_notified_once_when_the_case_closes(submit_report: Any, user: Any) -> None:
    """Eager in the embedded setup; a real worker in CI's PostgreSQL + Redis run."""
    record = submit_report(reporter_email="mai@example.vn").record
    assert record.contact_email == "mai@example.vn"
    task_complete(task=_open_task(record), user=user("dieuphoi"), action="accept")
    task_complete(task=_open_task(record), user=user("thoatnuoc"), action="resolve")
    deadline = time.monotonic() + (60 if REAL_WORKER else 0)
    while True:
        notified = record.events.filter(kind="citizen_notified")
        if notified.exists() or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert notified.count() == 1
    assert notified.get().data["notice"] == "closed"
    assert notified.get().data["channel"] == "email"
    if not REAL_WORKER:
        [message] = mail.outbox
        assert message.to == ["mai@example.vn"] and record.tracking_code in message.subject
    # Delivering the same notice again does nothing (idempotent).
    entry = OutboxEntry.objects.get(record=record, kind="citizen_email")
    assert entry.status == "delivered"
    assert deliver_entry(entry.pk) is None
    assert record.events.filter(kind="citizen_notified").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officials_completing_at_once_only_one_wins(submit_report: Any, user: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("row locking race is exercised on PostgreSQL (CI's second run)")
    record = submit_report().record
    task = _open_task(record)
    dispatcher = user("dieuphoi")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def complete() -> None:
        from django.db import connections

        barrier.wait()
        try:
            task_complete(task=task, user=dispatcher, action="accept")
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert Task.objects.filter(instance__record=record).count() == 2
    assert record.events.filter(kind="task_completed").count() == 1
