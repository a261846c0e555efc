"""Background work of running cases (Celery; eager in the embedded setup).

* ``deliver_outbox(entry_id)``: deliver one outbox entry; on failure it is retried by the
  sweeper with exponential backoff until ``OUTBOX_MAX_ATTEMPTS``, then marked failed (and
  shown on the case, where an authorized official can retry it).
* ``tick()``: fires due timers and re-dispatches outbox entries that are due; run by Celery
  beat in production and by an in-process thread in the embedded setup.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.models import translated
from apps.records.models import Record

from .models import Event, OutboxEntry

NOTIFIED = "citizen_notified"
logger = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """Seconds before the next try: 10 s, 20 s, 40 s ... capped at one hour."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return timedelta(seconds=min(3600, base * 2 ** max(0, attempts - 1)))


@shared_task(acks_late=True)  # type: ignore[untyped-decorator]
def deliver_outbox(entry_id: int) -> str:
    """Deliver one outbox entry once (idempotent: a delivered entry is skipped)."""
    from .delivery import deliver

    with transaction.atomic():
        entry = (
            OutboxEntry.objects.select_for_update(skip_locked=True)
            .select_related("instance")
            .filter(pk=entry_id, status=OutboxEntry.Status.PENDING)
            .first()
        )
        if entry is None:
            return "skipped"
        entry.attempts += 1
        try:
            with transaction.atomic():
                result = deliver(entry)
        except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
            logger.warning("outbox %s attempt %s failed: %s", entry.key, entry.attempts, error)
            entry.last_error = str(error)[:2000]
            if entry.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                entry.status = OutboxEntry.Status.FAILED
                _log_failure(entry)
            else:
                entry.next_attempt_at = timezone.now() + backoff(entry.attempts)
            entry.save()
            return "failed"
        entry.status = OutboxEntry.Status.DELIVERED
        entry.delivered_at = timezone.now()
        entry.last_error = ""
        entry.save()
        return result


def _log_failure(entry: OutboxEntry) -> None:
    record = entry.instance.record
    Event.objects.create(
        record=record,
        instance=entry.instance,
        app_version=entry.instance.app_version,
        kind="effect_failed",
        label={"vi": "Không thực hiện được bước tự động", "en": "An automatic step failed"},
        public=False,
        actor_kind="system",
        actor_name="system",
        at=timezone.now(),
        data={"outbox": str(entry.uuid), "kind": entry.kind, "error": entry.last_error},
    )


@shared_task  # type: ignore[untyped-decorator]
def tick() -> dict[str, int]:
    """Fire due timers and re-dispatch due outbox entries."""
    from .services import due_timers, timer_fire

    fired = 0
    for timer_id in due_timers():
        try:
            fired += int(timer_fire(timer_id=timer_id))
        except Exception:  # one broken case must not stop the others
            logger.exception("timer %s could not fire", timer_id)
    now = timezone.now()
    pending = OutboxEntry.objects.filter(status=OutboxEntry.Status.PENDING).exclude(
        next_attempt_at__gt=now
    )
    dispatched = 0
    for entry_id in pending.values_list("pk", flat=True)[:500]:
        deliver_outbox.delay(entry_id)
        dispatched += 1
    return {"timers_fired": fired, "outbox_dispatched": dispatched}


@shared_task(  # type: ignore[untyped-decorator]
    bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_citizen(self: object, record_uuid: str, reason: str) -> bool:
    """Email the citizen about their case, once per (record, reason).

    Idempotent: the audit log says whether this notice was already sent.
    """
    from .delivery import email_citizen_once

    def compose(record: Record) -> tuple[str, str]:
        with translation.override("vi"):
            outcome = translated(
                record.events.filter(kind="case_closed").values_list("label", flat=True).last()
            )
            subject = _("Your case %(code)s: %(outcome)s") % {
                "code": record.tracking_code,
                "outcome": outcome or record.get_status_display(),
            }
            body = _(
                "Your case %(code)s has been handled: %(outcome)s.\n"
                "Look it up with your tracking code and secret on the portal."
            ) % {"code": record.tracking_code, "outcome": outcome}
        return subject, body

    return email_citizen_once(
        record_uuid=record_uuid,
        kind=NOTIFIED,
        data={"reason": reason, "channel": "email"},
        label={"vi": "Đã gửi thông báo cho người dân", "en": "Citizen notified"},
        compose=compose,
        once_by=("reason",),
    )
