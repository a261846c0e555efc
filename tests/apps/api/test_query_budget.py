"""List endpoints run a fixed number of queries, however many rows they show."""

from __future__ import annotations

from typing import Any

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
