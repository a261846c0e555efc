"""Taking a task from the task page (a claim) and giving it back."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.accounts.services import user_upsert
from apps.runtime.models import Task

from .conftest import html, open_task, task_url, vi


def claim_url(task: Task) -> str:
    return reverse("workspace:task-claim", args=[task.uuid])


def test_an_official_takes_a_task_and_colleagues_see_whose_it_is(
    client_as: Any, submit_report: Any
) -> None:
    task = open_task(submit_report().record)
    user_upsert(username="dieuphoi2", full_name="Đồng Nghiệp", memberships=[("ioc", "dispatcher")])
    mine = client_as("dieuphoi")

    page = html(mine.get(task_url(task)))
    assert vi("Take this task") in page

    response = mine.post(claim_url(task), {"op": "claim"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.claimed_by is not None and task.claimed_by.username == "dieuphoi"
    page = html(mine.get(task_url(task)))
    assert vi("You have taken this task.") in page
    assert vi("Give it back to the queue") in page
    colleague = html(client_as("dieuphoi2").get(task_url(task)))
    assert task.claimed_by.display_name() in colleague
    assert vi("Take this task") not in colleague
    # the colleague cannot complete it while it is claimed
    refused = client_as("dieuphoi2").post(
        task_url(task), {"action": "reject", "severity": "1", "triage_note": "x"}
    )
    assert refused.status_code == 409
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN


def test_giving_a_task_back_ends_the_claim(client_as: Any, submit_report: Any) -> None:
    task = open_task(submit_report().record)
    mine = client_as("dieuphoi")
    mine.post(claim_url(task), {"op": "claim"})

    mine.post(claim_url(task), {"op": "release"})

    task.refresh_from_db()
    assert task.claimed_by is None
    assert vi("Take this task") in html(mine.get(task_url(task)))


def test_a_colleague_cannot_take_a_claimed_task(client_as: Any, submit_report: Any) -> None:
    task = open_task(submit_report().record)
    user_upsert(username="dieuphoi2", full_name="Đồng Nghiệp", memberships=[("ioc", "dispatcher")])
    client_as("dieuphoi").post(claim_url(task), {"op": "claim"})

    response = client_as("dieuphoi2").post(claim_url(task), {"op": "claim"}, follow=True)

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.claimed_by is not None and task.claimed_by.username == "dieuphoi"


def test_claiming_needs_a_post_and_a_task_the_user_may_see(
    client_as: Any, submit_report: Any
) -> None:
    task = open_task(submit_report().record)
    assert client_as("dieuphoi").get(claim_url(task)).status_code == 405
    assert client_as("congdan").post(claim_url(task), {"op": "claim"}).status_code == 404
    task.refresh_from_db()
    assert task.claimed_by is None
