"""Review of reopening: a reason holding a NUL character is refused with the message
that says so (not "at most N characters"), and nothing is reopened."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from apps.core.errors import InvalidInput
from apps.records.models import Record
from apps.runtime.models import ProcessInstance, Task
from apps.runtime.services import case_reopen_by_citizen, task_complete


def _open_task(record: Record) -> Task:
    return Task.objects.get(instance__record=record, status=Task.Status.OPEN)


@pytest.fixture
def resolved_case(submit_report: Any, user: Any) -> tuple[Record, str]:
    submission = submit_report()
    record = submission.record
    task_complete(task=_open_task(record), user=user("dieuphoi"), action="accept",
                  data={"severity": "4"})  # fmt: skip
    task_complete(task=_open_task(record), user=user("thoatnuoc"), action="resolve",
                  data={"resolution_note": "Đã nạo vét cống"})  # fmt: skip
    record.refresh_from_db()
    return record, submission.secret


def test_a_reason_with_a_nul_character_is_refused_as_such(
    resolved_case: tuple[Record, str],
) -> None:
    record, secret = resolved_case

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        case_reopen_by_citizen(record=record, secret=secret, reason="Vẫn\x00 còn ngập")

    messages = refused.value.details["reason"]
    assert "NUL" in messages[0]
    assert "at most" not in messages[0]
    record.refresh_from_db()
    assert record.status == Record.Status.CLOSED
    assert ProcessInstance.objects.get(record=record).status == "completed"


def test_a_rating_comment_with_a_nul_character_is_refused_as_such(
    resolved_case: tuple[Record, str],
) -> None:
    from apps.portal.models import CaseRating
    from apps.portal.services import rating_add

    record, secret = resolved_case

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        rating_add(record=record, secret=secret, stars=4, comment="Tốt\x00 lắm")

    message = refused.value.details["comment"][0]
    assert "NUL" in message
    assert "at most" not in message
    assert not CaseRating.objects.filter(record=record).exists()
