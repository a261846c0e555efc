"""Every list page and list endpoint runs the same number of SQL queries whatever the
number of rows it shows (no query per row), and stays within its budget.

Each case seeds rows twice: with 2 rows, then with 20, it counts the queries of one
request and requires both counts to be equal and at most the budget. A new list belongs
here; a budget only goes up with a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Agency, Delegation, Membership, Role, User
from apps.builder.models import App
from apps.builder.selectors import published_form
from apps.builder.services import app_create, app_publish
from apps.records.models import Record
from apps.records.services import comment_add
from apps.runtime.models import Task
from apps.runtime.services import case_open, task_claim, task_release
from tests.conftest import FLOODING_REPORT

FEW, MANY = 2, 20


@dataclass
class Seeded:
    """What a seeding function made, for the URL to name (a case, its tracking code...)."""

    record: Record | None = None
    secret: str = ""


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _queries(client: Client, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(captured.captured_queries), captured


# --------------------------------------------------------------------------- seeding


def _reports(submit_report: Any, count: int, state: Seeded) -> None:
    """``count`` more field reports by the citizen ``congdan`` (a triage task each)."""
    citizen = User.objects.get(username="congdan")
    version, app_def, form = published_form("field_reports", "citizen_report")
    for _ in range(count):
        submission = case_open(
            version=version, app_def=app_def, form=form, raw=dict(FLOODING_REPORT), user=citizen
        )
        state.record, state.secret = submission.record, submission.secret


def _claims(submit_report: Any, count: int, state: Seeded) -> None:
    """``count`` more lines in one case's timeline: its task claimed and released."""
    if state.record is None:
        submission = submit_report()
        state.record, state.secret = submission.record, submission.secret
    dispatcher = User.objects.get(username="dieuphoi")
    task = Task.objects.get(instance__record=state.record, status=Task.Status.OPEN)
    for index in range(count):
        task = (task_claim if index % 2 == 0 else task_release)(task=task, user=dispatcher)


def _comments(submit_report: Any, count: int, state: Seeded) -> None:
    if state.record is None:
        submission = submit_report()
        state.record, state.secret = submission.record, submission.secret
    dispatcher = User.objects.get(username="dieuphoi")
    for index in range(count):
        comment_add(record=state.record, user=dispatcher, body=f"Ghi chú {index}", internal=False)


def _apps(submit_report: Any, count: int, state: Seeded) -> None:
    start = App.objects.filter(key__startswith="budget_app_").count()
    for index in range(start, start + count):
        label = {"vi": f"Ứng dụng {index}", "en": f"App {index}"}
        app_create(key=f"budget_app_{index}", label=label)


def _versions(submit_report: Any, count: int, state: Seeded) -> None:
    app = App.objects.get(key="field_reports")
    for _ in range(count):
        app_publish(app=app, user=None, note="again")


def _delegations(submit_report: Any, count: int, state: Seeded) -> None:
    dispatcher = User.objects.get(username="dieuphoi")
    ioc = Agency.objects.get(code="ioc")
    now = timezone.now()
    for _ in range(count):
        colleague = User.objects.create(username=f"ioc_{Delegation.objects.count()}")
        Membership.objects.create(user=colleague, agency=ioc, role=Role.objects.get(key="officer"))
        Delegation.objects.create(
            delegator=colleague, delegate=dispatcher, agency=ioc,
            starts_at=now, ends_at=now + timedelta(days=1),
        )  # fmt: skip


def _agencies(submit_report: Any, count: int, state: Seeded) -> None:
    city = Agency.objects.get(code="can_tho")
    officer = Role.objects.get(key="officer")
    for _ in range(count):
        number = Agency.objects.count()
        agency = Agency.objects.create(
            code=f"budget_{number}", name_vi=f"Cơ quan {number}", kind="department", parent=city
        )
        person = User.objects.create(username=f"budget_user_{number}")
        Membership.objects.create(user=person, agency=agency, role=officer)


Seed = Callable[[Any, int, Seeded], None]

CASES: list[tuple[str, str, Callable[[Seeded], str], Seed, int]] = [
    # (who, what, the URL, how rows are added, budget)
    ("dieuphoi", "workspace inbox", lambda s: "/workspace/", _reports, 12),
    ("dieuphoi", "API task list", lambda s: "/api/v1/tasks/", _reports, 6),
    ("dieuphoi", "API task queue", lambda s: "/api/v1/tasks/queue/", _reports, 6),
    ("admin", "API records (admin)", lambda s: "/api/v1/records/", _reports, 8),
    ("dieuphoi", "API records (official)", lambda s: "/api/v1/records/", _reports, 8),
    ("congdan", "API records (citizen)", lambda s: "/api/v1/records/", _reports, 8),
    (
        "dieuphoi",
        "API case timeline",
        lambda s: f"/api/v1/cases/{s.record.uuid}/timeline/",  # type: ignore[union-attr]
        _claims,
        10,
    ),
    (
        "dieuphoi",
        "workspace case page",
        lambda s: f"/workspace/cases/{s.record.uuid}/",  # type: ignore[union-attr]
        _claims,
        22,
    ),
    (
        "dieuphoi",
        "API case comments",
        lambda s: f"/api/v1/cases/{s.record.uuid}/comments/",  # type: ignore[union-attr]
        _comments,
        9,
    ),
    ("admin", "API builder apps", lambda s: "/api/v1/apps/", _apps, 8),
    (
        "admin",
        "API app versions",
        lambda s: "/api/v1/apps/field_reports/versions/",
        _versions,
        7,
    ),
    ("dieuphoi", "API delegations", lambda s: "/api/v1/delegations/", _delegations, 6),
    ("admin", "API memberships", lambda s: "/api/v1/memberships/", _agencies, 6),
    ("admin", "API agencies", lambda s: "/api/v1/agencies/", _agencies, 5),
]


@pytest.mark.parametrize(
    ("username", "what", "url_of", "seed", "budget"), CASES, ids=[case[1] for case in CASES]
)
def test_a_list_runs_the_same_queries_for_2_and_20_rows(
    submit_report: Any,
    username: str,
    what: str,
    url_of: Callable[[Seeded], str],
    seed: Seed,
    budget: int,
) -> None:
    state = Seeded()
    seed(submit_report, FEW, state)
    client = _client(username)
    url = url_of(state)
    client.get(url)  # warm: sessions, caches of parsed definitions
    few, _ = _queries(client, url)
    seed(submit_report, MANY - FEW, state)
    many, captured = _queries(client, url)
    listing = "\n".join(q["sql"][:200] for q in captured.captured_queries)
    assert many == few, f"{what}: {few} queries with {FEW} rows, {many} with {MANY}\n{listing}"
    assert many <= budget, f"{what}: {many} queries, budget {budget}\n{listing}"
