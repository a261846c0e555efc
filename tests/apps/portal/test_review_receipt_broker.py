"""Review: the receipt email is queued after the submission is stored; when the task
queue cannot be reached, the citizen still gets their receipt page (tracking code and
secret, shown only once) instead of an error page, and the record is kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from kombu.exceptions import OperationalError

from apps.portal.tasks import receipt_email
from apps.records.models import Record

from .test_submit import REPORT_URL, report_post


@pytest.mark.django_db(transaction=True)  # no test transaction: on_commit runs at once, as live
def test_a_queue_outage_does_not_lose_the_receipt(demo: None, monkeypatch: Any) -> None:
    def broker_down(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(receipt_email, "delay", broker_down)
    client = Client(raise_request_exception=False)

    response = client.post(
        REPORT_URL, report_post(reporter_email="mai@example.vn", wants_updates="on")
    )

    assert response.status_code == 303
    record = Record.objects.get()
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert record.tracking_code in receipt.content.decode()
