"""Background work of the citizen portal (Celery)."""

from __future__ import annotations

from celery import shared_task

from .services import drafts_expired_delete


@shared_task  # type: ignore[untyped-decorator]
def drafts_purge() -> int:
    """Delete the expired form drafts and the files they kept."""
    return drafts_expired_delete()
