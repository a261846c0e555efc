"""Review: a tracking code or secret carrying a NUL character (``%00`` in a link) is
never passed to the database (PostgreSQL refuses NUL in a query: a 500); such a code
finds no case, on every page that reads one."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from apps.records.services import normalize_code

NUL_CODE = quote("AB\x00CD")


def test_a_normalized_code_never_holds_nul() -> None:
    assert normalize_code(" ab\x00 cd\x00") == "ABCD"


@pytest.mark.parametrize(
    "path",
    [
        f"/status/?code={NUL_CODE}&secret=x%00y",
        f"/status/reopen/?code={NUL_CODE}&secret=x%00y",
        f"/status/rate/?code={NUL_CODE}&secret=x%00y",
        f"/status/correction/?code={NUL_CODE}&secret=x%00y",
        f"/files/00000000-0000-0000-0000-000000000000/?code={NUL_CODE}&secret=x%00y",
    ],
)
def test_pages_reading_a_code_answer_not_found(demo: None, path: str) -> None:
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 404


def test_my_case_with_a_nul_code_is_not_found(demo: None, client_as: Any) -> None:
    response = client_as("congdan").get(f"/account/case/{NUL_CODE}/")

    assert response.status_code == 404
