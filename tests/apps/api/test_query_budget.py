"""List endpoints run a fixed number of queries, however many rows they show."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from apps.accounts.models import User
from apps.builder.models import App
from apps.runtime.models import Task

TASKS = 20


def test_the_task_list_queries_do_not_grow_with_its_length(
    submit_report: Any, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(TASKS):
        submit_report()
    assert Task.objects.filter(status=Task.Status.OPEN).count() == TASKS
    dispatcher = client_as("dieuphoi")
    with django_assert_max_num_queries(6):
        response = dispatcher.get("/api/v1/tasks/")
    assert response.status_code == 200
    assert response.json()["count"] == TASKS
    assert len(response.json()["results"]) == TASKS

    token = Token.objects.create(user=User.objects.get(username="dieuphoi"))
    with django_assert_max_num_queries(6):
        response = dispatcher.get("/api/v1/tasks/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert len(response.json()["results"]) == TASKS


def test_the_app_list_queries_do_not_grow_with_versions(
    demo: None, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    builder = client_as("xaydungapp")
    with django_assert_max_num_queries(8):
        response = builder.get("/api/v1/apps/")
    assert response.status_code == 200
    assert [app["key"] for app in response.json()["results"]] == list(
        App.objects.order_by("key").values_list("key", flat=True)
    )


# --------------------------------------------------------------------------- the v1 lists

MANY = 22


def _many_reports(submit_report: Any, citizen: str = "congdan") -> None:
    from tests.apps.api.conftest import submit_as, triage

    owner = User.objects.get(username=citizen)
    for _ in range(MANY):
        triage(submit_as(submit_report, owner).record)


@pytest.mark.parametrize(
    ("username", "url", "budget"),
    [
        ("admin", "/api/v1/records/", 8),
        ("lanhdao_sxd", "/api/v1/records/", 9),  # leader: memberships and the agency tree
        ("thoatnuoc", "/api/v1/records/?q=ngập&district=ninh_kieu", 9),
        ("congdan", "/api/v1/records/", 8),
        ("thoatnuoc", "/api/v1/tasks/", 7),
        ("thoatnuoc", "/api/v1/tasks/queue/", 6),
    ],
)
def test_record_and_task_lists_run_a_fixed_number_of_queries(
    submit_report: Any,
    client_as: Any,
    django_assert_max_num_queries: Any,
    username: str,
    url: str,
    budget: int,
) -> None:
    _many_reports(submit_report)
    client = client_as(username)
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.json()["count"] >= MANY


def test_comment_delegation_membership_and_version_lists_have_a_budget(
    submit_report: Any, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from apps.accounts.models import Agency, Delegation
    from apps.accounts.services import user_upsert
    from apps.builder.services import app_publish
    from apps.records.services import comment_add

    submission = submit_report()
    record = submission.record
    dispatcher = User.objects.get(username="dieuphoi")
    for index in range(MANY):
        comment_add(record=record, user=dispatcher, body=f"Ghi chú {index}", internal=index % 2)
        colleague = user_upsert(
            username=f"ioc_{index}", full_name=f"Điều phối {index}",
            memberships=[("ioc", "dispatcher")],
        )  # fmt: skip
        Delegation.objects.create(
            delegator=dispatcher, delegate=colleague, agency=Agency.objects.get(code="ioc"),
            starts_at=timezone.now(), ends_at=timezone.now() + timedelta(days=1),
        )  # fmt: skip
    app = App.objects.get(key="field_reports")
    for _ in range(5):
        app_publish(app=app, user=None, note="again")

    checks = [
        ("dieuphoi", f"/api/v1/cases/{record.uuid}/comments/", 9),
        ("congdan", f"/api/v1/status/{record.tracking_code}/?secret={submission.secret}", 6),
        ("dieuphoi", "/api/v1/delegations/", 6),
        ("admin", "/api/v1/memberships/", 6),
        ("admin", "/api/v1/agencies/", 5),
        ("xaydungapp", "/api/v1/apps/field_reports/versions/", 7),
    ]
    for username, url, budget in checks:
        client = client_as(username)
        with django_assert_max_num_queries(budget, info=url):
            response = client.get(url)
        assert response.status_code == 200, (url, response.content)
