"""Shared abstract models."""

import uuid

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class PublicId(models.Model):
    """Public ids are UUIDs; primary keys never leave the database."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


def translated(label: dict[str, str] | None, language: str | None = None) -> str:
    """Pick the active language's text from a ``{"vi": ..., "en": ...}`` label."""
    if not label:
        return ""
    language = (language or get_language() or "vi")[:2]
    return label.get(language) or label.get("vi") or next(iter(label.values()), "")
