"""One way in, nothing lost.

Every door (the portal's form, the REST API, Open311) opens a case through the same intake
and the citizen gets the receipt exactly once. With the Celery broker unreachable,
submissions and task completions still answer 2xx and their messages go out once the tick
runs; with the cache unreachable, rate limits fail open and nothing answers 500.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client, override_settings

from apps.records.models import Record
from apps.runtime import outbox
from apps.runtime.models import OutboxEntry, Task
from apps.runtime.tasks import tick
from lcnc.celery import app as celery_app
from tests.apps.portal.test_open311 import REPORT as OPEN311_REPORT
from tests.apps.portal.test_submit import REPORT_URL, report_post
from tests.conftest import FLOODING_REPORT

pytestmark = pytest.mark.django_db(transaction=True)  # commits happen, as in production

EMAIL = "mai@example.vn"
API_URL = "/api/v1/forms/field_reports/citizen_report/submissions/"


def _portal(client: Client) -> int:
    response = client.post(REPORT_URL, report_post(reporter_email=EMAIL, wants_updates="on"))
    return response.status_code


def _api(client: Client) -> int:
    body = {**FLOODING_REPORT, "reporter_email": EMAIL, "wants_updates": True}
    response = client.post(API_URL, json.dumps(body), content_type="application/json")
    return response.status_code


def _open311(client: Client) -> int:
    report = {**OPEN311_REPORT, "email": EMAIL, "attribute[wants_updates]": "true"}
    return client.post("/open311/v2/requests.json", report).status_code


DOORS = {"portal": (_portal, 303), "api": (_api, 201), "open311": (_open311, 200)}


def _receipts() -> list[Any]:
    return [m for m in mail.outbox if m.extra_headers["X-LCNC-Delivery"].endswith(":receipt")]


@pytest.mark.parametrize("door", DOORS)
def test_every_door_sends_the_receipt_exactly_once(demo: None, door: str) -> None:
    send, accepted = DOORS[door]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert send(client) == accepted
    record = Record.objects.get()
    assert record.instance.tasks.filter(status=Task.Status.OPEN).count() == 1
    [receipt] = _receipts()
    assert record.tracking_code in receipt.subject
    assert receipt.extra_headers["Message-ID"].startswith("<outbox.")
    entry = OutboxEntry.objects.get(record=record, kind="citizen_email")
    assert entry.status == OutboxEntry.Status.DELIVERED and entry.payload["door"] == door
    assert "secret" not in entry.payload
    tick()  # delivering again changes nothing
    assert len(_receipts()) == 1
    assert record.events.filter(kind="receipt_emailed").count() == 1


def test_every_door_refuses_a_staff_form_to_a_citizen_the_same_way(demo: None) -> None:
    raw = {"kind": "land", "description": "Lấn chiếm hành lang kênh", "district": "ninh_kieu"}
    api = Client().post(
        "/api/v1/forms/coordination/report_violation/submissions/",
        json.dumps(raw),
        content_type="application/json",
    )
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "form_not_found"
    portal = Client().post("/f/coordination/report_violation/", raw)
    assert portal.status_code == 404
    assert Record.objects.count() == 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Celery publishes to a broker nobody listens on (as when Redis is stopped)."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    _new_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved
        _new_connections()
        outbox._wake_failed_at = None  # the broker is back


def _new_connections() -> None:
    """Celery's producers connect to the configured broker anew (the pools of the other
    broker stay as they are, for whoever uses them next)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_with_the_broker_down_submissions_and_completions_succeed_and_deliver_later(
    demo: None, broker_down: None, client_as: Any
) -> None:
    client = Client(raise_request_exception=False)
    statuses = [send(client) for send, _accepted in DOORS.values()]
    assert statuses == [accepted for _send, accepted in DOORS.values()]
    assert Record.objects.count() == 3
    assert mail.outbox == []
    pending = OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING)
    assert pending.count() == 3

    # An official completes a task through the API: the completion commits and says so.
    task = Task.objects.filter(status=Task.Status.OPEN).order_by("pk").first()
    assert task is not None
    official = client_as("dieuphoi")
    official.raise_request_exception = False
    response = official.post(
        f"/api/v1/tasks/{task.uuid}/complete/",
        json.dumps({"action": "reject", "data": {"triage_note": "Trùng lặp"}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
    closing = OutboxEntry.objects.filter(kind="citizen_email", payload__notice="closed")
    assert closing.get().status == OutboxEntry.Status.PENDING

    # The tick (beat) delivers everything once; later ticks change nothing.
    tick()
    tick()
    assert not OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING).exists()
    assert len(_receipts()) == 3
    assert sorted(m.subject for m in mail.outbox).count(mail.outbox[-1].subject) == 1
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == len(mail.outbox) == 4


@pytest.fixture
def cache_down() -> Iterator[None]:
    unreachable = {
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    rates = {"anon_submit": "2/hour"}
    with override_settings(CACHES=unreachable, PORTAL_SUBMIT_RATE="2/hour"):
        from django.conf import settings

        with override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        ):
            yield
    caches["default"].close()


def test_with_the_cache_down_rate_limits_fail_open_and_nothing_answers_500(
    demo: None, cache_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(raise_request_exception=False)
    # Over the limit of 2 an hour: with no counter to read, every request goes through.
    for _attempt in range(3):
        assert _portal(client) == 303
        assert _api(client) == 201
    token = client.post(
        "/api/v1/auth/token/",
        json.dumps({"username": "dieuphoi", "password": "wrong"}),
        content_type="application/json",
    )
    assert token.status_code == 400
    assert Record.objects.count() == 6
    assert "cache unreachable" in caplog.text
