"""The outbox: effects that leave the transaction are delivered at least once, with
retries and backoff, and their consequence happens once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.builder.selectors import published_form
from apps.runtime.delivery import deliver_entry
from apps.runtime.models import OutboxEntry, ProcessInstance, Task
from apps.runtime.services import case_open, task_complete, timer_fire
from apps.runtime.tasks import tick
from tests.apps.runtime.test_sample_apps import PERMIT, _fire_due, _open

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "test-webhook-secret"


class Receiver:
    """A webhook receiver on localhost that fails the first ``failures`` deliveries and
    accepts each delivery id once, checking the signature."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.accepted: list[dict[str, Any]] = []
        self.seen: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls += 1
                timestamp = self.headers["X-LCNC-Timestamp"]
                expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()  # fmt: skip
                if self.headers["X-LCNC-Signature"] != f"sha256={expected}":
                    self.send_response(401)
                elif receiver.calls <= receiver.failures:
                    self.send_response(503)
                else:
                    delivery = self.headers["X-LCNC-Delivery"]
                    if delivery not in receiver.seen:
                        receiver.seen.add(delivery)
                        receiver.accepted.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=2)
    yield server
    server.close()


def _approved_permit(user: Any) -> Any:
    version, app_def, form = published_form("one_stop_permit", "apply")
    record = case_open(version=version, app_def=app_def, form=form, raw=PERMIT,
                           user=user("congdan")).record  # fmt: skip
    task_complete(task=_open(record, "check")[0], user=user("motcua"), action="complete")
    task_complete(task=_open(record, "approve")[0], user=user("lanhdao_sxd"), action="approve")
    return record


def _retry_now() -> None:
    OutboxEntry.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    tick()


def test_a_webhook_that_fails_twice_is_delivered_exactly_once(
    user: Any, receiver: Receiver
) -> None:
    with override_settings(WEBHOOK_SECRET=SECRET,
                           WEBHOOK_ENDPOINTS={"construction_registry": receiver.url}):  # fmt: skip
        record = _approved_permit(user)
        entry = OutboxEntry.objects.get(instance=record.instance, kind="webhook")
        assert (entry.status, entry.attempts) == ("pending", 1)
        assert "503" in entry.last_error
        assert entry.next_attempt_at > timezone.now()
        tick()  # not due yet: nothing is sent
        assert receiver.calls == 1
        _retry_now()
        _retry_now()
        entry.refresh_from_db()
        assert (entry.status, entry.attempts) == ("delivered", 3)
        # A duplicate dispatch (at-least-once delivery) changes nothing.
        assert deliver_entry(entry.pk) is None
        _retry_now()
    assert receiver.calls == 3
    [delivery] = receiver.accepted
    assert delivery["tracking_code"] == record.tracking_code
    assert delivery["payload"]["permit_number"] == "GPXD-ninh_kieu-125-12"


def test_backoff_grows_and_a_failing_effect_ends_visible_on_the_case(user: Any) -> None:
    with override_settings(OUTBOX_MAX_ATTEMPTS=3, WEBHOOK_ENDPOINTS={}):
        record = _approved_permit(user)
        entry = OutboxEntry.objects.get(instance=record.instance, kind="webhook")
        first_wait = entry.next_attempt_at - entry.updated_at
        _retry_now()
        entry.refresh_from_db()
        assert entry.next_attempt_at - entry.updated_at > first_wait
        _retry_now()
    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == ("failed", 3)
    assert "not configured" in entry.last_error
    failure = record.events.get(kind="effect_failed")
    assert failure.data["kind"] == "webhook" and failure.public is False


def test_issuing_starts_the_site_inspection_which_can_open_a_violation_case(user: Any) -> None:
    record = _approved_permit(user)
    inspection = ProcessInstance.objects.get(workflow_key="site_inspection")
    assert inspection.parent_id == record.instance.pk and not inspection.parent_waits
    _fire_due(inspection, "timer", later=timedelta(days=31))
    [inspect] = _open(inspection.record, "inspect")
    assert inspect.agency.code == "ninh_kieu"
    task_complete(task=inspect, user=user("ninhkieu"), action="violation",
                  data={"inspection_note": "Xây thêm tầng 3"})  # fmt: skip
    inspection.refresh_from_db()
    assert inspection.outcome == "violation_reported"
    violation = ProcessInstance.objects.get(workflow_key="violation_flow")
    assert violation.record.app.key == "coordination"
    assert "Xây thêm tầng 3" in violation.record.data["description"]
    assert Task.objects.get(instance=violation, status="open").node_id == "assess"
    # The permit case itself went on to wait for the fee, untouched.
    record.instance.refresh_from_db()
    assert record.instance.state["tokens"][0]["node"] == "await_fee"
    assert timer_fire(timer_id=0) is False
