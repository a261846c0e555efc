"""The builder's page: one shell for every /builder/… address, for signed-in users."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/builder/", "/builder/apps/field_reports/workflow/x/"])
def test_signed_out_visitors_are_sent_to_the_login(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/login/")


@pytest.mark.parametrize("path", ["/builder/", "/builder/apps/field_reports/form/citizen_report/"])
def test_every_builder_address_serves_the_single_page_app(client_as: Any, path: str) -> None:
    response = client_as("xaydungapp").get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="builder-root"' in html
    assert "builder/app/builder.js" in html
    assert "csrftoken" in response.cookies
