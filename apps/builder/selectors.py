"""Reads of apps, versions and definitions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.core.errors import NotFound
from workflows.analysis import analyze_app
from workflows.definition import (
    BUNDLE_FORMAT_VERSION,
    DOCUMENT_KINDS,
    PLURAL,
    AppDef,
    FormDef,
    content_hash,
    parse_bundle,
    upgrade_bundle,
    validate_bundle,
)
from workflows.errors import Finding

from .models import App, AppVersion


def version_bundle(version: AppVersion) -> dict[str, Any]:
    """The version's definitions as an app bundle (without export metadata)."""
    bundle: dict[str, Any] = {
        "format_version": BUNDLE_FORMAT_VERSION,
        "app": {"key": version.app.key, "label": version.label},
    }
    if version.description:
        bundle["app"]["description"] = version.description
    for kind in DOCUMENT_KINDS:
        bundle[PLURAL[kind]] = []
    for definition in version.definitions.order_by("kind", "position", "key"):
        bundle[PLURAL[definition.kind]].append(definition.document)
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
    app = App.objects.filter(key=app_key).first()
    version = latest_published(app) if app else None
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
    return analyze_app(app_def, known_apps=known)


def version_findings(version: AppVersion) -> list[Finding]:
    return bundle_findings(version_bundle(version), app_key=version.app.key)
