"""Reads of records."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotFound

from .models import Attachment, Comment, Record
from .policies import official_records_filter, readable_records_filter
from .services import normalize_code, secret_matches


def record_by_tracking(tracking_code: str, secret: str) -> Record | None:
    """The record for a tracking code and its secret, or None (never says which was wrong)."""
    record = Record.objects.filter(tracking_code=normalize_code(tracking_code)).first()
    if record is None or not secret_matches(record, secret):
        return None
    return record


def records_visible_to(user: Any) -> QuerySet[Record]:
    """Records ``user`` may read: see ``policies.readable_records_filter`` (their own
    submissions; their agencies' cases, and for leaders those of the agencies under them;
    every record for platform admins)."""
    return Record.objects.filter(readable_records_filter(user))


def records_for_officials(user: Any) -> QuerySet[Record]:
    """Cases the official's agencies work or worked on (the workspace's view)."""
    return Record.objects.filter(official_records_filter(user))


def public_timeline(record: Record) -> list[Any]:
    """What the citizen may see of their case: public events, oldest first."""
    return list(record.events.filter(public=True).select_related("agency").order_by("at", "id"))


def record_for_user(user: Any, *, record_uuid: uuid.UUID) -> Record:
    """A record ``user`` may read, or NotFound (the same answer whether it exists or not)."""
    record = (
        records_visible_to(user)
        .filter(uuid=record_uuid)
        .select_related("app", "app_version", "current_agency", "instance")
        .first()
    )
    if record is None:
        raise NotFound(_("This record does not exist."), code="record_not_found")
    return record


def text_search_filter(text: str) -> Q:
    """Records whose tracking code or data holds ``text``, ignoring case.

    Portable on purpose: a case-insensitive ``LIKE`` over the JSON text of the data, on
    SQLite and PostgreSQL alike (no full-text index). SQLite stores non-ASCII characters
    of JSON as ``\\uXXXX`` escapes, so the escaped form of ``text`` is searched as well
    (case-insensitively for ASCII letters only, there)."""
    text = text.strip()
    clause = Q(tracking_code__icontains=text.upper().replace(" ", "")) | Q(data__icontains=text)
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        clause |= Q(data__icontains=escaped)
    return clause


def records_search(
    user: Any,
    *,
    app: str | None = None,
    status: str | None = None,
    agency: str | None = None,
    district: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    overdue: bool | None = None,
    text: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Record]:
    """The records ``user`` may read, narrowed by the filters given, newest first.

    ``agency`` is the code of the agency holding the case now; ``district`` the value of
    the record's ``district`` field; ``created_from``/``created_to`` are inclusive days in
    the installation's time zone; an overdue case is one still open past its deadline."""
    records = records_visible_to(user)
    if app:
        records = records.filter(app__key=app)
    if status:
        records = records.filter(status=status)
    if agency:
        records = records.filter(current_agency__code=agency)
    if district:
        records = records.filter(data__district=district)
    if created_from:
        records = records.filter(created_at__date__gte=created_from)
    if created_to:
        records = records.filter(created_at__date__lte=created_to)
    if overdue is not None:
        late = Q(deadline__lt=now or timezone.now()) & ~Q(status=Record.Status.CLOSED)
        records = records.filter(late if overdue else ~late)
    if text:
        records = records.filter(text_search_filter(text))
    return records.select_related("app", "current_agency").order_by("-created_at", "-pk")


def case_comments(record: Record, *, internal: bool) -> list[Comment]:
    """The case's comments, oldest first; internal notes only when ``internal``."""
    comments = record.comments.select_related("author", "agency")
    if not internal:
        comments = comments.filter(internal=False)
    return list(comments.order_by("created_at", "id"))


def public_comments(record: Record) -> list[Comment]:
    """What the citizen sees of the comments on their case: never internal notes."""
    return case_comments(record, internal=False)


# --------------------------------------------------------------------------- attachments

#: Types a browser may show in its own tab; every other file is downloaded.
INLINE_CONTENT_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}
)
#: Types drawn as thumbnails on the case pages.
IMAGE_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def attachment_for_download(
    user: Any, *, attachment_uuid: uuid.UUID, code: str = "", secret: str = ""
) -> Attachment | None:
    """The attachment, when the requester may open it; None otherwise (whether it exists
    or not). Allowed: whoever holds the case's tracking code and secret (checked in
    constant time, as on the status page), and signed-in users who may read the record
    (``policies.readable_records_filter``: its officials, leaders above them, platform
    admins, the citizen who submitted it). Files not (or no longer) bound to a record,
    e.g. those of an unsent draft, are never served."""
    attachment = Attachment.objects.filter(uuid=attachment_uuid, record__isnull=False).first()
    record_id = attachment.record_id if attachment is not None else None
    if attachment is None or record_id is None:
        return None
    if code and secret:
        record = record_by_tracking(code, secret)
        if record is not None and record.pk == record_id:
            return attachment
    if getattr(user, "is_authenticated", False) and (
        records_visible_to(user).filter(pk=record_id).exists()
    ):
        return attachment
    return None


def record_attachments(record: Record) -> dict[str, Attachment]:
    """The record's attachments by public id (as its data's file descriptors name them),
    in one query, or none when the caller prefetched ``attachments``."""
    return {str(attachment.uuid): attachment for attachment in record.attachments.all()}


def attachments_in_data(record: Record, field_keys: set[str] | None = None) -> list[Attachment]:
    """The attachments the record's data refers to now (a replaced file is not listed),
    in the data's order; only those of ``field_keys`` when given."""
    stored = record_attachments(record)
    found: list[Attachment] = []
    for key, value in (record.data or {}).items():
        if field_keys is not None and key not in field_keys:
            continue
        if not isinstance(value, list):
            continue
        for item in value:
            if isinstance(item, dict) and str(item.get("id", "")) in stored:
                attachment = stored[str(item["id"])]
                if attachment.field_key == key and attachment not in found:
                    found.append(attachment)
    return found
