"""Shared fixtures: the demo installation (agencies, users, the field-report app) and
helpers to submit reports and act as officials."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from apps.accounts.models import User
    from apps.records.services import Submission

DEMO_PASSWORD = "lcnc-demo-2026"

FLOODING_REPORT: dict[str, Any] = {
    "category": "flooding",
    "description": "Đường 30 Tháng 4 ngập sâu sau mưa, xe máy chết máy.",
    "flood_depth_cm": "40",
    "location": {"lat": "10.0286", "lng": "105.7703", "address": "Đường 30/4, Ninh Kiều"},
    "district": "ninh_kieu",
    "reporter_name": "Nguyễn Thị Mai",
    "reporter_phone": "0901234567",
}


@pytest.fixture
def demo(db: Any) -> None:
    """The demo data, exactly as `make run` loads it."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0, stdout=_Null())


class _Null:
    def write(self, *_args: Any) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture
def user(demo: None):  # type: ignore[no-untyped-def]
    """``user("dieuphoi")``: a demo user by username."""

    from apps.accounts.models import User

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def client_as(demo: None):  # type: ignore[no-untyped-def]
    """``client_as("thoatnuoc")``: a Django test client logged in as a demo user."""

    from django.test import Client

    from apps.accounts.models import User

    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def submit_report(demo: None):  # type: ignore[no-untyped-def]
    """``submit_report(category="pothole")``: a field report submitted through the service."""

    from apps.builder.selectors import published_form
    from apps.runtime.services import case_open

    def submit(**overrides: Any) -> Submission:
        version, app_def, form = published_form("field_reports", "citizen_report")
        raw = {**FLOODING_REPORT, **overrides}
        return case_open(version=version, app_def=app_def, form=form, raw=raw)

    return submit


@pytest.fixture(autouse=True)
def _celery_in_process_unless_marked(request: pytest.FixtureRequest) -> Any:
    """Celery runs in the test's own process, except in tests marked ``celery_worker``:
    those use the real worker of CI's PostgreSQL + Redis run. Other tests assert what a
    delivery did right after the action, which a worker in another process would race."""
    from lcnc.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


#: A working Monday morning in Vietnam (09:00 in Hồ Chí Minh City), far from any holiday.
WORKING_MORNING = "2026-03-02T09:00:00+07:00"


class Clock:
    """The platform clock (``apps.core.clock``) held at a moment the test chooses."""

    def __init__(self, start: str) -> None:
        from datetime import datetime

        from apps.core import clock

        self._clock = clock
        self.set(datetime.fromisoformat(start))

    def now(self) -> Any:
        return self._clock.now()

    def set(self, moment: Any) -> Any:
        from datetime import datetime

        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        self._clock.set(moment)
        return moment

    def advance(self, **delta: float) -> Any:
        from datetime import timedelta

        return self._clock.advance(timedelta(**delta))


@pytest.fixture
def clock() -> Any:
    """``clock.now()``, ``clock.set("2026-04-29T16:59:00+07:00")``, ``clock.advance(days=3)``:
    the platform's clock held at a chosen moment (a working Monday morning to start with),
    so what a test asserts about deadlines holds at any hour of any day."""
    from apps.core import clock as platform_clock

    held = Clock(WORKING_MORNING)
    yield held
    platform_clock.set(None)
