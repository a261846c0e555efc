"""Two officials complete the same task at the same moment, through real parallel HTTP
requests: exactly one succeeds, the other is told the task is no longer open, and the
case moves on once.

Runs on PostgreSQL (CI's PostgreSQL pass), whose row locks serialize the two requests;
SQLite serializes whole-database writes in a way the live server's threads cannot share.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from apps.accounts.services import user_upsert
from apps.runtime.models import Event, Task

pytestmark = pytest.mark.django_db(transaction=True)


def _post(url: str, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept-Language": "en",
            "Authorization": f"Token {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_two_officials_completing_one_task_at_once_get_one_success_and_one_conflict(
    live_server: Any, submit_report: Any, user: Any
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("needs PostgreSQL (CI's PostgreSQL pass)")
    colleague = user_upsert(
        username="dieuphoi2", full_name="Lê Thị Phối", memberships=[("ioc", "dispatcher")]
    )
    record = submit_report().record
    task = Task.objects.get(instance__record=record, status=Task.Status.OPEN)
    assert task.node_id == "triage"
    tokens = [Token.objects.create(user=u).key for u in (user("dieuphoi"), colleague)]
    url = f"{live_server.url}/api/v1/tasks/{task.uuid}/complete/"
    barrier = threading.Barrier(len(tokens))
    results: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()

    def complete(token: str, action: str) -> None:
        barrier.wait(timeout=30)
        outcome = _post(url, token, {"action": action})
        with lock:
            results.append(outcome)

    threads = [
        threading.Thread(target=complete, args=(token, action))
        for token, action in zip(tokens, ["accept", "reject"], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert sorted(status for status, _body in results) == [200, 409], results
    [conflict] = [body for status, body in results if status == 409]
    assert conflict["error"]["code"] == "task_not_open"
    assert conflict["error"]["message"] == (
        "This task is no longer open; someone may have completed it."
    )
    completed = Event.objects.filter(record=record, kind="task_completed", data__task=task.task_key)
    assert completed.count() == 1
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
    [winner] = [body for status, body in results if status == 200]
    assert winner["action"] == task.action
