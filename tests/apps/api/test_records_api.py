"""Records API: the list with its filters and search, scoped to what each person may read;
one record as officials and as its citizen see it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.records.models import Record

from .conftest import CITIZEN_A_NAME, OFFICIAL_NAMES, World, call, error_of, signed_in, submit_as


def _codes(username: str, **query: Any) -> set[str]:
    response = call(signed_in(username), "get", "/api/v1/records/", query)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return {record["tracking_code"] for record in body["results"]}


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("congdan", {"a"}),
        ("congdan_b", {"b"}),
        ("thoatnuoc", {"a"}),
        ("giaothong", {"b"}),
        ("lanhdao_sxd", {"a"}),  # leads the Department of Construction, above ctn_cantho
        ("lanhdao_gtvt", {"b"}),
        ("lanhdao_thanhpho", {"a", "b"}),  # leads the city, above every agency
        ("lanhdao_ninhkieu", set()),
        # A builder of the operations centre, which triaged both: building apps never
        # opens cases.
        ("xaydungapp", set()),
        ("xaydung_cayxanh", set()),
        ("admin", {"a", "b"}),
    ],
)
def test_each_person_lists_the_records_they_may_read(
    world: World, username: str, sees: set[str]
) -> None:
    codes = {"a": world.a.tracking_code, "b": world.b.tracking_code}
    assert _codes(username) == {codes[key] for key in sees}


def test_an_admin_of_the_city_who_is_not_a_superuser_reads_everything(world: World) -> None:
    from apps.accounts.services import user_upsert

    user_upsert(username="quantri", full_name="Quản trị", memberships=[("can_tho", "admin")])
    assert _codes("quantri") == {world.a.tracking_code, world.b.tracking_code}


def test_filters_narrow_the_list(world: World) -> None:
    a, b = world.a.tracking_code, world.b.tracking_code
    assert _codes("admin", app="field_reports") == {a, b}
    assert _codes("admin", app="one_stop_permit") == set()
    assert _codes("admin", agency="ctn_cantho") == {a}
    assert _codes("admin", agency="sgtvt") == {b}
    assert _codes("admin", district="ninh_kieu") == {a}
    assert _codes("admin", district="cai_rang") == {b}
    assert _codes("admin", status="closed") == set()
    today = timezone.localdate()
    assert _codes("admin", created_from=today.isoformat(), created_to=today.isoformat()) == {a, b}
    assert _codes("admin", created_from=(today + timedelta(days=1)).isoformat()) == set()
    assert _codes("admin", created_to=(today - timedelta(days=1)).isoformat()) == set()


def test_overdue_cases_are_open_past_their_deadline(world: World) -> None:
    Record.objects.filter(pk=world.a.pk).update(deadline=timezone.now() - timedelta(hours=1))
    Record.objects.filter(pk=world.b.pk).update(deadline=timezone.now() + timedelta(days=1))
    assert _codes("admin", overdue="true") == {world.a.tracking_code}
    assert _codes("admin", overdue="false") == {world.b.tracking_code}
    listed = call(signed_in("admin"), "get", "/api/v1/records/", {"overdue": "true"}).json()
    assert listed["results"][0]["overdue"] is True
    Record.objects.filter(pk=world.a.pk).update(status=Record.Status.CLOSED)
    assert _codes("admin", overdue="true") == set()


@pytest.mark.parametrize(
    ("text", "finds"),
    [
        ("mậu thân", {"b"}),  # Vietnamese text in the data, any case
        ("Mậu Thân", {"b"}),
        ("nguyễn thị mai", {"a"}),
        ("ngập sâu", {"a"}),
        ("nothing like this", set()),
    ],
)
def test_search_finds_text_in_the_data(world: World, text: str, finds: set[str]) -> None:
    codes = {"a": world.a.tracking_code, "b": world.b.tracking_code}
    assert _codes("admin", q=text) == {codes[key] for key in finds}


def test_search_finds_a_tracking_code_however_it_is_typed(world: World) -> None:
    code = world.b.tracking_code
    assert _codes("admin", q=code) == {code}
    assert _codes("admin", q=code.lower()) == {code}
    assert _codes("admin", q=code.replace("-", "- ")[:6]) >= {code}
    # Search never widens what a person may read.
    assert _codes("thoatnuoc", q=code) == set()


def test_pages_of_records(world: World, submit_report: Any, user: Any) -> None:
    for _ in range(3):
        submit_as(submit_report, user("congdan"))
    page = call(signed_in("congdan"), "get", "/api/v1/records/", {"page_size": 2}).json()
    assert page["count"] == 4
    assert len(page["results"]) == 2
    assert page["next"]
    last = call(signed_in("congdan"), "get", "/api/v1/records/", {"page_size": 2, "page": 2})
    assert len(last.json()["results"]) == 2
    error_of(call(signed_in("congdan"), "get", "/api/v1/records/", {"page": 9}), 404)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"created_from": "2026-13-01"}, "created_from"),
        ({"created_from": "2026-05-02", "created_to": "2026-05-01"}, "created_to"),
        ({"status": "lost"}, "status"),
        ({"overdue": "maybe"}, "overdue"),
        ({"app": "không phải"}, "app"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_invalid_filters_are_refused(world: World, query: dict[str, str], field: str) -> None:
    error = error_of(call(signed_in("admin"), "get", "/api/v1/records/", query), 400)
    assert field in error["details"]


def test_officials_read_the_whole_log_and_the_citizen_the_public_part(world: World) -> None:
    url = f"/api/v1/records/{world.a.uuid}/"
    official = call(signed_in("thoatnuoc"), "get", url).json()
    kinds = [event["kind"] for event in official["events"]]
    assert "task_claimed" in kinds
    assert any(not event["public"] for event in official["events"])
    names = {event["actor"]["name"] for event in official["events"]}
    assert set(OFFICIAL_NAMES) <= names

    citizen = call(signed_in("congdan"), "get", url)
    assert citizen.status_code == 200
    body = citizen.json()
    assert body["data"]["reporter_name"] == CITIZEN_A_NAME
    assert all(event["public"] for event in body["events"])
    assert "task_claimed" not in [event["kind"] for event in body["events"]]
    assert not any(name in citizen.content.decode() for name in OFFICIAL_NAMES)
