"""The write side of the outbox: what must leave the system is written here, inside the
transaction of the change that causes it, and the outbox is woken after commit.

Waking is only a hint. Delivery (``apps.runtime.delivery``) takes whatever is due from the
table, so a wake that is lost — a broker outage, a worker killed with its message — only
delays a delivery until the next tick; it never loses one and never fails the request
that caused it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction

from apps.records.models import Record

from .models import OutboxEntry, ProcessInstance

logger = logging.getLogger(__name__)

#: Kinds of outbox entries; ``apps.runtime.delivery.SENDERS`` has one sender per kind.
NOTIFY = "notify"
WEBHOOK = "webhook"
REPORT_TO_PARENT = "report_to_parent"
CANCEL_SUBPROCESS = "cancel_subprocess"
CITIZEN_EMAIL = "citizen_email"

#: After a failed wake, later wakes are skipped for this many seconds (the tick delivers).
WAKE_PAUSE_SECONDS = 10.0

_waker: Callable[[], Any] | None = None
_wake_failed_at: float | None = None


def set_waker(waker: Callable[[], Any] | None) -> None:
    """What wakes the outbox after a commit: the runtime app registers its Celery task
    when Django starts."""
    global _waker
    _waker = waker


def outbox_add(
    *,
    record: Record,
    key: str,
    kind: str,
    payload: dict[str, Any],
    instance: ProcessInstance | None = None,
) -> OutboxEntry | None:
    """Queue one delivery in the current transaction, once per ``key`` (scoped to the case,
    or to the record when it has no case); None when that key was queued before."""
    scope = instance.uuid if instance is not None else record.uuid
    entry, created = OutboxEntry.objects.get_or_create(
        key=f"{scope}:{key}"[:120],
        defaults={"record": record, "instance": instance, "kind": kind, "payload": payload},
    )
    if not created:
        return None
    wake_after_commit()
    return entry


def wake_after_commit() -> None:
    """Wake the outbox once the current transaction commits (once per transaction)."""
    if _waker is None:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is _wake for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_wake, robust=True)


def _wake() -> None:
    """Ask for a delivery run. A broker that cannot be reached is logged, and wakes pause
    for a while: the periodic tick delivers meanwhile."""
    global _wake_failed_at
    if _waker is None:
        return
    if _wake_failed_at is not None and time.monotonic() - _wake_failed_at < WAKE_PAUSE_SECONDS:
        return
    try:
        _waker()
        _wake_failed_at = None
    except Exception as error:  # noqa: BLE001 - a wake is a hint; the tick delivers anyway
        _wake_failed_at = time.monotonic()
        logger.warning("could not wake the outbox (delivery waits for the tick): %s", error)
