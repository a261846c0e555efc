from __future__ import annotations

from typing import Any

import pytest

from apps.accounts.models import Agency
from apps.accounts.services import user_upsert
from apps.builder.selectors import published_form
from apps.core.models import translated
from apps.records.models import Record
from apps.runtime.models import Event, Task
from workflows.definition import EntityDef

from .conftest import html, open_task, task_url, vi


def field_report() -> EntityDef:
    _version, app_def, _form = published_form("field_reports", "citizen_report")
    return app_def.entities["field_report"]


def label(key: str) -> str:
    spec = field_report().field(key)
    assert spec is not None
    return translated(spec.label, "vi")


def option_label(key: str, value: str) -> str:
    spec = field_report().field(key)
    assert spec is not None
    return next(translated(o.label, "vi") for o in spec.options if o.value == value)


def snapshot(record: Record) -> tuple[object, ...]:
    record.refresh_from_db()
    tasks = sorted(Task.objects.filter(instance__record=record).values_list("task_key", "status"))
    return (record.data, record.status, Event.objects.filter(record=record).count(), tasks)


def test_task_page_shows_the_record_with_labels_and_the_form(client_as, submit_report) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record
    task = open_task(record)

    response = client_as("dieuphoi").get(task_url(task))

    assert response.status_code == 200
    page = html(response)
    assert translated(task.label, "vi") in page
    assert record.tracking_code in page
    # record data: labels from the entity, choice and agency by name, location in parts
    for key in ("category", "description", "location", "district", "flood_depth_cm"):
        assert label(key) in page
    assert option_label("category", "flooding") in page
    assert Agency.objects.get(code="ninh_kieu").name_vi in page
    assert "10.0286, 105.7703" in page
    assert "Đường 30/4, Ninh Kiều" in page
    # the form: the task's editable fields, pre-filled, one button per action
    assert '<option value="flooding" selected>' in page
    assert (
        'type="number" id="id_severity" name="severity" value="" step="1" min="1" max="5"' in page
    )
    assert '<textarea id="id_triage_note" name="triage_note"' in page
    assert 'name="resolution_note"' not in page
    for action in task.actions:
        assert f'name="action" value="{action["key"]}"' in page
        assert translated(action["label"], "vi") in page
    # the timeline
    timeline = page.split('class="ws-timeline"')[1]
    assert vi("Case received") in timeline
    assert vi("New task") in timeline


def test_dispatcher_accepts_and_the_drainage_officer_gets_the_handling_task(
    client_as,
    submit_report,  # type: ignore[no-untyped-def]
) -> None:
    record = submit_report().record
    triage = open_task(record)

    response = client_as("dieuphoi").post(
        task_url(triage),
        {"action": "accept", "category": "flooding", "severity": "4", "triage_note": "Gấp"},
        follow=True,
    )

    assert response.redirect_chain == [("/workspace/", 302)]
    assert record.tracking_code in html(response)  # the success message names the case
    assert "message--success" in html(response)
    record.refresh_from_db()
    assert record.data["severity"] == 4
    assert record.data["triage_note"] == "Gấp"
    triage.refresh_from_db()
    assert triage.status == Task.Status.COMPLETED
    handling = open_task(record)
    assert handling.agency.code == "ctn_cantho"
    drainage_inbox = html(client_as("thoatnuoc").get("/workspace/"))
    assert task_url(handling) in drainage_inbox
    assert task_url(triage) not in html(client_as("dieuphoi").get("/workspace/"))


def test_completing_a_task_a_colleague_already_completed_says_so_and_changes_nothing(
    client_as,
    triaged,  # type: ignore[no-untyped-def]
) -> None:
    triage = Task.objects.get(instance__record=triaged, node_id="triage")
    user_upsert(username="dieuphoi2", full_name="Đồng Nghiệp", memberships=[("ioc", "dispatcher")])
    before = snapshot(triaged)

    response = client_as("dieuphoi2").post(
        task_url(triage), {"action": "reject", "severity": "1", "triage_note": "Trùng"}
    )

    assert response.status_code == 409
    page = html(response)
    assert vi("This task is no longer open; someone may have completed it.") in page
    assert "message--error" in page
    assert "Nguyễn Văn Điều" in page  # who completed it
    assert 'name="action"' not in page  # read-only now
    assert snapshot(triaged) == before


def test_completing_the_same_task_twice_changes_nothing_the_second_time(
    client_as,
    triaged,  # type: ignore[no-untyped-def]
) -> None:
    triage = Task.objects.get(instance__record=triaged, node_id="triage")
    before = snapshot(triaged)

    response = client_as("dieuphoi").post(task_url(triage), {"action": "accept", "severity": "2"})

    assert response.status_code == 409
    assert vi("This task is no longer open; someone may have completed it.") in html(response)
    assert snapshot(triaged) == before
    assert triaged.data["severity"] == 4


@pytest.mark.parametrize("username", ["thoatnuoc", "ninhkieu", "congdan"])
def test_officials_of_other_agencies_cannot_see_or_complete_the_task(
    client_as,
    submit_report,
    username: str,  # type: ignore[no-untyped-def]
) -> None:
    record = submit_report().record
    task = open_task(record)
    before = snapshot(record)
    client = client_as(username)

    assert client.get(task_url(task)).status_code == 404
    response = client.post(task_url(task), {"action": "accept", "severity": "5"})

    assert response.status_code in {403, 404}
    assert snapshot(record) == before
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_unknown_task_is_not_found(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("dieuphoi").get("/workspace/tasks/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("severity", "message"),
    [("abc", ("Enter a number.", {})), ("9", ("Enter a number of at most %(max)s.", {"max": 5}))],
)
def test_invalid_severity_is_refused_with_a_field_message(
    client_as,
    submit_report,
    severity: str,
    message: tuple[str, dict[str, int]],  # type: ignore[no-untyped-def]
) -> None:
    record = submit_report().record
    task = open_task(record)
    before = snapshot(record)

    response = client_as("dieuphoi").post(
        task_url(task), {"action": "accept", "severity": severity, "triage_note": "Ghi chú"}
    )

    assert response.status_code == 400
    page = html(response)
    field = page.split('class="ws-field ws-field--error"')[1].split("</div>")[0]
    assert 'name="severity"' in field
    assert vi(message[0], **message[1]) in field
    assert f'value="{severity}"' in field  # what was typed is shown again
    assert ">Ghi chú</textarea>" in page
    assert snapshot(record) == before
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_unknown_action_is_refused_and_the_task_stays_open(client_as, submit_report) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record
    task = open_task(record)
    before = snapshot(record)

    response = client_as("dieuphoi").post(task_url(task), {"action": "explode", "severity": "3"})

    assert response.status_code == 400
    assert vi("This action is not available for this task.") in html(response)
    assert snapshot(record) == before


def test_fields_the_task_may_not_edit_are_ignored(client_as, submit_report) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record

    response = client_as("dieuphoi").post(
        task_url(open_task(record)),
        {"action": "accept", "severity": "3", "resolution_note": "sneaky", "description": "x"},
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert "resolution_note" not in record.data
    assert record.data["description"].startswith("Đường 30 Tháng 4")


def test_completed_task_stays_readable_by_its_agency_and_role(client_as, triaged) -> None:  # type: ignore[no-untyped-def]
    triage = Task.objects.get(instance__record=triaged, node_id="triage")

    response = client_as("dieuphoi").get(task_url(triage))

    assert response.status_code == 200
    page = html(response)
    assert 'name="action"' not in page
    assert '<form method="post" action="/workspace/tasks/' not in page
    assert "Nguyễn Văn Điều" in page
    accept = next(a for a in triage.actions if a["key"] == "accept")
    assert translated(accept["label"], "vi") in page


def test_drainage_officer_resolves_and_the_case_closes(client_as, triaged) -> None:  # type: ignore[no-untyped-def]
    handling = open_task(triaged)

    response = client_as("thoatnuoc").post(
        task_url(handling), {"action": "resolve", "resolution_note": "Đã nạo vét cống."}
    )

    assert response.status_code == 302
    triaged.refresh_from_db()
    assert triaged.status == Record.Status.CLOSED
    assert triaged.outcome == "resolved"
    assert triaged.data["resolution_note"] == "Đã nạo vét cống."
    assert not Task.objects.filter(instance__record=triaged, status=Task.Status.OPEN).exists()


def test_a_task_a_colleague_claimed_cannot_be_completed_from_the_workspace(
    submit_report: Any, client_as: Any, user: Any
) -> None:
    from apps.accounts.models import Agency, Membership, Role
    from apps.runtime.models import Task
    from apps.runtime.services import task_claim

    colleague = user("thoatnuoc")
    Membership.objects.create(user=colleague, agency=Agency.objects.get(code="ioc"),
                              role=Role.objects.get(key="dispatcher"))  # fmt: skip
    record = submit_report().record
    task = Task.objects.get(instance__record=record, status="open")
    task_claim(task=task, user=colleague)
    response = client_as("dieuphoi").post(f"/workspace/tasks/{task.uuid}/", {"action": "accept"})
    assert response.status_code == 409
    task.refresh_from_db()
    assert task.status == "open"
