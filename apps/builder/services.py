"""Writes: creating apps, editing drafts, publishing, importing bundles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import permissions
from apps.core.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    ServiceError,
    from_workflow_error,
)
from workflows.definition import (
    DOCUMENT_KINDS,
    PLURAL,
    content_hash,
    ensure_valid_bundle,
    upgrade_bundle,
    validate_document,
)
from workflows.errors import DefinitionInvalid, Finding

from .models import App, AppVersion, Definition
from .selectors import (
    bundle_findings,
    bundle_hash,
    draft_of,
    draft_revision,
    latest_published,
    version_bundle,
    version_by_number,
)


@transaction.atomic
def app_create(
    *,
    key: str,
    label: dict[str, str],
    description: dict[str, str] | None = None,
    user: Any = None,
) -> App:
    if App.objects.filter(key=key).exists():
        raise Conflict(_("An app with this key already exists."), code="app_exists")
    app = App.objects.create(key=key, label=label, description=description or {}, created_by=user)
    AppVersion.objects.create(
        app=app, status=AppVersion.Status.DRAFT, label=label, description=description or {}
    )
    if user is not None:
        permissions.grant_app_builder(user, app)
    return app


def _require_build(user: Any, app: App) -> None:
    if user is not None and not permissions.can_build_app(user, app):
        raise NotAllowed(_("You may not edit this app."))


@transaction.atomic
def definition_save(*, app: App, kind: str, document: dict[str, Any], user: Any) -> Definition:
    """Create or replace one definition in the app's draft (its schema must be valid)."""
    _require_build(user, app)
    if kind not in DOCUMENT_KINDS:
        raise InvalidInput(_("Unknown kind of definition."), code="unknown_kind")
    findings = validate_document(kind, document)
    if findings:
        raise from_workflow_error(DefinitionInvalid(findings))
    draft = draft_of(app)
    definition, _created = Definition.objects.update_or_create(
        version=draft,
        kind=kind,
        key=document["key"],
        defaults={"document": document, "content_hash": content_hash(document)},
    )
    return definition


#: Keys of a bundle's ``app`` object stored in their own columns; the others (e.g. ``open311``)
#: are the version's ``app_settings``.
APP_OWN_KEYS = frozenset({"key", "label", "description"})


def _replace_draft(app: App, bundle: dict[str, Any]) -> AppVersion:
    draft = AppVersion.objects.select_for_update().get(app=app, status=AppVersion.Status.DRAFT)
    draft.label = bundle["app"]["label"]
    draft.description = bundle["app"].get("description", {})
    draft.app_settings = {k: v for k, v in bundle["app"].items() if k not in APP_OWN_KEYS}
    draft.save(update_fields=["label", "description", "app_settings", "updated_at"])
    draft.definitions.all().delete()
    Definition.objects.bulk_create(
        Definition(
            version=draft,
            kind=kind,
            key=document["key"],
            position=position,
            document=document,
            content_hash=content_hash(document),
        )
        for kind in DOCUMENT_KINDS
        for position, document in enumerate(bundle.get(PLURAL[kind], []))
    )
    return draft


def _refuse_errors(findings: list[Finding]) -> None:
    """Publishing is refused while any finding is an error (warnings are allowed); when
    the only errors are saved tests that fail, with the code ``tests_failed``."""
    errors = [f for f in findings if f.severity == "error"]
    if errors and all(f.code == "test_failed" for f in errors):
        raise InvalidInput(
            _("Some saved tests fail; correct the definitions or the tests, then publish."),
            code="tests_failed",
            details=[f.as_dict() for f in errors],
        )
    if errors:
        raise from_workflow_error(DefinitionInvalid(errors))


@transaction.atomic
def app_publish(*, app: App, user: Any, note: str = "") -> AppVersion:
    """Freeze the draft as the next version, after validating every definition together."""
    if user is not None and not permissions.can_publish_app(user, app):
        raise NotAllowed(_("You may not publish this app."))
    draft = AppVersion.objects.select_for_update().get(app=app, status=AppVersion.Status.DRAFT)
    bundle = version_bundle(draft)
    _refuse_errors(bundle_findings(bundle, app_key=app.key))
    number = (app.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = AppVersion.objects.create(
        app=app,
        number=number,
        status=AppVersion.Status.PUBLISHED,
        label=draft.label,
        description=draft.description,
        app_settings=draft.app_settings,
        content_hash=bundle_hash(bundle),
        note=note,
        published_at=timezone.now(),
        published_by=user,
    )
    Definition.objects.bulk_create(
        Definition(
            version=version,
            kind=d.kind,
            key=d.key,
            position=d.position,
            document=d.document,
            content_hash=d.content_hash,
        )
        for d in draft.definitions.all()
    )
    app.label = draft.label
    app.description = draft.description
    app.save(update_fields=["label", "description", "updated_at"])
    return version


@transaction.atomic
def bundle_import(
    *, bundle: Any, user: Any = None, publish: bool = True, note: str = ""
) -> tuple[App, AppVersion | None, bool]:
    """Load an app bundle into the app's draft and (by default) publish it.

    Returns (app, published version or None, changed). Importing a bundle identical to
    the latest published version changes nothing, so imports are idempotent.
    ``user=None`` means the command line (trusted); otherwise the user must build the app.
    """
    bundle = upgrade_bundle(bundle)
    try:
        ensure_valid_bundle(bundle)
    except DefinitionInvalid as invalid:
        raise from_workflow_error(invalid) from invalid
    if publish:
        _refuse_errors(bundle_findings(bundle))
    key = bundle["app"]["key"]
    app = App.objects.filter(key=key).first()
    if app is None:
        app = app_create(
            key=key,
            label=bundle["app"]["label"],
            description=bundle["app"].get("description"),
            user=user,
        )
    else:
        _require_build(user, app)
    latest = latest_published(app)
    digest = bundle_hash(bundle)
    if latest is not None and latest.content_hash == digest:
        return app, latest, False
    _replace_draft(app, bundle)
    if not publish:
        return app, None, True
    return app, app_publish(app=app, user=user, note=note or _("Imported")), True


def bundle_export(*, app: App, version: AppVersion | None = None) -> dict[str, Any]:
    """The app (its latest published version, else its draft) as a bundle file."""
    version = version or latest_published(app) or draft_of(app)
    bundle = version_bundle(version)
    bundle["exported_at"] = timezone.now().isoformat()
    bundle["source"] = {"version": version.number, "content_hash": bundle_hash(bundle)}
    return bundle


# --------------------------------------------------------------------------- builder API
#
# The draft is edited with optimistic concurrency: every change names the draft revision it
# was made from (``selectors.draft_revision``); a change from an older revision is refused.

#: App keys the API's paths use for themselves.
RESERVED_APP_KEYS = frozenset({"import"})


def _require_create(user: Any) -> None:
    if not permissions.can_create_app(user):
        raise NotAllowed(_("You may not create apps."))


def _refuse_reserved(key: str) -> None:
    if key in RESERVED_APP_KEYS:
        message = _("This key is reserved; choose another one.")
        raise InvalidInput(message, code="reserved_key", details={"key": [message]})


@transaction.atomic
def app_create_by_user(
    *, user: Any, key: str, label: dict[str, str], description: dict[str, str] | None = None
) -> App:
    """``app_create`` for a person: builders and platform admins; they build it then."""
    _require_create(user)
    _refuse_reserved(key)
    return app_create(key=key, label=label, description=description, user=user)


def _locked_draft(app: App) -> AppVersion:
    return AppVersion.objects.select_for_update().get(app=app, status=AppVersion.Status.DRAFT)


def _check_revision(draft: AppVersion, revision: str | None) -> None:
    if not revision:
        raise ServiceError(
            _("Send the revision of the draft your change is based on (the If-Match header "
              "or the revision field)."),
            code="revision_required",
            status=428,
        )  # fmt: skip
    current = draft_revision(draft)
    if revision != current:
        raise Conflict(
            _("The draft has changed since you loaded it (someone else saved it). Reload it, "
              "make your change again and save."),
            code="stale_revision",
            details={"revision": current},
        )  # fmt: skip


@transaction.atomic
def draft_definition_put(
    *, app: App, kind: str, key: str, document: Any, user: Any, revision: str | None
) -> tuple[Definition, bool]:
    """Create or replace definition ``kind``/``key`` of the draft, from the draft revision
    ``revision``. Returns (definition, created)."""
    _require_build(user, app)
    draft = _locked_draft(app)
    _check_revision(draft, revision)
    if not isinstance(document, dict):
        raise InvalidInput(_("The definition must be a JSON object."), code="invalid_body")
    if document.get("key", key) != key:
        message = _("The definition's key must be the one in its address.")
        raise InvalidInput(message, code="key_mismatch", details={"key": [message]})
    document = {**document, "key": key}
    created = not draft.definitions.filter(kind=kind, key=key).exists()
    definition = definition_save(app=app, kind=kind, document=document, user=user)
    if created:
        last = (
            draft.definitions.filter(kind=kind)
            .exclude(pk=definition.pk)
            .aggregate(last=Max("position"))["last"]
        )
        definition.position = 0 if last is None else last + 1
        definition.save(update_fields=["position"])
    AppVersion.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    return definition, created


@transaction.atomic
def draft_definition_delete(
    *, app: App, kind: str, key: str, user: Any, revision: str | None
) -> None:
    """Remove definition ``kind``/``key`` from the draft, from the draft revision
    ``revision``."""
    _require_build(user, app)
    draft = _locked_draft(app)
    _check_revision(draft, revision)
    deleted, _count = draft.definitions.filter(kind=kind, key=key).delete()
    if not deleted:
        raise NotFound(_("This definition does not exist."), code="definition_not_found")
    AppVersion.objects.filter(pk=draft.pk).update(updated_at=timezone.now())


@transaction.atomic
def draft_publish(
    *, app: App, user: Any, note: str = "", revision: str | None = None
) -> AppVersion:
    """``app_publish``; when ``revision`` is given, only if the draft is still that one
    (what the publisher validated is what gets published)."""
    if not permissions.can_publish_app(user, app):
        raise NotAllowed(_("You may not publish this app."))
    if revision is not None:
        _check_revision(_locked_draft(app), revision)
    return app_publish(app=app, user=user, note=note)


@transaction.atomic
def bundle_import_by_user(
    *, bundle: Any, user: Any, publish: bool = True, note: str = ""
) -> tuple[App, AppVersion | None, bool]:
    """``bundle_import`` for a person: into an app they build (and publish, when asked),
    or as a new app when they may create apps."""
    if not isinstance(bundle, dict):
        raise InvalidInput(_("The bundle must be a JSON object."), code="invalid_body")
    app_part = bundle.get("app")
    key = app_part.get("key") if isinstance(app_part, dict) else None
    if isinstance(key, str):
        existing = App.objects.filter(key=key).first()
        if existing is None:
            _require_create(user)
            _refuse_reserved(key)
        else:
            _require_build(user, existing)
            if publish and not permissions.can_publish_app(user, existing):
                raise NotAllowed(_("You may not publish this app."))
    elif not permissions.can_create_app(user):
        raise NotAllowed(_("You may not create apps."))
    return bundle_import(bundle=bundle, user=user, publish=publish, note=note)


@transaction.atomic
def draft_restore(*, app: App, number: int, user: Any, revision: str | None) -> AppVersion:
    """Replace the draft's definitions and app settings with those of published version
    ``number`` (from the draft revision ``revision``); publishing the draft then rolls
    the app back."""
    _require_build(user, app)
    version = version_by_number(app, number)
    draft = _locked_draft(app)
    _check_revision(draft, revision)
    draft = _replace_draft(app, version_bundle(version))
    AppVersion.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    return draft
