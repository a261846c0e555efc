"""Reads of apps, versions and definitions."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.accounts.permissions import buildable_apps
from apps.core.errors import NotFound
from apps.core.models import translated
from workflows.analysis import analyze_app
from workflows.definition import (
    BUNDLE_FORMAT_VERSION,
    DOCUMENT_KINDS,
    OPTIONAL_KINDS,
    PLURAL,
    AppDef,
    FormDef,
    content_hash,
    parse_bundle,
    upgrade_bundle,
    validate_bundle,
)
from workflows.errors import Finding
from workflows.simulation import run_test

from .messages import test_failure_message
from .models import App, AppVersion, Definition


def version_bundle(version: AppVersion) -> dict[str, Any]:
    """The version's definitions as an app bundle (without export metadata)."""
    bundle: dict[str, Any] = {
        "format_version": BUNDLE_FORMAT_VERSION,
        "app": {"key": version.app.key, "label": version.label},
    }
    if version.description:
        bundle["app"]["description"] = version.description
    bundle["app"].update(version.app_settings or {})
    for kind in DOCUMENT_KINDS:
        bundle[PLURAL[kind]] = []
    for definition in version.definitions.order_by("kind", "position", "key"):
        bundle[PLURAL[definition.kind]].append(definition.document)
    for kind in OPTIONAL_KINDS:
        # Left out when empty: a bundle without tests is the same as before tests existed
        # (same content hash, same draft revision).
        if not bundle[PLURAL[kind]]:
            del bundle[PLURAL[kind]]
    return bundle


def bundle_hash(bundle: dict[str, Any]) -> str:
    """Hash of what a bundle defines; export metadata does not count."""
    return content_hash({k: v for k, v in bundle.items() if k not in {"exported_at", "source"}})


@lru_cache(maxsize=256)
def _parsed(version_id: int, digest: str) -> AppDef:
    version = AppVersion.objects.select_related("app").get(pk=version_id)
    return parse_bundle(version_bundle(version))


def version_app_def(version: AppVersion) -> AppDef:
    """The parsed definitions of a published version (cached: published versions are frozen)."""
    if version.status != AppVersion.Status.PUBLISHED:
        return parse_bundle(version_bundle(version))
    return _parsed(version.pk, version.content_hash)


def latest_published(app: App) -> AppVersion | None:
    return app.versions.filter(status=AppVersion.Status.PUBLISHED).order_by("-number").first()


def draft_of(app: App) -> AppVersion:
    return app.versions.get(status=AppVersion.Status.DRAFT)


def published_versions() -> QuerySet[AppVersion]:
    return AppVersion.objects.filter(status=AppVersion.Status.PUBLISHED).select_related("app")


def public_forms() -> list[tuple[AppVersion, FormDef]]:
    """The citizen forms of every app's latest published version, for the portal's index."""
    result = []
    for app in App.objects.order_by("key"):
        version = latest_published(app)
        if version is None:
            continue
        for form in version_app_def(version).forms.values():
            if form.audience == "public":
                result.append((version, form))
    return result


def published_form(app_key: str, form_key: str) -> tuple[AppVersion, AppDef, FormDef]:
    """The latest published version of a form, or NotFound."""
    version = (
        AppVersion.objects.filter(app__key=app_key, status=AppVersion.Status.PUBLISHED)
        .select_related("app")
        .order_by("-number")
        .first()
    )
    app_def = version_app_def(version) if version else None
    form = app_def.forms.get(form_key) if app_def else None
    if version is None or app_def is None or form is None:
        raise NotFound(_("This form does not exist or is not published."), code="form_not_found")
    return version, app_def, form


def known_workflows_by_app() -> dict[str, set[str]]:
    """Workflow keys of every app's latest published version (for cross-app checks)."""
    known: dict[str, set[str]] = {}
    for app in App.objects.order_by("key"):
        version = latest_published(app)
        if version is not None:
            known[app.key] = set(version_app_def(version).workflows)
    return known


def bundle_findings(bundle: dict[str, Any], *, app_key: str | None = None) -> list[Finding]:
    """Every finding for a bundle: schema and structure first; when those pass, the static
    analysis (unreachable nodes, deadlocking joins, wrong types in rules...)."""
    findings = validate_bundle(upgrade_bundle(bundle))
    if findings:
        return findings
    known = known_workflows_by_app()
    app_def = parse_bundle(bundle)
    known[app_key or app_def.key] = set(app_def.workflows)
    findings = analyze_app(app_def, known_apps=known)
    if app_def.tests and not any(f.severity == "error" for f in findings):
        findings.extend(failed_test_findings(app_def))
    return findings


def failed_test_findings(app_def: AppDef, now: datetime | None = None) -> list[Finding]:
    """An error finding for each saved test of ``app_def`` that fails when run."""
    findings = []
    moment = now or timezone.now()
    for key, test in app_def.tests.items():
        result = run_test(app_def, test, moment, language=get_language() or "vi")
        if not result["ok"]:
            findings.append(
                Finding(
                    code="test_failed",
                    message=test_failure_message(translated(test.label) or key, result),
                    path=f"tests[{key}]",
                    params={"test": key},
                )
            )
    return findings


def version_findings(version: AppVersion) -> list[Finding]:
    return bundle_findings(version_bundle(version), app_key=version.app.key)


# --------------------------------------------------------------------------- builder API reads


def draft_revision(draft: AppVersion) -> str:
    """The draft's revision: a digest of everything it defines (its name, description and
    definitions). A client sends it back when it changes the draft; a change made from an
    older revision is refused, so that nobody overwrites a colleague's work unseen."""
    return bundle_hash(version_bundle(draft))[:20]


def app_for_builder(user: Any, key: str) -> App:
    """An app ``user`` may build, or NotFound (the same answer whether it exists or not)."""
    app = buildable_apps(user, App.objects.filter(key=key)).first()
    if app is None:
        raise NotFound(_("This app does not exist."), code="app_not_found")
    return app


def version_by_number(app: App, number: int) -> AppVersion:
    version = app.versions.filter(status=AppVersion.Status.PUBLISHED, number=number).first()
    if version is None:
        raise NotFound(_("This version does not exist."), code="version_not_found")
    return version


def draft_definition(draft: AppVersion, *, kind: str, key: str) -> Definition:
    definition = draft.definitions.filter(kind=kind, key=key).first()
    if definition is None:
        raise NotFound(_("This definition does not exist."), code="definition_not_found")
    return definition


# Diffs between versions: pure functions of JSON documents.

#: Fields that name an item of a list of objects, in order of preference.
ITEM_KEYS = ("id", "key", "field", "value")


def _item_names(items: list[Any]) -> list[str] | None:
    """Stable names for the objects of a list (nodes by id, fields by key, transitions by
    ``from->to:action``...), or None when they have none (then items go by position)."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for name in ITEM_KEYS:
        if all(isinstance(item.get(name), str | int) for item in items):
            names = [str(item[name]) for item in items]
            return names if len(set(names)) == len(names) else None
    if all("from" in item and "to" in item for item in items):
        names = [
            f"{item['from']}->{item['to']}" + (f":{item['action']}" if item.get("action") else "")
            for item in items
        ]
        return names if len(set(names)) == len(names) else None
    return None


def _walk(before: Any, after: Any, path: str, diff: dict[str, list[dict[str, Any]]]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in list(before) + [k for k in after if k not in before]:
            where = f"{path}.{key}" if path else str(key)
            if key not in after:
                diff["removed"].append({"path": where, "value": before[key]})
            elif key not in before:
                diff["added"].append({"path": where, "value": after[key]})
            else:
                _walk(before[key], after[key], where, diff)
        return
    if isinstance(before, list) and isinstance(after, list):
        names_before, names_after = _item_names(before), _item_names(after)
        if names_before is not None and names_after is not None:
            old = dict(zip(names_before, before, strict=True))
            new = dict(zip(names_after, after, strict=True))
            for name in names_before + [n for n in names_after if n not in old]:
                where = f"{path}[{name}]"
                if name not in new:
                    diff["removed"].append({"path": where, "value": old[name]})
                elif name not in old:
                    diff["added"].append({"path": where, "value": new[name]})
                else:
                    _walk(old[name], new[name], where, diff)
            kept_before = [n for n in names_before if n in new]
            kept_after = [n for n in names_after if n in old]
            if kept_before != kept_after:
                diff["changed"].append(
                    {"path": f"{path}(order)", "before": kept_before, "after": kept_after}
                )
            return
        for index in range(max(len(before), len(after))):
            where = f"{path}[{index}]"
            if index >= len(after):
                diff["removed"].append({"path": where, "value": before[index]})
            elif index >= len(before):
                diff["added"].append({"path": where, "value": after[index]})
            else:
                _walk(before[index], after[index], where, diff)
        return
    if before != after or type(before) is not type(after):
        diff["changed"].append({"path": path or "$", "before": before, "after": after})


def document_diff(before: Any, after: Any) -> dict[str, list[dict[str, Any]]]:
    """What changed from one JSON document to another, by path: ``added`` and ``removed``
    (with the value), ``changed`` (with the value before and after).

    Paths read like ``nodes[triage].assignment.agency``: object keys joined by dots, items
    of lists of objects named by their ``id``/``key``/``field``/``value`` (transitions by
    ``from->to:action``), other list items by position (``[0]``); ``path(order)`` tells
    that named items were reordered."""
    diff: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    _walk(before, after, "", diff)
    return diff


def _documents(bundle: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {
        (kind, document.get("key", "")): document
        for kind in DOCUMENT_KINDS
        for document in bundle.get(PLURAL[kind], [])
        if isinstance(document, dict)
    }


def definition_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A readable, structural diff between two bundles (e.g. two versions of an app):
    definitions added, removed and changed (each with ``document_diff`` of its keys), and
    changes to the app's own name and description. Pure: no database."""
    old, new = _documents(before), _documents(after)
    result: dict[str, Any] = {
        "app": document_diff(before.get("app", {}), after.get("app", {})),
        "added": [],
        "removed": [],
        "changed": [],
    }
    for kind, key in list(old) + [k for k in new if k not in old]:
        if (kind, key) not in new:
            result["removed"].append({"kind": kind, "key": key})
        elif (kind, key) not in old:
            result["added"].append({"kind": kind, "key": key})
        elif old[(kind, key)] != new[(kind, key)]:
            changes = document_diff(old[(kind, key)], new[(kind, key)])
            result["changed"].append({"kind": kind, "key": key, **changes})
    return result
