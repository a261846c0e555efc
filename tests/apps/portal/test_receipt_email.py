"""The receipt is emailed (tracking code, form, private status link) when the citizen gave
an email and wants updates, in the language of the page, once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from apps.records.models import Record
from apps.runtime.delivery import deliver_entry
from apps.runtime.models import OutboxEntry

from .test_submit import REPORT_URL, report_post


@pytest.mark.parametrize(
    ("language", "form_name"), [("en", "Report a problem"), ("vi", "Phản ánh hiện trường")]
)
def test_the_receipt_is_emailed_in_the_page_language(
    demo: None, django_capture_on_commit_callbacks: Any, language: str, form_name: str
) -> None:
    client = Client()
    client.cookies["django_language"] = language
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            REPORT_URL, report_post(reporter_email="mai@example.vn", wants_updates="on")
        )

    assert response.status_code == 303
    record = Record.objects.get()
    [message] = mail.outbox
    assert message.to == ["mai@example.vn"]
    assert record.tracking_code in message.subject
    assert f"“{form_name}”" in message.body
    assert f"/status/?code={record.tracking_code}&secret=" in message.body
    assert message.body.count("http://testserver/status/") == 1
    assert record.events.get(kind="receipt_emailed").data["language"] == language
    # Delivering it again does nothing (idempotent).
    entry = OutboxEntry.objects.get(record=record, kind="citizen_email")
    assert deliver_entry(entry.pk) is None
    entry.refresh_from_db()
    assert "secret" not in entry.payload  # delivered: the secret is not kept
    assert len(mail.outbox) == 1


def test_the_secret_in_the_email_opens_the_case(
    demo: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(REPORT_URL, report_post(reporter_email="mai@example.vn", wants_updates="on"))

    link = next(line for line in mail.outbox[0].body.splitlines() if "/status/?" in line)
    page = Client().get(link.strip().replace("http://testserver", ""))
    assert page.status_code == 200
    assert 'id="tracking-code"' in page.content.decode()


def test_no_email_without_an_address_or_without_wanting_updates(
    demo: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(REPORT_URL, report_post())
        Client().post(REPORT_URL, report_post(reporter_email="mai@example.vn"))

    assert Record.objects.count() == 2
    assert mail.outbox == []
