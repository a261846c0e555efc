"""Pages open in Vietnamese whatever the browser says; the switch and the API differ."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_are_vietnamese_even_for_an_english_browser(demo: None) -> None:
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert 'lang="vi"' in page.content.decode()


def test_the_language_switch_changes_pages_to_english(demo: None) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    assert 'lang="en"' in page.content.decode()


def test_the_api_follows_accept_language(demo: Any) -> None:
    vi = Client().get("/api/v1/tasks/", HTTP_ACCEPT_LANGUAGE="vi")
    en = Client().get("/api/v1/tasks/", HTTP_ACCEPT_LANGUAGE="en")
    assert vi.status_code == en.status_code == 403 or vi.status_code == en.status_code == 401
    assert en.json()["error"]["message"] != vi.json()["error"]["message"]
