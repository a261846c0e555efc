"""Timers live in the database and fire from the tick whichever worker runs it: a worker
killed mid-way loses nothing, and the next one fires what is due.

Needs a real broker (CI's PostgreSQL + Redis run sets LCNC_REAL_CELERY_WORKER=1); the
embedded run covers the same path with the in-process tick in test_sample_apps.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from apps.builder.selectors import published_form
from apps.runtime.models import Task, Timer
from apps.runtime.services import case_open
from apps.runtime.tasks import tick
from tests.apps.runtime.test_sample_apps import PERMIT

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("LCNC_REAL_CELERY_WORKER") != "1",
        reason="needs a real broker; runs in CI's PostgreSQL + Redis pass",
    ),
]


def _start_worker(queue: str) -> subprocess.Popen[bytes]:
    settings = connection.settings_dict
    database = (
        f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "lcnc.settings.test"}
    command = [
        str(Path(sys.executable).with_name("celery")), "-A", "lcnc", "worker", "-Q", queue,
        "--pool=solo", "-n", f"{queue}@%h", "--without-gossip", "--without-mingle",
        "--loglevel=WARNING",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def _wait_until(condition: Any, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def _permit_with_overdue_check(user: Any) -> Timer:
    version, app_def, form = published_form("one_stop_permit", "apply")
    record = case_open(version=version, app_def=app_def, form=form, raw=PERMIT,
                           user=user("congdan")).record  # fmt: skip
    timer = Timer.objects.get(instance=record.instance, purpose="task_deadline")
    Timer.objects.filter(pk=timer.pk).update(due=timezone.now() - timedelta(minutes=1))
    return timer


def _escalated(timer: Timer) -> bool:
    timer.refresh_from_db()
    task = Task.objects.get(instance=timer.instance, node_id="check")
    return timer.status == "fired" and task.role is not None and task.role.key == "leader"


def test_timers_fire_across_a_worker_restart(user: Any) -> None:
    assert connection.vendor == "postgresql"
    queue = f"restart_{uuid.uuid4().hex[:8]}"
    first = _start_worker(queue)
    try:
        timer = _permit_with_overdue_check(user)
        tick.apply_async(queue=queue)
        assert _wait_until(lambda: _escalated(timer)), "the first worker did not fire the timer"

        later = _permit_with_overdue_check(user)
        os.killpg(first.pid, signal.SIGKILL)  # the worker dies without warning
        first.wait(timeout=30)
        tick.apply_async(queue=queue)  # beat keeps ticking while no worker runs
        time.sleep(1)
        later.refresh_from_db()
        assert later.status == "scheduled"
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    second = _start_worker(queue)
    try:
        assert _wait_until(lambda: _escalated(later)), "the next worker did not fire the timer"
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
