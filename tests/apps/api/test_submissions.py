"""Submitting forms through the API: JSON, multipart with photos, signed in or not."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.builder.models import App
from apps.records.models import Attachment, Record
from tests.conftest import FLOODING_REPORT

SUBMIT_URL = "/api/v1/forms/field_reports/citizen_report/submissions/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _multipart(report: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in report.items() if k != "location"}
    for part, value in report["location"].items():
        body[f"location.{part}"] = value
    return body


def test_a_multipart_submission_keeps_its_photos(demo: None) -> None:
    body = _multipart(FLOODING_REPORT)
    body["photos"] = [
        SimpleUploadedFile("../../ngap 1.png", PNG, content_type="image/png"),
        SimpleUploadedFile("ngap2.png", PNG, content_type="image/png"),
    ]
    response = Client().post(SUBMIT_URL, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.content
    data = response.json()["record"]["data"]
    assert data["location"] == {"lat": 10.0286, "lng": 105.7703, "address": "Đường 30/4, Ninh Kiều"}
    assert data["flood_depth_cm"] == 40
    assert [photo["name"] for photo in data["photos"]] == ["ngap 1.png", "ngap2.png"]
    assert {photo["content_type"] for photo in data["photos"]} == {"image/png"}
    record = Record.objects.get(uuid=response.json()["record"]["id"])
    assert record.attachments.count() == 2


def test_a_location_may_be_one_json_part(demo: None) -> None:
    body = {**FLOODING_REPORT, "location": '{"lat": 10.03, "lng": 105.77}'}
    response = Client().post(SUBMIT_URL, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.content
    assert response.json()["record"]["data"]["location"] == {"lat": 10.03, "lng": 105.77}


def test_refused_photos_are_not_kept(demo: None) -> None:
    body = _multipart(FLOODING_REPORT)
    body["photos"] = [SimpleUploadedFile("note.png", b"just text", content_type="image/png")]
    response = Client().post(SUBMIT_URL, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    [message] = response.json()["error"]["details"]["photos"]
    assert "note.png is not an accepted type of file" in message
    assert Attachment.objects.count() == 0
    assert Record.objects.count() == 0


def test_a_signed_in_citizen_can_read_their_own_record(demo: None, client_as: Any) -> None:
    citizen = client_as("congdan")
    response = citizen.post(SUBMIT_URL, FLOODING_REPORT, content_type="application/json")
    assert response.status_code == 201, response.content
    record_id = response.json()["record"]["id"]
    assert Record.objects.get(uuid=record_id).submitted_by.username == "congdan"
    record = citizen.get(f"/api/v1/records/{record_id}/")
    assert record.status_code == 200
    assert record.json()["events"][0]["kind"] == "case_started"
    assert Client().get(f"/api/v1/records/{record_id}/").status_code in (401, 403)
    assert client_as("giaothong").get(f"/api/v1/records/{record_id}/").status_code == 404


def test_builders_list_the_apps_they_may_build(demo: None, client_as: Any) -> None:
    response = client_as("xaydungapp").get("/api/v1/apps/", HTTP_ACCEPT_LANGUAGE="en")
    apps = {app["key"]: app for app in response.json()["results"]}
    assert set(apps) == set(App.objects.values_list("key", flat=True))
    field_reports = apps["field_reports"]
    assert field_reports["label"] == "Field reports"
    assert [(v["status"], v["number"]) for v in field_reports["versions"]] == [
        ("draft", None),
        ("published", 1),
    ]
    assert client_as("dieuphoi").get("/api/v1/apps/").json()["results"] == []
