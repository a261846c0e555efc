import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import close_old_connections
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class RuntimeConfig(AppConfig):
    name = "apps.runtime"
    label = "runtime"
    verbose_name = _("Runtime")

    def ready(self) -> None:
        from . import outbox
        from .tasks import outbox_wake, tick

        # After a commit that queued a delivery, Celery is asked to deliver (in-process
        # when eager); the tick delivers anyway, so a lost wake only delays.
        outbox.set_waker(outbox_wake.delay)
        serving = "runserver" in sys.argv and (
            os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv
        )
        if settings.EMBEDDED_TICK and serving:
            threading.Thread(
                target=_embedded_tick, args=(tick,), name="lcnc-tick", daemon=True
            ).start()


def _embedded_tick(tick: Callable[[], Any]) -> None:
    """The embedded setup's stand-in for Celery beat: fire timers, deliver the outbox."""
    while True:
        time.sleep(settings.TICK_SECONDS)
        try:
            tick()
        except Exception:
            logger.exception("embedded tick failed")
        finally:
            close_old_connections()
