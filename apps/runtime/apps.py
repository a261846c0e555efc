import logging
import os
import sys
import threading
import time

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class RuntimeConfig(AppConfig):
    name = "apps.runtime"
    label = "runtime"
    verbose_name = _("Runtime")

    def ready(self) -> None:
        from django.conf import settings

        serving = "runserver" in sys.argv and (
            os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv
        )
        if settings.EMBEDDED_TICK and serving:
            threading.Thread(target=_embedded_tick, name="lcnc-tick", daemon=True).start()


def _embedded_tick() -> None:
    """The embedded setup's stand-in for Celery beat: fire timers, retry deliveries."""
    from django.conf import settings
    from django.db import close_old_connections

    from .tasks import tick

    while True:
        time.sleep(settings.TICK_SECONDS)
        try:
            tick()
        except Exception:
            logger.exception("embedded tick failed")
        finally:
            close_old_connections()
