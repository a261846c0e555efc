"""Tasks API: the agency's queue, claiming and releasing, completing a claimed task,
returning a case to its citizen, reassigning, and delegating one's tasks for a period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Delegation, User
from apps.accounts.services import user_upsert
from apps.builder.selectors import published_form
from apps.runtime.models import Event, Task
from apps.runtime.services import case_open
from tests.samples import PERMIT_ANSWERS

from .conftest import World, call, error_of, signed_in


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [task["id"] for task in response.json()["results"]]


def _events(task: Task, kind: str) -> int:
    return Event.objects.filter(instance=task.instance, kind=kind, data__task=task.task_key).count()


# --------------------------------------------------------------------------- queue and claims


def test_the_queue_shows_colleagues_claims_and_the_inbox_hides_them(world: World) -> None:
    task_id = str(world.a_task.uuid)
    colleague = signed_in("thoatnuoc2")
    queue = call(colleague, "get", "/api/v1/tasks/queue/").json()["results"]
    assert [t["id"] for t in queue] == [task_id]
    assert queue[0]["claimed_by"]["username"] == "thoatnuoc"
    assert _ids(call(colleague, "get", "/api/v1/tasks/")) == []
    # The one who claimed it has it in their inbox.
    assert _ids(call(signed_in("thoatnuoc"), "get", "/api/v1/tasks/")) == [task_id]
    # Other agencies' queues do not show it.
    assert task_id not in _ids(call(signed_in("giaothong"), "get", "/api/v1/tasks/queue/"))
    assert _ids(call(signed_in("congdan"), "get", "/api/v1/tasks/queue/")) == []


def test_a_task_claimed_by_a_colleague_cannot_be_claimed_or_completed(world: World) -> None:
    url = f"/api/v1/tasks/{world.a_task.uuid}/"
    colleague = signed_in("thoatnuoc2")
    claimed_events = _events(world.a_task, "task_claimed")
    error = error_of(call(colleague, "post", url + "claim/"), 409, "task_claimed")
    assert error["message"] == "Trần Thị Nước is already working on this task."
    error_of(call(colleague, "post", url + "complete/", {"action": "resolve"}), 409, "task_claimed")
    error_of(call(colleague, "post", url + "release/"), 409, "task_claimed")
    world.refresh()
    assert world.a_task.status == Task.Status.OPEN
    assert world.a_task.claimed_by.username == "thoatnuoc"
    assert _events(world.a_task, "task_claimed") == claimed_events
    assert _events(world.a_task, "task_completed") == 0


def test_released_tasks_can_be_claimed_and_completed_by_a_colleague(world: World) -> None:
    url = f"/api/v1/tasks/{world.a_task.uuid}/"
    officer, colleague = signed_in("thoatnuoc"), signed_in("thoatnuoc2")
    again = call(officer, "post", url + "claim/")
    assert again.status_code == 200 and again.json()["claimed_by"]["username"] == "thoatnuoc"
    released = call(officer, "post", url + "release/")
    assert released.status_code == 200, released.content
    assert released.json()["claimed_by"] is None
    assert _events(world.a_task, "task_released") == 1
    claimed = call(colleague, "post", url + "claim/")
    assert claimed.json()["claimed_by"]["username"] == "thoatnuoc2"
    done = call(colleague, "post", url + "complete/", {"action": "resolve"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    error_of(call(colleague, "post", url + "claim/"), 409, "task_not_open")


def test_a_leader_over_the_agency_releases_someone_elses_claim(world: World) -> None:
    url = f"/api/v1/tasks/{world.a_task.uuid}/release/"
    response = call(signed_in("lanhdao_sxd"), "post", url)
    assert response.status_code == 200, response.content
    world.refresh()
    assert world.a_task.claimed_by is None
    released = Event.objects.get(instance=world.a_task.instance, kind="task_released")
    assert released.actor.username == "lanhdao_sxd"
    assert released.data["claimed_by"] == "Trần Thị Nước"


# --------------------------------------------------------------------------- return


PERMIT = dict(PERMIT_ANSWERS)


def test_the_one_stop_desk_returns_an_application_to_the_citizen(demo: None, user: Any) -> None:
    version, app_def, form = published_form("one_stop_permit", "apply")
    record = case_open(
        version=version, app_def=app_def, form=form, raw=PERMIT, user=user("congdan")
    ).record
    check = Task.objects.get(instance__record=record, node_id="check")
    url = f"/api/v1/tasks/{check.uuid}/return/"
    body = {"data": {"completeness_note": "Thiếu bản vẽ mặt bằng"}}
    response = call(signed_in("motcua"), "post", url, body)
    assert response.status_code == 200, response.content
    assert response.json()["action"] == "incomplete"
    assert response.json()["record"]["data"]["completeness_note"] == "Thiếu bản vẽ mặt bằng"
    [back] = call(signed_in("congdan"), "get", "/api/v1/tasks/").json()["results"]
    assert back["node"] == "return_to_applicant"
    record.instance.refresh_from_db()
    assert record.instance.state["paused"] is not None  # the legal clock stops


def test_a_task_without_a_way_back_to_the_citizen_cannot_return_it(world: World) -> None:
    url = f"/api/v1/tasks/{world.a_task.uuid}/return/"
    error = error_of(call(signed_in("thoatnuoc"), "post", url), 400, "no_return_action")
    assert "cannot return the case to the citizen" in error["message"]
    world.refresh()
    assert world.a_task.status == Task.Status.OPEN


# --------------------------------------------------------------------------- reassign


def test_a_leader_reassigns_a_task_to_another_agency(world: World) -> None:
    url = f"/api/v1/tasks/{world.a_task.uuid}/reassign/"
    body = {"agency": "sgtvt", "role": "officer", "reason": "Sụt lún mặt đường"}
    response = call(signed_in("lanhdao_sxd"), "post", url, body)
    assert response.status_code == 200, response.content
    assert response.json()["agency"]["code"] == "sgtvt"
    assert response.json()["claimed_by"] is None
    assert str(world.a_task.uuid) in _ids(call(signed_in("giaothong"), "get", "/api/v1/tasks/"))
    assert _ids(call(signed_in("thoatnuoc"), "get", "/api/v1/tasks/")) == []


def test_a_leader_reassigns_a_task_to_one_official(world: World) -> None:
    url = f"/api/v1/tasks/{world.a_task.uuid}/reassign/"
    response = call(signed_in("admin"), "post", url, {"assignee": "thoatnuoc2"})
    assert response.status_code == 200, response.content
    assert _ids(call(signed_in("thoatnuoc2"), "get", "/api/v1/tasks/")) == [str(world.a_task.uuid)]
    assert _ids(call(signed_in("thoatnuoc"), "get", "/api/v1/tasks/")) == []


@pytest.mark.parametrize(
    ("username", "body", "status", "field"),
    [
        ("thoatnuoc", {"agency": "sgtvt", "role": "officer"}, 403, None),
        ("lanhdao_sxd", {"agency": "sgtvt"}, 400, "assignee"),
        ("lanhdao_sxd", {"agency": "nowhere", "role": "officer"}, 400, "agency"),
        ("lanhdao_sxd", {"agency": "sgtvt", "role": "chief"}, 400, "role"),
        ("lanhdao_sxd", {"assignee": "nobody"}, 400, "assignee"),
    ],
)
def test_invalid_reassignments_are_refused(
    world: World, username: str, body: dict[str, str], status: int, field: str | None
) -> None:
    url = f"/api/v1/tasks/{world.a_task.uuid}/reassign/"
    error = error_of(call(signed_in(username), "post", url, body), status)
    if field:
        assert field in error["details"]
    world.refresh()
    assert world.a_task.agency.code == "ctn_cantho"
    assert world.a_task.claimed_by.username == "thoatnuoc"


# --------------------------------------------------------------------------- delegations


@pytest.fixture
def triage_task(submit_report: Any) -> Task:
    record = submit_report().record
    return Task.objects.get(instance__record=record, node_id="triage")


def _delegate(client: Client, to: str, **extra: Any) -> Any:
    body = {
        "delegate": to,
        "agency": "ioc",
        "ends_at": (timezone.now() + timedelta(days=5)).isoformat(),
        **extra,
    }
    return call(client, "post", "/api/v1/delegations/", body)


def test_a_delegate_sees_and_completes_the_delegators_tasks(triage_task: Task) -> None:
    # xaydungapp is a builder of the operations centre, not a dispatcher.
    builder = signed_in("xaydungapp")
    url = f"/api/v1/tasks/{triage_task.uuid}/"
    error_of(call(builder, "get", url), 404, "task_not_found")
    response = _delegate(signed_in("dieuphoi"), "xaydungapp", reason="Nghỉ phép")
    assert response.status_code == 201, response.content
    assert response.json()["active"] is True
    assert response.json()["delegate"]["username"] == "xaydungapp"
    assert _ids(call(builder, "get", "/api/v1/tasks/")) == [str(triage_task.uuid)]
    done = call(builder, "post", url + "complete/", {"action": "accept"})
    assert done.status_code == 200, done.content
    assert done.json()["completed_by"] == User.objects.get(username="xaydungapp").display_name()


def test_a_revoked_or_future_delegation_gives_nothing(triage_task: Task) -> None:
    dispatcher, builder = signed_in("dieuphoi"), signed_in("xaydungapp")
    created = _delegate(dispatcher, "xaydungapp").json()
    revoked = call(dispatcher, "delete", f"/api/v1/delegations/{created['id']}/")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert _ids(call(builder, "get", "/api/v1/tasks/")) == []
    later = (timezone.now() + timedelta(days=2)).isoformat()
    assert _delegate(dispatcher, "xaydungapp", starts_at=later).status_code == 201
    assert _ids(call(builder, "get", "/api/v1/tasks/")) == []
    url = f"/api/v1/tasks/{triage_task.uuid}/complete/"
    error_of(call(builder, "post", url, {"action": "accept"}), 404)


def test_delegations_are_not_passed_on(triage_task: Task) -> None:
    user_upsert(username="ioc_ketoan", full_name="Kế toán", memberships=[("ioc", "officer")])
    user_upsert(username="ioc_thuquy", full_name="Thủ quỹ", memberships=[("ioc", "officer")])
    assert _delegate(signed_in("dieuphoi"), "ioc_ketoan").status_code == 201
    assert _ids(call(signed_in("ioc_ketoan"), "get", "/api/v1/tasks/")) == [str(triage_task.uuid)]
    assert _delegate(signed_in("ioc_ketoan"), "ioc_thuquy").status_code == 201
    assert _ids(call(signed_in("ioc_thuquy"), "get", "/api/v1/tasks/")) == []


def test_only_officials_delegate(triage_task: Task) -> None:
    # A builder has no tasks of an agency to hand over.
    response = _delegate(signed_in("xaydungapp"), "dieuphoi")
    error_of(response, 403, "not_allowed")


def test_a_delegation_lapses_when_the_delegate_leaves_the_agency(triage_task: Task) -> None:
    from apps.accounts.models import Membership

    assert _delegate(signed_in("dieuphoi"), "xaydungapp").status_code == 201
    Membership.objects.filter(user__username="xaydungapp").delete()
    assert _ids(call(signed_in("xaydungapp"), "get", "/api/v1/tasks/")) == []


@pytest.mark.parametrize(
    ("username", "body", "status", "field"),
    [
        ("dieuphoi", {"delegate": "dieuphoi"}, 400, "delegate"),
        ("dieuphoi", {"delegate": "thoatnuoc"}, 400, "delegate"),  # another agency
        ("dieuphoi", {"delegate": "nobody"}, 400, "delegate"),
        ("dieuphoi", {"agency": "nowhere"}, 400, "agency"),
        ("dieuphoi", {"ends_at": "2020-01-01T00:00:00Z"}, 400, "ends_at"),
        (
            "dieuphoi",
            {"starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
            400,
            "ends_at",
        ),
        ("dieuphoi", {"ends_at": "2099-01-01T00:00:00Z"}, 400, "ends_at"),  # too long
        ("dieuphoi", {"ends_at": "next week"}, 400, "ends_at"),
        ("congdan", {}, 403, None),
    ],
)
def test_invalid_delegations_are_refused(
    demo: None, username: str, body: dict[str, str], status: int, field: str | None
) -> None:
    extra = dict(body)
    to = extra.pop("delegate", "xaydungapp")
    error = error_of(_delegate(signed_in(username), to, **extra), status)
    if field:
        assert field in error["details"]
    assert Delegation.objects.count() == 0


def test_people_list_the_delegations_they_gave_or_received(demo: None) -> None:
    assert _delegate(signed_in("dieuphoi"), "xaydungapp").status_code == 201
    assert len(call(signed_in("dieuphoi"), "get", "/api/v1/delegations/").json()["results"]) == 1
    assert len(call(signed_in("xaydungapp"), "get", "/api/v1/delegations/").json()["results"]) == 1
    assert call(signed_in("thoatnuoc"), "get", "/api/v1/delegations/").json()["results"] == []
    created = Delegation.objects.get()
    # The delegate cannot revoke it; someone else does not even see it.
    error_of(call(signed_in("xaydungapp"), "delete", f"/api/v1/delegations/{created.uuid}/"), 403)
    error_of(call(signed_in("thoatnuoc"), "delete", f"/api/v1/delegations/{created.uuid}/"), 404)
    created.refresh_from_db()
    assert created.revoked_at is None
