"""Records: storing a submission and its files (validated and turned into a case by the
runtime's intake, ``apps.runtime.services.case_open``), records a workflow creates,
tracking codes and their secrets, comments on a case."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Agency
from apps.builder.models import AppVersion
from apps.core.errors import InvalidInput, NotAllowed
from workflows.definition import EntityDef

from .models import Attachment, Comment, Record
from .policies import can_comment_on_case, commenting_agency

FILE_TYPES = ("file", "photo")
#: No 0/O, 1/I/L: codes are read aloud over the phone and typed from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_code(code: str) -> str:
    # NUL never belongs to a code, and PostgreSQL refuses it in a query (a 500, not a 404).
    return code.replace("\x00", "").strip().upper().replace(" ", "")


def secret_hash(tracking_code: str, secret: str) -> str:
    material = f"{normalize_code(tracking_code)}:{normalize_code(secret)}"
    return hashlib.sha256(material.encode()).hexdigest()


def secret_matches(record: Record, secret: str) -> bool:
    return hmac.compare_digest(record.secret_hash, secret_hash(record.tracking_code, secret))


@dataclass(frozen=True)
class Submission:
    record: Record
    secret: str


def sniff_content_type(upload: UploadedFile) -> str:
    """The content type from the file's first bytes, never from its name."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    signatures = [
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
    ]
    for magic, content_type in signatures:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def store_uploads(files: dict[str, list[UploadedFile]]) -> dict[str, list[Attachment]]:
    stored: dict[str, list[Attachment]] = {}
    for field_key, uploads in files.items():
        for upload in uploads:
            attachment = Attachment(
                field_key=field_key,
                name=(upload.name or "file")[:255],
                content_type=sniff_content_type(upload),
                size=upload.size or 0,
            )
            attachment.file.save(upload.name or "file", upload, save=False)
            attachment.save()
            stored.setdefault(field_key, []).append(attachment)
    return stored


def agency_exists(code: str, kind: str | None) -> bool:
    agencies = Agency.objects.filter(code=code, is_active=True)
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies.exists()


def uploads_discard(stored: dict[str, list[Attachment]]) -> None:
    """Delete the files of uploads that will not be kept (a refused submission)."""
    for attachments in stored.values():
        for attachment in attachments:
            attachment.file.delete(save=False)
            if attachment.pk is not None:
                attachment.delete()


def record_create(
    *,
    version: AppVersion,
    entity: EntityDef,
    form_key: str,
    data: dict[str, Any],
    attachments: dict[str, list[Attachment]],
    user: Any = None,
) -> Submission:
    """Store a validated submission: the record with a new tracking code and secret, and
    the uploads its data refers to (those of fields the form hid are deleted). The caller
    (the runtime's intake) validated ``data`` and starts the case."""
    secret = new_code(8)
    code = _unique_tracking_code()
    location = next(
        (data[f.key] for f in entity.fields if f.type == "location" and f.key in data), None
    )
    record = Record.objects.create(
        app=version.app,
        app_version=version,
        entity_key=entity.key,
        form_key=form_key,
        data=data,
        tracking_code=code,
        secret_hash=secret_hash(code, secret),
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
        contact_email=_contact_email(entity, data),
        latitude=location["lat"] if location else None,
        longitude=location["lng"] if location else None,
    )
    kept = {
        item["id"]
        for values in data.values()
        if isinstance(values, list)
        for item in values
        if isinstance(item, dict) and "id" in item
    }
    for stored in attachments.values():
        for attachment in stored:
            if str(attachment.uuid) in kept:
                attachment.record = record
                attachment.save(update_fields=["record"])
            else:  # the field was hidden: the file is not kept
                attachment.file.delete(save=False)
                attachment.delete()
    return Submission(record=record, secret=secret)


def _contact_email(entity: Any, data: dict[str, Any]) -> str:
    for spec in entity.fields:
        value = data.get(spec.key)
        if spec.key.endswith("email") and isinstance(value, str) and "@" in value:
            return value[:254]
    return ""


def _unique_tracking_code() -> str:
    for _attempt in range(20):
        code = f"{new_code(4)}-{new_code(4)}"
        if not Record.objects.filter(tracking_code=code).exists():
            return code
    raise RuntimeError("could not find a free tracking code")


def record_create_internal(
    *, version: AppVersion, entity: EntityDef, data: dict[str, Any], parent: Record
) -> Record:
    """A record created by a workflow (a hand-off to another process, a follow-up record):
    no form and no citizen of its own; only fields of ``entity`` are kept."""
    code = _unique_tracking_code()
    keys = {spec.key for spec in entity.fields}
    return Record.objects.create(
        app=version.app,
        app_version=version,
        entity_key=entity.key,
        data={k: v for k, v in data.items() if k in keys},
        tracking_code=code,
        secret_hash=secret_hash(code, new_code(8)),
        submitted_by=parent.submitted_by,
    )


#: The longest comment or internal note, in characters.
COMMENT_MAX_LENGTH = 5000


@transaction.atomic
def comment_add(*, record: Record, user: Any, body: str, internal: bool = False) -> Comment:
    """A comment on a case: officials of the case write comments (shown to the citizen)
    and internal notes; the citizen who submitted it may comment too."""
    if not can_comment_on_case(user, record, internal=internal):
        raise NotAllowed(
            _("Only officials working on this case may write internal notes.")
            if internal
            else _("You may not comment on this case."),
            code="not_allowed",
        )
    text = (body or "").strip()
    if not text:
        raise InvalidInput(
            _("Write the comment."),
            code="invalid_input",
            details={"body": [_("Write the comment.")]},
        )
    if "\x00" in text or len(text) > COMMENT_MAX_LENGTH:
        message = _("Enter at most %(limit)s characters, without control characters (NUL).") % {
            "limit": COMMENT_MAX_LENGTH
        }
        raise InvalidInput(message, code="invalid_input", details={"body": [message]})
    agency = commenting_agency(user, record)
    return Comment.objects.create(
        record=record, author=user, agency=agency, body=text, internal=internal
    )
