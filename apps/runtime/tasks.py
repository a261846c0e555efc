"""Background work of running cases (Celery; eager in the embedded setup).

* ``outbox_wake()``: deliver what is due in the outbox; sent after a commit that queued
  something. Only a hint: a wake that never arrives delays delivery until the next tick.
* ``tick()``: fire due timers and deliver what is due in the outbox (retries included);
  run by Celery beat in production and by an in-process thread in the embedded setup.

Both take no arguments and are idempotent, so a lost, repeated or late message changes
nothing but timing.
"""

from __future__ import annotations

import logging

from celery import shared_task

from .delivery import deliver_due
from .services import due_timers, timer_fire

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)  # type: ignore[untyped-decorator]
def outbox_wake() -> dict[str, int]:
    """Deliver the outbox entries that are due."""
    return deliver_due()


@shared_task  # type: ignore[untyped-decorator]
def tick() -> dict[str, int]:
    """Fire due timers, then deliver what is due in the outbox."""
    fired = 0
    for timer_id in due_timers():
        try:
            fired += int(timer_fire(timer_id=timer_id))
        except Exception:  # one broken case must not stop the others
            logger.exception("timer %s could not fire", timer_id)
    return {"timers_fired": fired, **deliver_due()}
