"""``{% case_files tracking_code secret as files %}``: the files of a case for its status
page, each with a link that opens it (carrying the code and secret when given, for
citizens who are not signed in)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from apps.records.models import Record
from apps.records.selectors import IMAGE_CONTENT_TYPES, attachments_in_data
from apps.records.services import normalize_code

register = template.Library()


@dataclass(frozen=True)
class CaseFile:
    name: str
    size: int
    url: str
    is_image: bool


@register.simple_tag
def case_files(tracking_code: str, secret: str = "") -> list[CaseFile]:
    """Only for pages already shown to the case's citizen (by secret or account)."""
    record = (
        Record.objects.filter(tracking_code=normalize_code(str(tracking_code)))
        .prefetch_related("attachments")
        .first()
    )
    if record is None:
        return []
    query = f"?{urlencode({'code': record.tracking_code, 'secret': secret})}" if secret else ""
    return [
        CaseFile(
            name=attachment.name,
            size=attachment.size,
            url=reverse("records:attachment", args=[attachment.uuid]) + query,
            is_image=attachment.content_type in IMAGE_CONTENT_TYPES,
        )
        for attachment in attachments_in_data(record)
    ]
