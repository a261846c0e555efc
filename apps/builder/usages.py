"""Where a field of an entity is used across an app's definitions (before renaming or
removing it). Pure: works on a bundle (JSON), no database."""

from __future__ import annotations

import re
from typing import Any

from workflows import nodes
from workflows.definition import NodeDef

Usage = dict[str, str]

#: Keys naming the items of a list in a path, in order of preference (as in diffs).
ITEM_KEYS = ("id", "key", "field", "code")


def _item_name(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for name in ITEM_KEYS:
            if isinstance(item.get(name), str):
                return str(item[name])
    return str(index)


def _reads(value: Any, field: str) -> bool:
    """Whether a ``{"var": ...}`` argument names ``field`` (or one of its parts)."""
    if isinstance(value, list) and value:
        value = value[0]
    return isinstance(value, str) and (value == field or value.startswith(field + "."))


def _is_rule(value: Any) -> bool:
    """A JSON Logic operation: one key, e.g. ``{"==": [...]}`` or ``{"var": "x"}``."""
    return (
        isinstance(value, dict)
        and len(value) == 1
        and ("var" in value or isinstance(next(iter(value.values())), list))
    )


def _walk(value: Any, path: str, field: str, found: list[str], frozen: bool = False) -> None:
    """Collect the paths of rules reading ``field`` and of ``{{field}}`` placeholders.
    Inside a rule the path stays at the rule (``transitions[2].condition``)."""
    placeholder = re.compile(r"\{\{\s*" + re.escape(field) + r"(\.[^}]*)?\s*\}\}")
    stack: list[tuple[Any, str, bool]] = [(value, path, frozen)]
    while stack:
        item, where, inside = stack.pop()
        if isinstance(item, dict):
            if "var" in item and len(item) == 1 and _reads(item["var"], field):
                found.append(where)
                continue
            inside = inside or _is_rule(item)
            for key, child in item.items():
                child_path = where if inside else (f"{where}.{key}" if where else str(key))
                stack.append((child, child_path, inside))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                child_path = where if inside else f"{where}[{_item_name(child, index)}]"
                stack.append((child, child_path, inside))
        elif isinstance(item, str) and "{{" in item and placeholder.search(item):
            found.append(where)


def _unique(paths: list[str]) -> list[str]:
    return sorted(set(paths))


def _entity_usages(document: dict[str, Any], field: str) -> list[str]:
    paths = ["title_field"] if document.get("title_field") == field else []
    _walk(document, "", field, paths)
    return paths


def _form_usages(document: dict[str, Any], field: str) -> list[str]:
    paths: list[str] = []
    for step in document.get("steps", []):
        if not isinstance(step, dict):
            continue
        for form_field in step.get("fields", []):
            if isinstance(form_field, dict) and form_field.get("field") == field:
                paths.append(f"steps[{step.get('key')}].fields[{field}]")
    _walk(document, "", field, paths)
    return paths


def _written_at(node: dict[str, Any], field: str) -> str:
    where = f"nodes[{node.get('id')}]"
    if isinstance(node.get("set"), dict) and field in node["set"]:
        return f"{where}.set.{field}"
    if field in (node.get("form") or {}).get("fields", []):
        return f"{where}.form.fields"
    if field in (node.get("store") or []):
        return f"{where}.store"
    if isinstance(node.get("output"), dict) and field in node["output"]:
        return f"{where}.output.{field}"
    return where


def _workflow_usages(document: dict[str, Any], field: str) -> list[str]:
    paths: list[str] = []
    for raw in document.get("nodes", []):
        if not isinstance(raw, dict):
            continue
        node_type = nodes.get(str(raw.get("type")))
        if node_type is None:
            continue
        config = {k: v for k, v in raw.items() if k not in {"id", "type", "label"}}
        node = NodeDef(id=str(raw.get("id")), type=node_type.name, label={}, config=config)
        try:
            edited = node_type.edited_fields(node)
        except (KeyError, TypeError, AttributeError):
            edited = []  # a broken draft node: validation reports it
        if field in edited:
            paths.append(_written_at(raw, field))
    _walk({k: v for k, v in document.items() if k != "layout"}, "", field, paths)
    return paths


def _test_usages(document: dict[str, Any], field: str) -> list[str]:
    paths = [f"data.{field}"] if field in (document.get("data") or {}) else []
    for index, step in enumerate(document.get("steps", [])):
        if isinstance(step, dict) and field in (step.get("data") or {}):
            paths.append(f"steps[{index}].data.{field}")
    return paths


def field_usages(bundle: dict[str, Any], entity: str, field: str) -> list[Usage]:
    """Every place of ``bundle`` that reads or writes ``field`` of ``entity``:
    ``[{"kind", "key", "path"}]``. Only forms and workflows of that entity count (and tests
    of those workflows, and the app's Open311 field maps of those forms)."""
    result: list[Usage] = []

    def add(kind: str, key: Any, paths: list[str]) -> None:
        result.extend({"kind": kind, "key": str(key), "path": p} for p in _unique(paths))

    for document in bundle.get("entities", []):
        if isinstance(document, dict) and document.get("key") == entity:
            add("entity", entity, _entity_usages(document, field))
    forms = [d for d in bundle.get("forms", []) if isinstance(d, dict)]
    own_forms = {d.get("key") for d in forms if d.get("entity") == entity}
    for document in forms:
        if document.get("key") in own_forms:
            add("form", document.get("key"), _form_usages(document, field))
    workflows = [d for d in bundle.get("workflows", []) if isinstance(d, dict)]
    own_workflows = {d.get("key") for d in workflows if d.get("entity") == entity}
    for document in workflows:
        if document.get("key") in own_workflows:
            add("workflow", document.get("key"), _workflow_usages(document, field))
    for document in bundle.get("tests", []):
        if isinstance(document, dict) and document.get("workflow") in own_workflows:
            add("test", document.get("key"), _test_usages(document, field))
    app = bundle.get("app") or {}
    services = ((app.get("open311") or {}).get("services")) or []
    paths = []
    for service in services:
        if not isinstance(service, dict) or service.get("form") not in own_forms:
            continue
        for name, target in (service.get("field_map") or {}).items():
            if target == field:
                paths.append(f"open311.services[{service.get('code')}].field_map.{name}")
    add("app", app.get("key", ""), paths)
    return result
