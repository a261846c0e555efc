"""Writes of the citizen pages: correcting a case given back to its citizen, saving a
form's draft while it is filled in step by step, rating a closed case."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, InvalidInput, NotFound, nul_message
from apps.records.models import Attachment, Record
from apps.records.services import secret_matches, store_uploads, uploads_discard
from apps.records.validation import errors_by_field
from apps.runtime.models import Task
from apps.runtime.services import task_complete_by_citizen
from workflows.definition import EntityDef, FormDef, StepDef
from workflows.forms import clean_submission

from .models import DRAFT_DAYS, CaseRating, SubmissionDraft

FILE_TYPES = ("file", "photo")
#: The longest comment a rating may carry, in characters.
RATING_COMMENT_MAX = 2000


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return not str(value.get("lat", "")).strip() and not str(value.get("lng", "")).strip()
    if isinstance(value, list):
        return not value
    return False


@transaction.atomic
def correction_submit(
    *,
    task: Task,
    record: Record,
    secret: str,
    entity: EntityDef,
    action: str,
    raw: dict[str, Any],
    files: dict[str, list[UploadedFile]] | None = None,
) -> Task:
    """The citizen's answer to work given back to them: only the task's editable fields
    are read from ``raw``; new uploads replace a file field's files (stored and sniffed as
    ``record_submit`` does); blank required fields are refused, blank optional ones cleared.
    The case then continues with ``action``. A wrong secret is NotFound."""
    editable = [key for key in task.fields if entity.field(key) is not None]
    data: dict[str, Any] = {}
    missing: dict[str, list[str]] = {}
    for key in editable:
        spec = entity.field(key)
        assert spec is not None
        if spec.type in FILE_TYPES or key not in raw:
            continue
        value = raw[key]
        if _blank(value):
            if spec.required:
                missing[key] = [_("This field is required.")]
            else:
                data[key] = None
        else:
            data[key] = value
    if missing:
        raise InvalidInput(_("Some answers need your attention."), code="invalid", details=missing)
    file_fields = {k for k in editable if (s := entity.field(k)) and s.type in FILE_TYPES}
    stored = store_uploads({k: v for k, v in (files or {}).items() if k in file_fields})
    for key, attachments in stored.items():
        data[key] = [a.descriptor() for a in attachments]
    try:
        done = task_complete_by_citizen(
            task=task, record=record, secret=secret, action=action, data=data
        )
    except Exception:
        uploads_discard(stored)
        raise
    Attachment.objects.filter(pk__in=[a.pk for v in stored.values() for a in v]).update(
        record=record
    )
    return done


@transaction.atomic
def draft_save(
    *, draft: SubmissionDraft | None, app_key: str, form_key: str, data: dict[str, Any]
) -> SubmissionDraft:
    """Keep the answers so far (a new draft when ``draft`` is None); each save extends
    how long the draft can be resumed."""
    if draft is None:
        draft = SubmissionDraft(app_key=app_key, form_key=form_key)
    draft.data = data
    draft.expires_at = timezone.now() + timedelta(days=DRAFT_DAYS)
    draft.save()
    return draft


def _attachments_delete(attachments: Any) -> None:
    for attachment in attachments:
        attachment.file.delete(save=False)
        attachment.delete()


def draft_delete(*, draft: SubmissionDraft) -> None:
    """The draft is gone once the form is sent, with the files it kept (the record has its
    own copies)."""
    if draft.pk is not None:
        _attachments_delete(list(draft.attachments.filter(record__isnull=True)))
        draft.delete()


@transaction.atomic
def draft_files_keep(
    *,
    draft: SubmissionDraft,
    form: FormDef,
    entity: EntityDef,
    files: dict[str, list[UploadedFile]],
    remove: Collection[str] = (),
) -> SubmissionDraft:
    """Keep the files chosen on a form's page with its draft, and drop those the citizen
    removed (``remove``: attachment UUIDs). Each field's kept and new files together are
    checked as the form checks them (type sniffed from the content, size, count); nothing
    new is kept when one is refused (InvalidInput with per-field messages)."""
    # One page at a time per draft: two uploads at once must not both pass the file count.
    draft = SubmissionDraft.objects.select_for_update().get(pk=draft.pk)
    wanted = set()
    for value in remove:
        try:
            wanted.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    if wanted:
        _attachments_delete(list(draft.attachments.filter(uuid__in=wanted, record__isnull=True)))
    by_key = {ff.field: ff for ff in form.form_fields()}
    keys = {
        key
        for key in files
        if key in by_key and (spec := entity.field(key)) is not None and spec.type in FILE_TYPES
    }
    stored = store_uploads({key: files[key] for key in keys if files[key]})
    errors: dict[str, list[str]] = {}
    for key, new in stored.items():
        kept = list(draft.attachments.filter(field_key=key))
        unconditional = replace(by_key[key], visible_if=None)
        one = FormDef(
            key=form.key,
            entity=form.entity,
            label=form.label,
            steps=(StepDef(key="files", label={}, fields=(unconditional,)),),
        )
        raw = {key: [a.descriptor() for a in kept + new]}
        _data, found = clean_submission(one, entity, raw, agency_exists=lambda *_a: True)
        errors.update(errors_by_field([e for e in found if e.field == key]))
    if errors:
        uploads_discard(stored)
        raise InvalidInput(_("Some answers need your attention."), code="invalid", details=errors)
    draft.attachments.add(*[a for new in stored.values() for a in new])
    return draft


def drafts_expired_delete(*, now: Any = None) -> int:
    """Delete the drafts that can no longer be resumed, and their files; the count."""
    expired = SubmissionDraft.objects.filter(expires_at__lte=now or timezone.now())
    count = 0
    for draft in expired.iterator():
        draft_delete(draft=draft)
        count += 1
    return count


@transaction.atomic
def rating_add(*, record: Record, secret: str, stars: Any, comment: str = "") -> CaseRating:
    """The citizen's rating of their closed case, once: 1 to 5 stars and a comment."""
    if not secret_matches(record, secret):
        raise NotFound(_("This case does not exist."), code="record_not_found")
    if record.status != Record.Status.CLOSED:
        raise Conflict(_("A case can be rated once it is closed."), code="case_not_closed")
    errors: dict[str, list[str]] = {}
    try:
        value = int(str(stars).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 5:
        errors["stars"] = [_("Choose from 1 to 5 stars.")]
    text = (comment or "").strip()
    if "\x00" in text:
        errors["comment"] = [nul_message()]
    elif len(text) > RATING_COMMENT_MAX:
        errors["comment"] = [
            _("Enter at most %(limit)s characters.") % {"limit": RATING_COMMENT_MAX}
        ]
    if errors:
        raise InvalidInput(_("Some answers need your attention."), code="invalid", details=errors)
    if CaseRating.objects.filter(record=record).exists():
        raise Conflict(_("This case has already been rated."), code="already_rated")
    try:
        with transaction.atomic():
            return CaseRating.objects.create(record=record, stars=value, comment=text)
    except IntegrityError:
        raise Conflict(_("This case has already been rated."), code="already_rated") from None
