"""JSON Schema files of the definition format, and a validator over them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).parent
BASE_URI = "https://lcnc.example/schema/"
KINDS = ("entity", "form", "workflow", "bundle")


@cache
def _registry() -> Registry[Any]:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        resources.append((BASE_URI + path.name, Resource.from_contents(document)))
    return Registry().with_resources(resources)


@cache
def load(name: str) -> dict[str, Any]:
    """The JSON Schema named ``name`` (e.g. "entity"), as a dict."""
    path = SCHEMA_DIR / f"{name}.schema.json"
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load(name), registry=_registry())


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for an inline schema that may $ref the shipped files by relative name."""
    return Draft202012Validator({"$id": BASE_URI + "inline.json", **schema}, registry=_registry())
