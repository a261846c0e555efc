"""Fixtures for the pure engine: no database, no Django."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from workflows.definition import AppDef, ensure_valid_bundle

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def load_bundle(name: str = "field_reports") -> dict[str, Any]:
    result: dict[str, Any] = json.loads((FIXTURES / "apps" / f"{name}.json").read_text("utf-8"))
    return result


@pytest.fixture
def bundle() -> dict[str, Any]:
    return copy.deepcopy(load_bundle())


@pytest.fixture
def app_def() -> AppDef:
    return ensure_valid_bundle(load_bundle())
