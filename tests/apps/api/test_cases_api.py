"""Cases API: the timeline, cancelling, pausing and resuming, failed automatic steps and
their retry, comments and internal notes (and what the citizen sees of them)."""

from __future__ import annotations

from typing import Any

import pytest

from apps.records.models import Comment
from apps.runtime.delivery import deliver_entry
from apps.runtime.models import Event, Notification, OutboxEntry, ProcessInstance, Task

from .conftest import (
    INTERNAL_NOTE,
    OFFICIAL_NAMES,
    PUBLIC_COMMENT,
    World,
    call,
    error_of,
    signed_in,
)


def _case(world: World, path: str) -> str:
    return f"/api/v1/cases/{world.a.uuid}/{path}"


def _state(world: World) -> tuple[Any, ...]:
    world.refresh()
    instance = ProcessInstance.objects.get(record=world.a)
    return (
        world.a.status,
        instance.status,
        bool(instance.state.get("paused")),
        world.a_task.status,
        Event.objects.filter(record=world.a).count(),
    )


# --------------------------------------------------------------------------- timeline


def test_officials_read_every_event_and_the_citizen_the_public_ones(world: World) -> None:
    official = call(signed_in("lanhdao_sxd"), "get", _case(world, "timeline/")).json()
    assert "task_claimed" in [event["kind"] for event in official]
    assert {"Trần Thị Nước", "Nguyễn Văn Điều"} <= {e["actor"]["name"] for e in official}

    response = call(signed_in("congdan"), "get", _case(world, "timeline/"))
    citizen = response.json()
    assert citizen and all(event["public"] for event in citizen)
    assert len(citizen) < len(official)
    assert not any(name in response.content.decode() for name in OFFICIAL_NAMES)


# --------------------------------------------------------------------------- steering


def test_a_leader_above_the_agency_cancels_the_case(world: World) -> None:
    response = call(signed_in("lanhdao_sxd"), "post", _case(world, "cancel/"), {"reason": "Trùng"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["outcome"] == "cancelled"
    world.refresh()
    assert world.a_task.status == Task.Status.CANCELLED
    cancelled = Event.objects.get(record=world.a, kind="case_cancelled")
    assert cancelled.actor.username == "lanhdao_sxd"
    before = _state(world)
    error_of(call(signed_in("lanhdao_sxd"), "post", _case(world, "cancel/")), 409, "case_closed")
    assert _state(world) == before


@pytest.mark.parametrize(
    ("username", "status"),
    [("thoatnuoc", 403), ("xaydungapp", 404), ("congdan", 403), ("giaothong", 404)],
)
@pytest.mark.parametrize("action", ["cancel/", "pause/", "resume/"])
def test_only_leaders_steer_a_case(world: World, username: str, status: int, action: str) -> None:
    before = _state(world)
    error_of(call(signed_in(username), "post", _case(world, action)), status)
    assert _state(world) == before


def test_pausing_stops_the_clock_until_resumed(world: World) -> None:
    leader = signed_in("lanhdao_sxd")
    error_of(call(leader, "post", _case(world, "resume/")), 409, "not_paused")
    paused = call(leader, "post", _case(world, "pause/"), {"reason": "Chờ ý kiến Sở"})
    assert paused.status_code == 200, paused.content
    assert paused.json()["paused"] is True
    error_of(call(leader, "post", _case(world, "pause/")), 409, "already_paused")
    resumed = call(leader, "post", _case(world, "resume/"))
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["paused"] is False
    kinds = list(Event.objects.filter(record=world.a).values_list("kind", flat=True))
    assert "clock_paused" in kinds and "clock_resumed" in kinds


def test_a_reason_must_be_text(world: World) -> None:
    before = _state(world)
    error = error_of(
        call(signed_in("admin"), "post", _case(world, "cancel/"), {"reason": ["x"]}), 400
    )
    assert "reason" in error["details"]
    assert _state(world) == before


# --------------------------------------------------------------------------- effects


def test_officials_list_and_retry_a_failed_automatic_step(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    officer = signed_in("thoatnuoc")
    [failed] = call(officer, "get", _case(world, "effects/")).json()
    assert failed["id"] == str(world.effect.uuid)
    assert failed["status"] == "failed" and failed["attempts"] == 5
    with django_capture_on_commit_callbacks() as dispatched:
        response = call(officer, "post", _case(world, f"effects/{world.effect.uuid}/retry/"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    assert len(dispatched) == 1  # handed to Celery after commit
    # Deliver here, in the test's transaction: a real worker (CI's second run) cannot see
    # rows this test has not committed.
    assert deliver_entry(world.effect.pk) == "delivered"
    world.refresh()
    assert world.effect.status == OutboxEntry.Status.DELIVERED  # dispatched after commit
    assert world.effect.attempts == 1
    assert Notification.objects.filter(user__username="congdan", record=world.a).exists()
    retried = Event.objects.get(record=world.a, kind="effect_retried")
    assert retried.actor.username == "thoatnuoc" and not retried.public
    assert call(officer, "get", _case(world, "effects/")).json() == []
    error_of(
        call(officer, "post", _case(world, f"effects/{world.effect.uuid}/retry/")),
        409,
        "effect_not_failed",
    )


def test_the_citizen_may_not_retry_steps(world: World) -> None:
    citizen = signed_in("congdan")
    error_of(call(citizen, "get", _case(world, "effects/")), 403)
    error_of(call(citizen, "post", _case(world, f"effects/{world.effect.uuid}/retry/")), 403)
    unknown = "00000000-0000-0000-0000-000000000000"
    error_of(
        call(signed_in("thoatnuoc"), "post", _case(world, f"effects/{unknown}/retry/")),
        404,
        "effect_not_found",
    )
    world.refresh()
    assert world.effect.status == OutboxEntry.Status.FAILED


# --------------------------------------------------------------------------- comments


def test_officials_read_notes_and_the_citizen_only_comments(world: World) -> None:
    official = call(signed_in("thoatnuoc"), "get", _case(world, "comments/")).json()
    assert [(c["body"], c["internal"]) for c in official] == [
        (PUBLIC_COMMENT, False),
        (INTERNAL_NOTE, True),
    ]
    assert official[0]["author"]["username"] == "thoatnuoc"
    assert official[0]["agency"]["code"] == "ctn_cantho"

    response = call(signed_in("congdan"), "get", _case(world, "comments/"))
    [comment] = response.json()
    assert comment["body"] == PUBLIC_COMMENT
    assert comment["author_kind"] == "official"
    assert comment["author"] is None
    assert INTERNAL_NOTE not in response.content.decode()
    assert not any(name in response.content.decode() for name in OFFICIAL_NAMES)


def test_the_citizen_comments_and_follows_comments_on_the_status_page(world: World) -> None:
    response = call(signed_in("congdan"), "post", _case(world, "comments/"), {"body": " Cảm ơn! "})
    assert response.status_code == 201, response.content
    assert response.json()["author_kind"] == "citizen"
    assert response.json()["author"]["username"] == "congdan"
    assert response.json()["body"] == "Cảm ơn!"
    status = call(
        signed_in("congdan_b"),  # anyone with the code and secret
        "get",
        f"/api/v1/status/{world.a.tracking_code}/",
        {"secret": world.a_secret},
    )
    comments = status.json()["comments"]
    assert [(c["body"], c["author"]) for c in comments] == [
        (PUBLIC_COMMENT, "official"),
        ("Cảm ơn!", "citizen"),
    ]
    assert comments[0]["agency"]["code"] == "ctn_cantho"
    assert INTERNAL_NOTE not in status.content.decode()
    assert not any(name in status.content.decode() for name in OFFICIAL_NAMES)


@pytest.mark.parametrize(
    ("username", "body", "status"),
    [
        ("congdan", {"body": "Ghi chú", "internal": True}, 403),
        ("congdan_b", {"body": "Xin chào"}, 404),
        ("thoatnuoc", {"body": "   "}, 400),
        ("thoatnuoc", {"body": "a\x00b"}, 400),
        ("thoatnuoc", {"body": "x" * 5001}, 400),
        ("thoatnuoc", {"internal": True}, 400),
        ("thoatnuoc", {"body": ["list"]}, 400),
    ],
)
def test_invalid_or_unauthorized_comments_are_refused(
    world: World, username: str, body: dict[str, Any], status: int
) -> None:
    before = Comment.objects.count()
    error_of(call(signed_in(username), "post", _case(world, "comments/"), body), status)
    assert Comment.objects.count() == before


def test_a_record_without_a_workflow_cannot_be_steered(world: World) -> None:
    from apps.builder.selectors import version_app_def
    from apps.records.services import record_create_internal

    entity = version_app_def(world.a.app_version).entities["field_report"]
    bare = record_create_internal(
        version=world.a.app_version, entity=entity, data={}, parent=world.a
    )
    admin = signed_in("admin")
    error_of(call(admin, "post", f"/api/v1/cases/{bare.uuid}/pause/"), 409, "no_workflow")
    assert call(admin, "get", f"/api/v1/cases/{bare.uuid}/timeline/").json() == []
