"""Reads of records."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.accounts import permissions

from .models import Record
from .services import normalize_code, secret_matches


def record_by_tracking(tracking_code: str, secret: str) -> Record | None:
    """The record for a tracking code and its secret, or None (never says which was wrong)."""
    record = Record.objects.filter(tracking_code=normalize_code(tracking_code)).first()
    if record is None or not secret_matches(record, secret):
        return None
    return record


def records_visible_to(user: Any) -> QuerySet[Record]:
    return Record.objects.filter(permissions.visible_records_filter(user)).distinct()


def records_for_officials(user: Any) -> QuerySet[Record]:
    """Cases the official's agencies work or worked on (the workspace's view)."""
    return Record.objects.filter(permissions.official_records_filter(user)).distinct()


def public_timeline(record: Record) -> list[Any]:
    """What the citizen may see of their case: public events, oldest first."""
    return list(record.events.filter(public=True).select_related("agency").order_by("at", "id"))
