"""Anonymous submissions are throttled per client (rate ``anon_submit``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from apps.accounts.models import User
from apps.records.models import Record
from tests.conftest import FLOODING_REPORT

SUBMIT_URL = "/api/v1/forms/field_reports/citizen_report/submissions/"


@pytest.fixture
def two_per_minute(settings: Any) -> Iterator[None]:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_submit": "2/minute"},
    }
    cache.clear()
    yield
    cache.clear()


def _submit(client: Client) -> Any:
    return client.post(
        SUBMIT_URL, FLOODING_REPORT, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_third_anonymous_submission_in_a_minute_is_throttled(
    demo: None, two_per_minute: None
) -> None:
    citizen = Client()
    assert _submit(citizen).status_code == 201
    assert _submit(citizen).status_code == 201
    response = _submit(citizen)
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"] == "Too many requests; please wait a moment and try again."
    assert 0 < error["details"]["wait_seconds"] <= 60
    assert int(response["Retry-After"]) == error["details"]["wait_seconds"]
    assert Record.objects.count() == 2

    # Signed-in users are not held back by the anonymous rate.
    official = Client()
    official.force_login(User.objects.get(username="congdan"))
    assert _submit(official).status_code == 201
