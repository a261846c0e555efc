"""The browsable API documentation works offline: Swagger UI is served by the project."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_api_docs_page_loads_swagger_ui_from_the_project(client: Any) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    bundle = next(
        part.split('"')[0] for part in html.split('src="')[1:] if "swagger-ui-bundle" in part
    )
    assert bundle.startswith(settings.STATIC_URL)
    assert finders.find(bundle.removeprefix(settings.STATIC_URL).split("?")[0])  # collected
