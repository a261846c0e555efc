"""Fixtures of the portal tests."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from apps.builder.services import bundle_import

from .helpers import ALL_FIELDS_BUNDLE


@pytest.fixture
def all_fields_app(demo: None) -> None:
    """A published app whose form has every field type (no workflow)."""
    bundle_import(bundle=ALL_FIELDS_BUNDLE)


@pytest.fixture
def english_client() -> Client:
    """An anonymous client that chose English (as the header switch does)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
