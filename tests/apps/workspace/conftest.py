"""Helpers for the workspace pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.records.models import Record
from apps.runtime.models import Task


def vi(message: str, **params: Any) -> str:
    """``message`` as the default (Vietnamese) page shows it, with or without a catalog."""
    with translation.override("vi"):
        text = translation.gettext(message)
    return text % params if params else text


def task_url(task: Task) -> str:
    return reverse("workspace:task", args=[task.uuid])


def case_url(record: Record) -> str:
    return reverse("workspace:case", args=[record.uuid])


def open_task(record: Record) -> Task:
    """The one open task of ``record``."""
    return Task.objects.get(instance__record=record, status=Task.Status.OPEN)


def html(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def triaged(client_as, submit_report):  # type: ignore[no-untyped-def]
    """A flooding report the dispatcher accepted with severity 4 (now at the drainage
    company)."""
    record = submit_report().record
    response = client_as("dieuphoi").post(
        task_url(open_task(record)),
        {"action": "accept", "category": "flooding", "severity": "4", "triage_note": "Gấp"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    return record


@pytest.fixture
def english_client(client_as):  # type: ignore[no-untyped-def]
    """``english_client("dieuphoi")``: logged in, English chosen with the header switch."""

    def make(username: str) -> Client:
        client: Client = client_as(username)
        response = client.post(reverse("set_language"), {"language": "en", "next": "/workspace/"})
        assert response.status_code == 302
        return client

    return make
