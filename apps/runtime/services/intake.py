"""The one way a submission becomes a case.

The citizen portal, the REST API, Open311 and the officials' workspace all call
``case_open``: it checks who may use the form, validates the answers, stores the record
and its files, starts the workflow (the first tasks) and queues the receipt for the
citizen — in one transaction, so every door answers the same errors and every accepted
submission has exactly one record, one case and its receipt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.permissions import is_official
from apps.builder.models import AppVersion
from apps.core.errors import InvalidInput, NotFound
from apps.records.models import Record
from apps.records.services import (
    FILE_TYPES,
    Submission,
    agency_exists,
    record_create,
    store_uploads,
    uploads_discard,
)
from apps.records.validation import errors_by_field
from workflows.definition import AppDef, EntityDef, FormDef
from workflows.forms import clean_submission

from .. import outbox
from .handling import CITIZEN, actor_of, instance_start

#: A yes/no field by which a form asks whether the citizen wants emails about the case.
WANTS_UPDATES = "wants_updates"
#: The doors a submission comes through (kept in the receipt's outbox entry).
DOORS = ("portal", "api", "open311", "workspace")


def form_usable_by(form: FormDef, user: Any) -> bool:
    """Public forms are for everyone; the others for officials only."""
    return form.audience == "public" or is_official(user)


def form_refused() -> NotFound:
    """What every door answers for a form the user may not use: it does not exist for
    them (never whether it exists for someone else)."""
    return NotFound(_("This form does not exist or is not published."), code="form_not_found")


def wants_receipt(entity: EntityDef, record: Record) -> bool:
    """The citizen gave an email and, when the form asks, ticked that they want updates."""
    if not record.contact_email:
        return False
    asks = entity.field(WANTS_UPDATES) is not None
    return not asks or record.data.get(WANTS_UPDATES) is True


@transaction.atomic
def case_open(
    *,
    version: AppVersion,
    app_def: AppDef,
    form: FormDef,
    raw: dict[str, Any],
    files: dict[str, list[UploadedFile]] | None = None,
    user: Any = None,
    door: str = "portal",
    site_url: str = "",
    language: str = "",
    now: datetime | None = None,
) -> Submission:
    """Validate ``raw`` (and uploads) against ``form``, store the record, start its
    workflow and queue the citizen's receipt. Raises NotFound for a form the user may not
    use and InvalidInput with per-field messages; nothing is kept then.

    ``site_url`` (scheme and host) and ``language`` are those of the request, for the
    private status link and the language of the receipt."""
    if not form_usable_by(form, user):
        raise form_refused()
    entity = app_def.entities[form.entity]
    file_fields = {f.key for f in entity.fields if f.type in FILE_TYPES}
    attachments = store_uploads({k: v for k, v in (files or {}).items() if k in file_fields})
    # File fields take only what was uploaded now: a client cannot name stored files.
    merged = {k: v for k, v in raw.items() if k not in file_fields}
    for field_key, stored in attachments.items():
        merged[field_key] = [a.descriptor() for a in stored]
    data, errors = clean_submission(form, entity, merged, agency_exists=agency_exists)
    if errors:
        uploads_discard(attachments)
        raise InvalidInput(
            _("Some answers need your attention."),
            code="invalid_submission",
            details=errors_by_field(errors),
        )
    submission = record_create(
        version=version,
        entity=entity,
        form_key=form.key,
        data=data,
        attachments=attachments,
        user=user,
    )
    record = submission.record
    if form.workflow:
        instance_start(
            record=record,
            workflow_key=form.workflow,
            user=user,
            actor=actor_of(user, kind=CITIZEN),
            now=now,
            new_record=True,
        )
    if wants_receipt(entity, record):
        outbox.outbox_add(
            record=record,
            key="receipt",
            kind=outbox.CITIZEN_EMAIL,
            payload={
                "notice": "receipt",
                "door": door if door in DOORS else "portal",
                "language": language,
                "site_url": site_url,
                # Shown once in the private link, then scrubbed once delivered.
                "secret": submission.secret,
            },
        )
    return submission
