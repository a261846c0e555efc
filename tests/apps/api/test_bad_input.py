"""Whatever a client sends, the API answers with a clear 4xx and the error body
``{"error": {"code", "message", "details"}}`` — never a 500 — and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from apps.records.models import Attachment, Record
from apps.runtime.models import Event, ProcessInstance, Task
from tests.conftest import FLOODING_REPORT

SUBMIT_URL = "/api/v1/forms/field_reports/citizen_report/submissions/"


def _post(client: Client, url: str, body: Any, language: str = "en", **extra: Any) -> Any:
    return client.post(
        url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language, **extra
    )


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return dict(body["error"])


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Record, ProcessInstance, Task, Event, Attachment)
    )


@pytest.fixture
def unchanged(demo: None) -> Iterator[None]:
    """The test must leave no record, case, task, event or attachment behind."""
    before = _counts()
    yield
    assert _counts() == before


# --------------------------------------------------------------------------- submissions


def test_missing_required_fields_are_named_one_by_one(unchanged: None) -> None:
    error = _error(_post(Client(), SUBMIT_URL, {}), 400, "invalid_submission")
    assert error["message"] == "Some answers need your attention."
    assert error["details"] == {
        "category": ["This field is required."],
        "description": ["This field is required."],
        "location": ["This field is required."],
        "district": ["This field is required."],
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"flood_depth_cm": "abc"}, "flood_depth_cm", "Enter a number."),
        ({"flood_depth_cm": 12.5}, "flood_depth_cm", "Enter a whole number."),
        ({"flood_depth_cm": 10**400}, "flood_depth_cm", "Enter a number."),
        ({"flood_depth_cm": [1, 2]}, "flood_depth_cm", "Enter a number."),
        ({"flood_depth_cm": True}, "flood_depth_cm", "Enter a number."),
        (
            {"location": {"lat": 91, "lng": 105.77}},
            "location",
            "Enter a latitude between -90 and 90 and a longitude between -180 and 180.",
        ),
        (
            {"location": {"lat": "north", "lng": [1]}},
            "location",
            "Enter a latitude between -90 and 90 and a longitude between -180 and 180.",
        ),
        (
            {"location": "10.03,105.77"},
            "location",
            "Enter a latitude between -90 and 90 and a longitude between -180 and 180.",
        ),
        ({"category": "earthquake"}, "category", "Choose one of the options offered."),
        ({"category": {"value": "flooding"}}, "category", "Choose one of the options offered."),
        ({"district": "hanoi"}, "district", "Choose one of the agencies offered."),
        ({"district": "ioc"}, "district", "Choose one of the agencies offered."),
        ({"description": 12345678901}, "description", "Enter text."),
        ({"description": "short"}, "description", "Enter at least 10 characters."),
        ({"description": "x" * 3001}, "description", "Enter at most 3000 characters."),
        (
            {"reporter_phone": "901234567"},
            "reporter_phone",
            "The phone number must start with 0 or +.",
        ),
        (
            {
                "photos": [
                    {"id": "forged", "name": "a.jpg", "content_type": "image/jpeg", "size": 1}
                ]
            },
            "photos",
            "Files cannot be sent in JSON; send the form as multipart/form-data with the "
            "files as file parts.",
        ),
        (
            {"photos": "data:image/png;base64,iVBORw0KGgo="},
            "photos",
            "Files cannot be sent in JSON; send the form as multipart/form-data with the "
            "files as file parts.",
        ),
    ],
    ids=lambda value: str(value)[:40] if not isinstance(value, str) else value[:20],
)
def test_wrong_values_are_refused_with_a_message_for_the_field(
    unchanged: None, changes: dict[str, Any], field: str, message: str
) -> None:
    error = _error(
        _post(Client(), SUBMIT_URL, {**FLOODING_REPORT, **changes}), 400, "invalid_submission"
    )
    assert error["details"] == {field: [message]}


@pytest.mark.parametrize(
    "number", ["1e400", "-1e400", "1" + "0" * 400, "9" * 5000], ids=["exp", "-exp", "400", "5000"]
)
def test_numbers_beyond_floats_are_refused_for_the_field(unchanged: None, number: str) -> None:
    text = '{"category": "flooding", "flood_depth_cm": ' + number + "}"
    error = _error(_post(Client(), SUBMIT_URL, text), 400, "invalid_submission")
    assert error["details"]["flood_depth_cm"] == ["Enter a number."]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "Ngập sâu\u0000 sau mưa lớn"}, "description"),
        ({"location": {"lat": 10.03, "lng": 105.77, "address": "\u0000"}}, "location"),
    ],
)
def test_nul_characters_are_refused_for_the_field(
    unchanged: None, changes: dict[str, Any], field: str
) -> None:
    error = _error(
        _post(Client(), SUBMIT_URL, {**FLOODING_REPORT, **changes}), 400, "invalid_submission"
    )
    assert error["details"] == {
        field: ["Remove the invisible control characters (NUL) from this answer."]
    }


def test_a_json_body_over_the_upload_limit_is_refused(unchanged: None, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {**FLOODING_REPORT, "description": "x" * 2000}
    _error(_post(Client(), SUBMIT_URL, body), 413, "too_large")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('[{"category": "flooding"}]', "invalid_body"),
        ('"flooding"', "invalid_body"),
        ("null", "invalid_body"),
        ('{"category": "flooding",', "parse_error"),
        ("{'category': 'flooding'}", "parse_error"),
        ('{"flood_depth_cm": NaN}', "parse_error"),
        ("[" * 100_000 + "]" * 100_000, "parse_error"),
        (b'{"description": "\xff\xfe"}', "parse_error"),
    ],
    ids=["array", "string", "null", "truncated", "single-quotes", "nan", "deep", "not-utf8"],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    unchanged: None, body: str | bytes, code: str
) -> None:
    error = _error(_post(Client(), SUBMIT_URL, body), 400, code)
    if code == "invalid_body":
        assert error["message"] == "The request body must be a JSON object."
    else:
        assert error["message"].startswith("The request body could not be read")


def test_unsupported_content_type_is_refused(unchanged: None) -> None:
    response = Client().post(
        SUBMIT_URL, "category=flooding", content_type="text/plain", HTTP_ACCEPT_LANGUAGE="en"
    )
    error = _error(response, 415, "unsupported_media_type")
    assert error["details"] == {"media_type": "text/plain"}


def test_a_file_sent_to_a_field_that_takes_none_is_refused(unchanged: None) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {k: v for k, v in FLOODING_REPORT.items() if k != "location"}
    body |= {"location.lat": "10.03", "location.lng": "105.77"}
    body["description"] = SimpleUploadedFile("d.txt", b"not a description")  # type: ignore[assignment]
    response = Client().post(SUBMIT_URL, body, HTTP_ACCEPT_LANGUAGE="en")
    error = _error(response, 400, "invalid_submission")
    assert error["details"] == {"description": ["This field does not accept files."]}


def test_an_oversized_body_is_refused_before_it_is_read(unchanged: None) -> None:
    response = Client().post(
        SUBMIT_URL,
        {"description": "x" * 100},
        content_type="application/json",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    _error(response, 413, "too_large")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/forms/field_reports/no_such_form/submissions/",
        "/api/v1/forms/no_such_app/citizen_report/submissions/",
    ],
)
def test_unknown_form_is_not_found(unchanged: None, url: str) -> None:
    error = _error(_post(Client(), url, FLOODING_REPORT), 404, "form_not_found")
    assert error["message"] == "This form does not exist or is not published."


def test_wrong_method_unknown_path_and_missing_slash_answer_with_the_error_body(
    unchanged: None,
) -> None:
    client = Client()
    error = _error(client.get(SUBMIT_URL, HTTP_ACCEPT_LANGUAGE="en"), 405, "method_not_allowed")
    assert error["details"] == {"method": "GET"}
    _error(client.get("/api/v1/nothing-here/"), 404, "not_found")
    _error(client.get("/api/v1/tasks/not-a-uuid/"), 404, "not_found")
    error = _error(_post(client, SUBMIT_URL.rstrip("/"), FLOODING_REPORT), 404, "not_found")
    assert error["message"] == "Not found. API paths end with a slash."


# --------------------------------------------------------------------------- status lookup


def test_wrong_tracking_code_or_secret_give_the_same_answer(submit_report: Any) -> None:
    submission = submit_report()
    code = submission.record.tracking_code
    client = Client()
    wrong_secret = client.get(f"/api/v1/status/{code}/", {"secret": "AAAAAAAA"})
    wrong_code = client.get("/api/v1/status/AAAA-AAAA/", {"secret": submission.secret})
    _error(wrong_secret, 404, "case_not_found")
    assert wrong_secret.content == wrong_code.content
    missing = _error(client.get(f"/api/v1/status/{code}/"), 400, "invalid_input")
    assert set(missing["details"]) == {"secret"}
    odd = client.get("/api/v1/status/%00%0A/", {"secret": submission.secret})
    assert odd.content == wrong_code.content
    # Codes are read aloud and typed from paper: case and spaces do not matter.
    lenient = client.get(f"/api/v1/status/{code.lower()}/", {"secret": submission.secret.lower()})
    assert lenient.status_code == 200


# --------------------------------------------------------------------------- tasks


@pytest.fixture
def triage(submit_report: Any) -> Task:
    submit_report()
    return Task.objects.get(node_id="triage")


def _complete(client: Client, task: Task, body: Any) -> Any:
    return _post(client, f"/api/v1/tasks/{task.uuid}/complete/", body)


def test_a_completed_task_cannot_be_completed_again(triage: Task, client_as: Any) -> None:
    dispatcher = client_as("dieuphoi")
    assert _complete(dispatcher, triage, {"action": "accept"}).status_code == 200
    before = _counts()
    error = _error(_complete(dispatcher, triage, {"action": "reject"}), 409, "task_not_open")
    assert error["message"] == "This task is no longer open; someone may have completed it."
    assert _counts() == before


@pytest.mark.parametrize("username", ["thoatnuoc", "giaothong", "congdan", "xaydungapp"])
def test_officials_of_other_agencies_cannot_see_or_complete_a_task(
    triage: Task, client_as: Any, username: str
) -> None:
    client = client_as(username)
    before = _counts()
    _error(client.get(f"/api/v1/tasks/{triage.uuid}/"), 404, "task_not_found")
    _error(_complete(client, triage, {"action": "accept"}), 404, "task_not_found")
    triage.refresh_from_db()
    assert triage.status == Task.Status.OPEN
    assert _counts() == before
    if username != "xaydungapp":  # an app builder of the triaging agency may read the case
        record = triage.instance.record
        _error(client.get(f"/api/v1/records/{record.uuid}/"), 404, "record_not_found")


@pytest.mark.parametrize(
    ("body", "status", "code", "details"),
    [
        ({"action": "approve"}, 400, "unknown_action", None),
        ({}, 400, "invalid_input", {"action": ["This field is required."]}),
        ({"action": ["accept"]}, 400, "invalid_input", {"action": ["Not a valid string."]}),
        (
            {"action": "accept", "data": {"description": "Changed by the dispatcher"}},
            400,
            "invalid_fields",
            {"description": ["This task may not change this field."]},
        ),
        (
            {"action": "accept", "data": {"severity": 9}},
            400,
            "invalid_fields",
            {"severity": ["Enter a number of at most 5."]},
        ),
        (
            {"action": "accept", "data": {"category": "earthquake"}},
            400,
            "invalid_fields",
            {"category": ["Choose one of the options offered."]},
        ),
        (
            {"action": "accept", "data": ["severity", 4]},
            400,
            "invalid_input",
            {"data": ['Expected a dictionary of items but got type "list".']},
        ),
        ([{"action": "accept"}], 400, "invalid_body", None),
    ],
    ids=[
        "unknown-action",
        "no-action",
        "action-not-text",
        "field-not-editable",
        "value-out-of-range",
        "unknown-choice",
        "data-not-object",
        "body-not-object",
    ],
)
def test_invalid_completions_are_refused_and_change_nothing(
    triage: Task, client_as: Any, body: Any, status: int, code: str, details: Any
) -> None:
    before = _counts()
    error = _error(_complete(client_as("dieuphoi"), triage, body), status, code)
    if details is not None:
        assert error["details"] == details
    triage.refresh_from_db()
    assert triage.status == Task.Status.OPEN
    assert triage.instance.record.data.get("severity") is None
    assert _counts() == before


def test_nul_characters_in_task_data_are_refused(triage: Task, client_as: Any) -> None:
    body = {"action": "accept", "data": {"triage_note": "a\u0000b"}}
    error = _error(_complete(client_as("dieuphoi"), triage, body), 400, "invalid_fields")
    assert set(error["details"]) == {"triage_note"}
    triage.refresh_from_db()
    assert triage.status == Task.Status.OPEN


def test_session_clients_must_send_the_csrf_token(triage: Task, user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("dieuphoi"))
    error = _error(_complete(client, triage, {"action": "accept"}), 403, "permission_denied")
    assert "CSRF" in error["details"]
    triage.refresh_from_db()
    assert triage.status == Task.Status.OPEN


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/tasks/"),
        ("get", "/api/v1/tasks/00000000-0000-0000-0000-000000000000/"),
        ("post", "/api/v1/tasks/00000000-0000-0000-0000-000000000000/complete/"),
        ("get", "/api/v1/records/00000000-0000-0000-0000-000000000000/"),
        ("get", "/api/v1/apps/"),
    ],
)
def test_anonymous_clients_are_refused_on_officials_endpoints(
    demo: None, method: str, url: str
) -> None:
    response = getattr(Client(), method)(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (401, 403)
    error = _error(response, response.status_code, "not_authenticated")
    assert error["message"] == "Sign in, or send an API token, to do this."


# --------------------------------------------------------------------------- languages


def test_messages_are_in_english_when_asked(unchanged: None) -> None:
    error = _error(_post(Client(), SUBMIT_URL, {}, language="en"), 400, "invalid_submission")
    assert error["message"] == "Some answers need your attention."
    assert error["details"]["category"] == ["This field is required."]


def test_messages_are_in_vietnamese_by_default(unchanged: None) -> None:
    english = _error(_post(Client(), SUBMIT_URL, {}, language="en"), 400, "invalid_submission")
    vietnamese = _error(
        Client().post(SUBMIT_URL, {}, content_type="application/json"), 400, "invalid_submission"
    )
    assert vietnamese["message"] != english["message"]
    assert vietnamese["details"]["category"] != english["details"]["category"]
    anonymous = Client().get("/api/v1/tasks/", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert anonymous["error"]["message"] != "Sign in, or send an API token, to do this."
