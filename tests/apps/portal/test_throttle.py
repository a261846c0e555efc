"""Anonymous POSTs of the portal pages are rate-limited per client address: over the rate
a translated 429 page, and nothing of the refused request is kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from apps.portal.models import SubmissionDraft
from apps.records.models import Record

from .test_submit import REPORT_URL, report_post


@pytest.fixture
def two_per_minute(settings: Any) -> Any:
    settings.PORTAL_SUBMIT_RATE = "2/minute"
    cache.clear()
    yield
    cache.clear()


def test_over_the_rate_a_post_is_refused_and_nothing_is_kept(
    demo: None, two_per_minute: None, english_client: Client
) -> None:
    assert english_client.post(REPORT_URL, report_post()).status_code == 303
    assert english_client.post(REPORT_URL, report_post()).status_code == 303

    refused = english_client.post(REPORT_URL, report_post())

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Nothing was saved" in refused.content.decode()
    assert Record.objects.count() == 2
    wizard = english_client.post(REPORT_URL, {"_wizard": "1", "_step": "problem", "nav": "next",
                                              "category": "flooding"})  # fmt: skip
    assert wizard.status_code == 429
    assert not SubmissionDraft.objects.exists()
    for path in ("/status/correct/", "/status/rate/", "/status/reopen/", "/account/login/"):
        assert english_client.post(path, {"code": "X", "secret": "Y"}).status_code == 429
    # Reading pages is not limited, and another address has its own count.
    assert english_client.get(REPORT_URL).status_code == 200
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(REPORT_URL, report_post()).status_code == 303


def test_signed_in_citizens_are_not_limited(
    demo: None, two_per_minute: None, client_as: Any
) -> None:
    client = client_as("congdan")
    for _attempt in range(3):
        assert client.post(REPORT_URL, report_post()).status_code == 303
    assert Record.objects.filter(submitted_by__username="congdan").count() == 3
