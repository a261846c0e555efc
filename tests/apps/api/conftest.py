"""Shared state for the API tests: two citizens' reports routed to two agencies, a second
officer of the drainage company, a builder of another app, a comment and an internal note,
a failed automatic step, a delegation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Agency, Delegation, Membership, User
from apps.accounts.services import user_upsert
from apps.builder.models import App
from apps.records.models import Record
from apps.runtime.models import OutboxEntry, Task
from tests.conftest import DEMO_PASSWORD

#: What only some people may ever see in an answer.
CITIZEN_A_NAME = "Nguyễn Thị Mai"  # the reporter of case A (the default flooding report)
CITIZEN_B_NAME = "Trần Văn Bê"
INTERNAL_NOTE = "GHI-CHU-NOI-BO: chờ xe hút bùn"
PUBLIC_COMMENT = "Chúng tôi đã tiếp nhận và sẽ xử lý trong ngày."
OTHER_APP = "quan_ly_cay_xanh"
#: Officials' names that citizens never read.
OFFICIAL_NAMES = ("Trần Thị Nước", "Nguyễn Văn Điều")


def call(client: Client, method: str, url: str, body: Any = None, **extra: Any) -> Any:
    """A JSON request in English."""
    extra.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    if method == "get":
        return client.get(url, body or {}, **extra)
    if body is None:
        return getattr(client, method)(url, **extra)
    return getattr(client, method)(url, body, content_type="application/json", **extra)


def error_of(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The error body of ``response``, checked: status, shape, code, a message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    if code is not None:
        assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return dict(body["error"])


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@dataclass
class World:
    """Case A: citizen A's flooding report, at the drainage company (ctn_cantho, under the
    Department of Construction), its task claimed by ``thoatnuoc``. Case B: citizen B's
    pothole, at the Department of Transport."""

    a: Record
    a_secret: str
    a_task: Task
    b: Record
    b_secret: str
    b_task: Task
    effect: OutboxEntry
    delegation: Delegation
    membership: Membership
    other_app: App

    def refresh(self) -> None:
        for item in (self.a, self.b, self.a_task, self.b_task, self.effect):
            item.refresh_from_db()


@pytest.fixture
def citizen_b(demo: None) -> User:
    return user_upsert(username="congdan_b", full_name="Công dân B", password=DEMO_PASSWORD)


@pytest.fixture
def colleague(demo: None) -> User:
    """A second officer of the drainage company."""
    return user_upsert(
        username="thoatnuoc2",
        full_name="Võ Văn Cống",
        password=DEMO_PASSWORD,
        memberships=[("ctn_cantho", "officer")],
    )


@pytest.fixture
def other_builder(demo: None) -> User:
    """A builder (of the environment department) with an app of their own."""
    from apps.builder.services import app_create

    builder = user_upsert(
        username="xaydung_cayxanh",
        full_name="Đỗ Thị Cây",
        password=DEMO_PASSWORD,
        memberships=[("stnmt", "builder")],
    )
    app_create(key=OTHER_APP, label={"vi": "Quản lý cây xanh", "en": "Trees"}, user=builder)
    return builder


def submit_as(submit_report: Any, citizen: User | None, **overrides: Any) -> Any:
    """A field report submitted (through the service) and owned by ``citizen``."""
    submission = submit_report(**overrides)
    Record.objects.filter(pk=submission.record.pk).update(submitted_by=citizen)
    submission.record.refresh_from_db()
    return submission


def triage(record: Record, action: str = "accept") -> Task:
    """The dispatcher triages ``record``; returns the next open task."""
    from apps.runtime.services import task_complete

    task = Task.objects.get(instance__record=record, status=Task.Status.OPEN)
    task_complete(task=task, user=User.objects.get(username="dieuphoi"), action=action)
    return Task.objects.get(instance__record=record, status=Task.Status.OPEN)


@pytest.fixture
def world(
    submit_report: Any, user: Any, citizen_b: User, colleague: User, other_builder: User
) -> World:
    from apps.records.services import comment_add
    from apps.runtime.services import task_claim

    officer = user("thoatnuoc")
    a = submit_as(submit_report, user("congdan"))
    a_task = triage(a.record)
    assert a_task.agency.code == "ctn_cantho"
    task_claim(task=a_task, user=officer)
    b = submit_as(
        submit_report,
        citizen_b,
        category="pothole",
        description="Ổ gà lớn trước số 12 đường Mậu Thân, nhiều xe té ngã.",
        reporter_name=CITIZEN_B_NAME,
        district="cai_rang",
    )
    b_task = triage(b.record)
    assert b_task.agency.code == "sgtvt"
    comment_add(record=a.record, user=officer, body=PUBLIC_COMMENT)
    comment_add(record=a.record, user=officer, body=INTERNAL_NOTE, internal=True)
    effect = OutboxEntry.objects.create(
        record=a.record,
        instance=a.record.instance,
        key=f"{a.record.instance.uuid}:test-failed",
        kind="notify",
        payload={
            "to": {"submitter": True},
            "channel": "in_app",
            "subject": {"vi": "Hồ sơ {{tracking_code}} đang được xử lý"},
            "body": {"vi": "Công ty Cấp thoát nước đang xử lý."},
        },
        status=OutboxEntry.Status.FAILED,
        attempts=5,
        last_error="connection refused",
    )
    ctn = Agency.objects.get(code="ctn_cantho")
    delegation = Delegation.objects.create(
        delegator=officer,
        delegate=colleague,
        agency=ctn,
        starts_at=timezone.now() + timedelta(days=10),
        ends_at=timezone.now() + timedelta(days=20),
    )
    world = World(
        a=a.record,
        a_secret=a.secret,
        a_task=a_task,
        b=b.record,
        b_secret=b.secret,
        b_task=b_task,
        effect=effect,
        delegation=delegation,
        membership=Membership.objects.get(user=colleague),
        other_app=App.objects.get(key=OTHER_APP),
    )
    world.refresh()
    return world
