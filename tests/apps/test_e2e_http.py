"""The whole life of field reports, through the HTTP API only: a citizen submits, follows
the case, officials list and complete their tasks, and the event log tells every step."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from apps.accounts.models import User
from apps.runtime.models import Task
from tests.conftest import FLOODING_REPORT

SUBMIT_URL = "/api/v1/forms/field_reports/citizen_report/submissions/"
STATUS_URL = "/api/v1/status/{code}/"


def _json(client: Client, method: str, url: str, body: Any = None, **extra: Any) -> Any:
    if method == "get":
        return client.get(url, body or {}, HTTP_ACCEPT_LANGUAGE="en", **extra)
    return client.post(
        url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **extra
    )


def _signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _tasks(client: Client) -> list[dict[str, Any]]:
    response = _json(client, "get", "/api/v1/tasks/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return list(body["results"])


def _submit(report: dict[str, Any]) -> dict[str, Any]:
    response = _json(Client(), "post", SUBMIT_URL, report)
    assert response.status_code == 201, response.content
    return dict(response.json())


def _status(receipt: dict[str, Any]) -> dict[str, Any]:
    response = _json(
        Client(),
        "get",
        STATUS_URL.format(code=receipt["tracking_code"]),
        {"secret": receipt["secret"]},
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def _complete(client: Client, task_id: str, action: str, data: dict[str, Any]) -> Any:
    return _json(
        client, "post", f"/api/v1/tasks/{task_id}/complete/", {"action": action, "data": data}
    )


def test_flooding_report_goes_from_citizen_to_drainage_company_and_back(demo: None) -> None:
    # A citizen (anonymous) reports flooding in Ninh Kiều, with JSON values.
    report = {
        **FLOODING_REPORT,
        "flood_depth_cm": 40,
        "location": {"lat": 10.0286, "lng": 105.7703, "address": "Đường 30/4, Ninh Kiều"},
    }
    receipt = _submit(report)
    assert receipt["record"]["status"] == "in_progress"
    assert receipt["record"]["data"]["flood_depth_cm"] == 40
    assert receipt["status_url"].endswith(
        f"/api/v1/status/{receipt['tracking_code']}/?secret={receipt['secret']}"
    )
    record_id = receipt["record"]["id"]

    # The citizen follows the case: in progress, at the operations centre's triage.
    status = Client().get(receipt["status_url"], HTTP_ACCEPT_LANGUAGE="en").json()
    assert status["tracking_code"] == receipt["tracking_code"]
    assert status["status"] == "in_progress"
    assert status["outcome"] == ""
    assert status["current_agency"] == {"code": "ioc", "name": "Intelligent Operations Centre"}
    assert [(e["kind"], e["label"]) for e in status["timeline"]] == [
        ("case_started", "Received"),
        ("task_created", "The operations centre is triaging it"),
    ]
    assert status["timeline"][1]["agency"]["code"] == "ioc"

    # The dispatcher sees the triage task and routes it with severity 4.
    dispatcher = _signed_in("dieuphoi")
    [triage] = _tasks(dispatcher)
    assert triage["node"] == "triage"
    assert triage["label"] == "Triage the report"
    assert triage["agency"]["code"] == "ioc"
    assert triage["role"] == "dispatcher"
    assert [a["key"] for a in triage["actions"]] == ["accept", "reject"]
    assert triage["fields"] == ["category", "severity", "triage_note"]
    assert triage["record"] == {
        "id": record_id,
        "tracking_code": receipt["tracking_code"],
        "status": "in_progress",
    }
    detail = _json(dispatcher, "get", f"/api/v1/tasks/{triage['id']}/").json()
    assert detail["record"]["data"]["category"] == "flooding"
    assert [f["key"] for f in detail["form"]] == ["category", "severity", "triage_note"]
    done = _complete(dispatcher, triage["id"], "accept", {"severity": 4})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    assert done.json()["action"] == "accept"
    assert done.json()["completed_by"] == "Nguyễn Văn Điều"
    assert done.json()["record"]["status"] == "in_progress"
    assert done.json()["record"]["data"]["severity"] == 4

    # The drainage company gets the handling task; nobody else has anything.
    assert _tasks(dispatcher) == []
    assert _tasks(_signed_in("giaothong")) == []
    drainage = _signed_in("thoatnuoc")
    [handling] = _tasks(drainage)
    assert handling["node"] == "handle_drainage"
    assert handling["agency"]["code"] == "ctn_cantho"
    assert handling["actions"] == [{"key": "resolve", "label": "Resolved"}]
    assert _status(receipt)["current_agency"]["code"] == "ctn_cantho"

    done = _complete(drainage, handling["id"], "resolve", {"resolution_note": "Đã nạo vét cống."})
    assert done.status_code == 200, done.content
    assert done.json()["record"]["status"] == "closed"
    assert _tasks(drainage) == []

    # The citizen sees the case closed, resolved.
    status = _status(receipt)
    assert status["status"] == "closed"
    assert status["outcome"] == "resolved"
    assert status["outcome_label"] == "Resolved"
    assert status["current_agency"] is None
    assert status["closed_at"] is not None
    assert status["timeline"][-1]["kind"] == "case_closed"

    # The drainage officer reads the whole event log, in order, with actors.
    response = _json(drainage, "get", f"/api/v1/records/{record_id}/")
    assert response.status_code == 200, response.content
    record = response.json()
    assert record["tracking_code"] == receipt["tracking_code"]
    assert record["status"] == "closed"
    assert record["outcome"] == "resolved"
    assert record["data"]["severity"] == 4
    assert record["data"]["resolution_note"] == "Đã nạo vét cống."
    steps = [
        (
            e["kind"],
            e["node"],
            e["actor"]["kind"],
            e["actor"]["name"],
            (e["agency"] or {}).get("code"),
        )
        for e in record["events"]
    ]
    assert steps == [
        ("case_started", "start", "citizen", steps[0][3], None),
        ("task_created", "triage", "citizen", steps[1][3], "ioc"),
        ("task_completed", "triage", "user", "Nguyễn Văn Điều", "ioc"),
        ("decision_taken", "route", "user", "Nguyễn Văn Điều", None),
        ("task_created", "handle_drainage", "user", "Nguyễn Văn Điều", "ctn_cantho"),
        ("task_completed", "handle_drainage", "user", "Trần Thị Nước", "ctn_cantho"),
        ("case_closed", "resolved", "user", "Trần Thị Nước", None),
    ]
    completed = record["events"][2]
    assert completed["data"]["action"] == "accept"
    assert completed["data"]["changes"] == {"severity": 4}
    assert record["events"][3]["data"]["target"] == "handle_drainage"
    assert all(record["events"][i]["at"] <= record["events"][i + 1]["at"] for i in range(6))


def test_rejected_report_closes_without_a_handling_task(demo: None) -> None:
    receipt = _submit(FLOODING_REPORT)
    dispatcher = _signed_in("dieuphoi")
    [triage] = _tasks(dispatcher)
    done = _complete(
        dispatcher, triage["id"], "reject", {"triage_note": "Trùng với phản ánh trước."}
    )
    assert done.status_code == 200, done.content
    assert done.json()["record"]["status"] == "closed"

    status = _status(receipt)
    assert (status["status"], status["outcome"]) == ("closed", "rejected")
    assert status["outcome_label"] == "Rejected"
    assert [e["kind"] for e in status["timeline"]] == [
        "case_started",
        "task_created",
        "task_completed",
        "case_closed",
    ]
    for username in ("thoatnuoc", "giaothong", "moitruong", "ninhkieu", "cairang", "dieuphoi"):
        assert _tasks(_signed_in(username)) == []
    assert not Task.objects.exclude(node_id="triage").exists()

    record = _json(dispatcher, "get", f"/api/v1/records/{receipt['record']['id']}/").json()
    assert [e["kind"] for e in record["events"]] == [
        "case_started",
        "task_created",
        "task_completed",
        "case_closed",
    ]
    assert record["events"][-1]["node"] == "rejected"


@pytest.mark.parametrize(
    ("overrides", "officer", "agency", "node"),
    [
        ({"category": "pothole"}, "giaothong", "sgtvt", "handle_transport"),
        (
            {"category": "other", "other_category": "Cây đổ chắn đường", "district": "cai_rang"},
            "cairang",
            "cai_rang",
            "handle_district",
        ),
    ],
    ids=["pothole-to-transport", "other-in-cai-rang-to-district"],
)
def test_reports_route_by_category_and_district(
    demo: None, overrides: dict[str, Any], officer: str, agency: str, node: str
) -> None:
    report = {k: v for k, v in FLOODING_REPORT.items() if k != "flood_depth_cm"}
    receipt = _submit({**report, **overrides})
    dispatcher = _signed_in("dieuphoi")
    [triage] = _tasks(dispatcher)
    assert _complete(dispatcher, triage["id"], "accept", {"severity": 2}).status_code == 200

    # Token authentication, as an integration would use it.
    token = Token.objects.create(user=User.objects.get(username=officer))
    integration = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    [handling] = _tasks(integration)
    assert (handling["node"], handling["agency"]["code"]) == (node, agency)
    assert handling["record"]["tracking_code"] == receipt["tracking_code"]
    assert _tasks(_signed_in("thoatnuoc")) == []
    assert _status(receipt)["current_agency"]["code"] == agency

    done = _complete(integration, handling["id"], "resolve", {"resolution_note": "Xong."})
    assert done.status_code == 200, done.content
    assert _status(receipt)["outcome"] == "resolved"


def test_an_integration_lists_tasks_with_an_api_token(demo: None) -> None:
    _submit(FLOODING_REPORT)
    token = Token.objects.create(user=User.objects.get(username="dieuphoi"))
    response = Client().get("/api/v1/tasks/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert [t["node"] for t in response.json()["results"]] == ["triage"]

    refused = Client().get("/api/v1/tasks/", HTTP_AUTHORIZATION="Token not-a-valid-token")
    assert refused.status_code in (401, 403)
    assert refused.json()["error"]["code"] == "authentication_failed"
