"""The builder's address exists before the builder does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_builder_page_needs_a_login(demo: None) -> None:
    response = Client().get("/builder/")
    assert response.status_code == 302 and "/workspace/login/" in response["Location"]


def test_builder_page_points_to_the_api_docs(client_as: Any) -> None:
    response = client_as("xaydungapp").get("/builder/")
    assert response.status_code == 200
    assert b"/api/docs/" in response.content
