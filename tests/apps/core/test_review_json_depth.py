"""Review: a JSON body nested hundreds of levels deep is a 400 (``parse_error``) at every
endpoint that reads JSON, never a 500 from copying or encoding it later; ordinary nesting
is still read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.core.parsers import MAX_DEPTH, loads
from tests.apps.api.conftest import error_of, signed_in


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def builder(demo: None) -> Client:
    return signed_in("xaydungapp")


def _post(client: Client, url: str, body: str, method: str = "post", **extra: Any) -> Any:
    return getattr(client, method)(
        url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **extra
    )


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        (
            "post",
            "/api/v1/apps/field_reports/simulate/",
            '{"workflow": "field_report_flow", "steps": [], "data": {"category": %s}}',
        ),
        ("post", "/api/v1/apps/field_reports/preview/", '{"form": {"key": %s}}'),
        ("put", "/api/v1/apps/field_reports/definitions/entity/deep/", '{"document": %s}'),
    ],
)
def test_a_body_nested_too_deep_is_refused_as_unreadable(
    builder: Client, method: str, url: str, body: str
) -> None:
    response = _post(builder, url, body % _nested(900), method, HTTP_IF_MATCH="*")

    error_of(response, 400, "parse_error")


def test_nesting_up_to_the_limit_is_read() -> None:
    assert loads(_nested(MAX_DEPTH)) is not None
    with pytest.raises(ValueError, match="nested"):
        loads(_nested(MAX_DEPTH + 1))
    assert loads('{"a": {"b": [1, {"c": [2]}]}}') == {"a": {"b": [1, {"c": [2]}]}}
