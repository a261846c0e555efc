"""Open311 GeoReport v2 at /open311/v2/, checked against the specification's examples
(wiki.open311.org/GeoReport_v2): services, service definitions, posting requests with an
API key, searching requests, errors, XML and JSON carrying the same data."""

from __future__ import annotations

import copy
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from apps.builder.models import App
from apps.builder.selectors import latest_published, version_bundle
from apps.builder.services import bundle_export, bundle_import
from apps.portal.models import Open311ApiKey, Open311Request
from apps.portal.open311.services import DEMO_API_KEY, api_key_create
from apps.records.models import Comment, Record
from apps.runtime.models import Task
from apps.runtime.services import task_complete

BASE = "/open311/v2"
W3_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
REPORT: dict[str, str] = {
    "api_key": DEMO_API_KEY,
    "service_code": "field_report",
    "lat": "10.0286",
    "long": "105.7703",
    "address_string": "Đường 30/4, Ninh Kiều",
    "description": "Cống bị nghẹt, nước tràn lên mặt đường sau mưa.",
    "first_name": "Mai",
    "last_name": "Nguyễn Thị",
    "phone": "0901234567",
    "email": "mai.nguyen@example.vn",
    "attribute[category]": "flooding",
    "attribute[district]": "ninh_kieu",
}
PERSONAL = ["Mai", "Nguyễn Thị", "0901234567", "mai.nguyen@example.vn", "Nguyễn Thị Mai"]


def xml_of(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def json_of(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def spark(element: ET.Element) -> Any:
    """The JSON the specification's Spark convention makes of an XML element."""
    children = list(element)
    if not children:
        return element.text
    if all(child.tag == children[0].tag for child in children) and element.tag in {
        "services",
        "service_requests",
        "errors",
        "attributes",
        "values",
        "endpoints",
        "formats",
    }:
        return [spark(child) for child in children]
    return {child.tag: spark(child) for child in children}


def as_text(value: Any) -> Any:
    """JSON values as XML text: booleans as true/false, numbers as digits, null as None."""
    if isinstance(value, dict):
        return {key: as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_text(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def post(client: Client, fmt: str = "json", **changes: Any) -> Any:
    data = {**REPORT, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"{BASE}/requests.{fmt}", data)


def errors(response: Any) -> list[str]:
    body = json_of(response)
    assert all(set(error) == {"code", "description"} for error in body)
    assert {error["code"] for error in body} == {response.status_code}
    return [error["description"] for error in body]


@pytest.fixture
def client() -> Client:
    return Client()


# --------------------------------------------------------------------------- services


def test_services_list_offers_the_field_report_form(demo: None, client: Client) -> None:
    response = client.get(f"{BASE}/services.json")

    assert response.status_code == 200
    assert json_of(response) == [
        {
            "service_code": "field_report",
            "service_name": "Phản ánh hiện trường",
            "description": "Gửi phản ánh về sự cố đô thị. Bạn sẽ nhận mã tra cứu để theo dõi "
            "kết quả xử lý.",
            "metadata": True,
            "type": "realtime",
            "keywords": "ngập, ổ gà, rác, đèn đường, flooding, pothole, garbage, street light",
            "group": "Hạ tầng đô thị",
        }
    ]


def test_services_list_in_xml_carries_the_same_data(demo: None, client: Client) -> None:
    as_json = json_of(client.get(f"{BASE}/services.json"))

    root = xml_of(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    assert [child.tag for child in root] == ["service"]
    assert spark(root) == as_text(as_json)


def test_services_list_in_english_with_the_locale_argument(demo: None, client: Client) -> None:
    (service,) = json_of(client.get(f"{BASE}/services.json?locale=en_US"))

    assert service["service_name"] == "Report a problem"
    assert service["group"] == "Urban infrastructure"


def test_service_definition_describes_the_attributes(demo: None, client: Client) -> None:
    response = client.get(f"{BASE}/services/field_report.json?locale=en")

    assert response.status_code == 200
    definition = json_of(response)
    assert definition["service_code"] == "field_report"
    attributes = {a["code"]: a for a in definition["attributes"]}
    # The standard arguments' fields and files are not attributes.
    assert list(attributes) == [
        "category",
        "other_category",
        "flood_depth_cm",
        "district",
        "wants_updates",
    ]
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3, 4, 5]
    assert all(a["variable"] is True for a in definition["attributes"])
    category = attributes["category"]
    assert category["datatype"] == "singlevaluelist"
    assert category["required"] is True
    assert category["description"] == "Kind of problem"
    assert category["values"] == [
        {"key": "flooding", "name": "Flooding"},
        {"key": "pothole", "name": "Pothole, damaged road"},
        {"key": "garbage", "name": "Garbage, sanitation"},
        {"key": "streetlight", "name": "Broken street light"},
        {"key": "other", "name": "Other"},
    ]
    assert attributes["other_category"]["datatype"] == "string"
    assert attributes["other_category"]["required"] is False
    assert "values" not in attributes["other_category"]
    depth = attributes["flood_depth_cm"]
    assert depth["datatype"] == "number"
    assert depth["datatype_description"] == (
        "Enter a whole number. Enter a number of at least 0. Enter a number of at most 300."
    )
    district = attributes["district"]
    assert (district["datatype"], district["required"]) == ("singlevaluelist", True)
    assert {"key": "ninh_kieu", "name": "Ninh Kieu District People's Committee"} in district[
        "values"
    ]
    assert "tan_an" not in {value["key"] for value in district["values"]}  # a ward
    assert attributes["wants_updates"]["values"] == [
        {"key": "true", "name": "Yes"},
        {"key": "false", "name": "No"},
    ]


def test_service_definition_in_xml_carries_the_same_data(demo: None, client: Client) -> None:
    as_json = json_of(client.get(f"{BASE}/services/field_report.json"))

    root = xml_of(client.get(f"{BASE}/services/field_report.xml"))

    assert root.tag == "service_definition"
    assert [child.tag for child in root] == ["service_code", "attributes"]
    assert {child.tag for child in root.find("attributes")} == {"attribute"}  # type: ignore[union-attr]
    assert spark(root) == as_text(as_json)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_in_the_error_format(demo: None, client: Client, fmt: str) -> None:
    response = client.get(f"{BASE}/services/no_such_thing.{fmt}?locale=en")

    assert response.status_code == 404
    if fmt == "json":
        assert errors(response) == ["service_code: This service does not exist."]
    else:
        root = xml_of(response)
        assert root.tag == "errors"
        assert spark(root) == [
            {"code": "404", "description": "service_code: This service does not exist."}
        ]


@pytest.mark.parametrize(
    "path", ["services.csv", "services", "requests.yaml", "services/field_report.html", "x"]
)
def test_unknown_formats_and_addresses_are_404(demo: None, client: Client, path: str) -> None:
    response = client.get(f"{BASE}/{path}")

    assert response.status_code == 404
    assert xml_of(response).tag == "errors"


def test_discovery_names_the_endpoint_and_its_formats(demo: None, client: Client) -> None:
    document = json_of(client.get(f"{BASE}/discovery.json"))

    (endpoint,) = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert W3_DATETIME.match(document["changeset"])
    assert spark(xml_of(client.get(f"{BASE}/discovery.xml"))) == as_text(document)


# --------------------------------------------------------------------------- POST requests


def test_posting_a_request_with_the_demo_key_starts_its_workflow(
    demo: None, client: Client
) -> None:
    response = post(client)

    assert response.status_code == 200
    (created,) = json_of(response)
    assert list(created) == ["service_request_id", "service_notice", "account_id"]
    assert created["account_id"] is None
    record = Record.objects.get(tracking_code=created["service_request_id"])
    assert created["service_request_id"] in created["service_notice"]
    assert "http://testserver/status/" in created["service_notice"]
    assert record.form_key == "citizen_report"
    assert record.data == {
        "category": "flooding",
        "description": "Cống bị nghẹt, nước tràn lên mặt đường sau mưa.",
        "location": {"lat": 10.0286, "lng": 105.7703, "address": "Đường 30/4, Ninh Kiều"},
        "district": "ninh_kieu",
        "reporter_name": "Mai Nguyễn Thị",
        "reporter_phone": "0901234567",
        "reporter_email": "mai.nguyen@example.vn",
    }
    assert (record.latitude, record.longitude) == (10.0286, 105.7703)
    assert record.submitted_by is None
    assert record.current_agency.code == "ioc"  # type: ignore[union-attr]
    triage = Task.objects.get(instance__record=record)
    assert (triage.node_id, triage.status) == ("triage", Task.Status.OPEN)
    link = Open311Request.objects.get(record=record)
    assert (link.service_code, link.api_key.name) == ("field_report", "Demo Open311 client")  # type: ignore[union-attr]
    assert link.api_key.last_used_at is not None  # type: ignore[union-attr]


def test_posting_a_request_answers_in_xml(demo: None, client: Client) -> None:
    response = post(client, "xml")

    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert [child.tag for child in request] == [
        "service_request_id",
        "service_notice",
        "account_id",
    ]
    assert Record.objects.filter(tracking_code=request.findtext("service_request_id")).exists()
    assert request.findtext("account_id") == ""  # <account_id/>, as in the example


def test_posting_needs_no_csrf_token(demo: None) -> None:
    response = post(Client(enforce_csrf_checks=True))

    assert response.status_code == 200


@pytest.mark.parametrize("key", [None, "", "wrong-key", DEMO_API_KEY + "x", "inactive"])
def test_posting_without_a_valid_key_is_403(demo: None, client: Client, key: str | None) -> None:
    if key == "inactive":
        api_key, key = api_key_create(name="Old app")
        api_key.active = False
        api_key.save()

    response = post(client, api_key=key, locale="en")

    assert response.status_code == 403
    assert errors(response) == ["Missing or invalid api_key."]
    assert not Record.objects.exists()


def test_posting_without_a_key_in_xml_is_403_in_the_error_format(
    demo: None, client: Client
) -> None:
    response = post(client, "xml", api_key=None)

    assert response.status_code == 403
    root = xml_of(response)
    assert root.tag == "errors"
    (error,) = root
    assert error.findtext("code") == "403"
    assert error.findtext("description")


def test_posting_with_missing_answers_is_400_with_one_error_per_problem(
    demo: None, client: Client
) -> None:
    response = client.post(
        f"{BASE}/requests.json?locale=en",
        {"api_key": DEMO_API_KEY, "service_code": "field_report", "description": "Ngập"},
    )

    assert response.status_code == 400
    assert sorted(errors(response)) == [
        "attribute[category]: This field is required.",
        "attribute[district]: This field is required.",
        "description: Enter at least 10 characters.",
        "lat, long: This field is required.",
    ]
    assert not Record.objects.exists()


def test_errors_are_in_vietnamese_by_default(demo: None, client: Client) -> None:
    response = post(client, **{"attribute[district]": None})

    assert response.status_code == 400
    assert errors(response) == ["attribute[district]: Trường này là bắt buộc."]


def test_an_unknown_district_or_category_is_refused(demo: None, client: Client) -> None:
    response = post(
        client,
        locale="en",
        **{"attribute[district]": "tan_an", "attribute[category]": "volcano"},
    )

    assert response.status_code == 400
    assert sorted(errors(response)) == [
        "attribute[category]: Choose one of the options offered.",
        "attribute[district]: Choose one of the agencies offered.",
    ]


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"service_code": None}, 400, "service_code: This field is required."),
        ({"service_code": "nope"}, 404, "service_code: This service does not exist."),
        ({"lat": "north"}, 400, "lat, long: Enter a latitude between -90 and 90"),
        ({"long": None}, 400, "lat, long: Enter a latitude between -90 and 90"),
    ],
)
def test_posting_refusals_name_the_argument(
    demo: None, client: Client, changes: dict[str, Any], status: int, message: str
) -> None:
    response = client.post(
        f"{BASE}/requests.json?locale=en",
        {k: v for k, v in {**REPORT, **changes}.items() if v is not None},
    )

    assert response.status_code == status
    (description,) = errors(response)
    assert description.startswith(message)


def test_media_url_is_kept_as_a_note_and_never_fetched(demo: None, client: Client) -> None:
    url = "https://media.example.vn/anh/ngap-30-4.jpg"

    (created,) = json_of(post(client, media_url=url))

    record = Record.objects.get(tracking_code=created["service_request_id"])
    assert record.open311.media_url == url  # type: ignore[attr-defined]
    note = Comment.objects.get(record=record)
    assert note.internal and url in note.body and note.author is None
    (shown,) = json_of(client.get(f"{BASE}/requests/{record.tracking_code}.json"))
    assert shown["media_url"] == url


def test_a_media_url_that_is_not_a_web_address_is_refused(demo: None, client: Client) -> None:
    response = post(
        client, locale="en", media_url="javascript:alert(1)", **{"attribute[category]": None}
    )

    assert response.status_code == 400
    assert errors(response) == [
        "media_url: Enter a valid http or https address.",
        "attribute[category]: This field is required.",
    ]
    assert not Record.objects.exists()


def test_multivaluelist_and_boolean_attributes_are_read(demo: None, client: Client) -> None:
    (created,) = json_of(
        post(client, **{"attribute[wants_updates]": "true", "attribute[flood_depth_cm]": "35"})
    )

    record = Record.objects.get(tracking_code=created["service_request_id"])
    assert record.data["wants_updates"] is True
    assert record.data["flood_depth_cm"] == 35


@override_settings(OPEN311_RATE="3/minute")
def test_each_key_is_throttled_on_its_own(demo: None, client: Client) -> None:
    other, other_key = api_key_create(name="Second app")
    for _attempt in range(3):
        assert post(client).status_code == 200

    refused = post(client, locale="en")

    assert refused.status_code == 429
    assert errors(refused) == ["Too many requests; please wait a moment and try again."]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert post(client, api_key=other_key).status_code == 200
    assert Record.objects.count() == 4


def test_a_key_may_have_its_own_rate(demo: None, client: Client) -> None:
    _api_key, key = api_key_create(name="Tiny app", rate="1/hour")

    assert post(client, api_key=key).status_code == 200
    assert post(client, api_key=key).status_code == 429


def test_the_throttle_window_starts_again_after_its_period(demo: None, client: Client) -> None:
    api_key, key = api_key_create(name="Tiny app", rate="1/minute")
    assert post(client, api_key=key).status_code == 200
    Open311ApiKey.objects.filter(pk=api_key.pk).update(
        window_started_at=timezone.now() - timedelta(seconds=61)
    )

    assert post(client, api_key=key).status_code == 200


def test_a_body_that_cannot_be_read_is_400(demo: None, client: Client) -> None:
    fields = {f"attribute[x{i}]": "1" for i in range(1100)}

    response = client.post(f"{BASE}/requests.json?locale=en", {**REPORT, **fields})

    assert response.status_code == 400
    assert errors(response) == ["The request could not be read."]
    assert not Record.objects.exists()


def test_other_methods_are_405(demo: None, client: Client) -> None:
    response = client.put(f"{BASE}/services.json")

    assert response.status_code == 405
    assert errors(response)


# --------------------------------------------------------------------------- GET requests


@pytest.fixture
def posted(demo: None, client: Client) -> list[str]:
    """Three requests: flooding (open), pothole (open), garbage (closed, rejected)."""
    codes = []
    for category in ("flooding", "pothole", "garbage"):
        (created,) = json_of(post(client, **{"attribute[category]": category}))
        codes.append(created["service_request_id"])
    return codes


def close(code: str, user: Any) -> Record:
    record = Record.objects.get(tracking_code=code)
    task = Task.objects.get(instance__record=record, status=Task.Status.OPEN)
    task_complete(task=task, user=user("dieuphoi"), action="reject")
    record.refresh_from_db()
    return record


def test_requests_list_follows_the_specification(
    posted: list[str], client: Client, user: Any
) -> None:
    closed = close(posted[2], user)

    response = client.get(f"{BASE}/requests.json?locale=en")

    assert response.status_code == 200
    found = json_of(response)
    assert [r["service_request_id"] for r in found] == list(reversed(posted))
    assert all(list(r) == REQUEST_FIELDS for r in found)
    rejected, pothole, _flooding = found
    assert rejected["status"] == "closed"
    assert rejected["status_notes"] == "Rejected"
    assert rejected["agency_responsible"] is None
    assert (
        rejected["updated_datetime"]
        == timezone.localtime(closed.closed_at).replace(microsecond=0).isoformat()
    )
    assert pothole == {
        "service_request_id": posted[1],
        "status": "open",
        "status_notes": None,
        "service_name": "Report a problem",
        "service_code": "field_report",
        "description": "Cống bị nghẹt, nước tràn lên mặt đường sau mưa.",
        "agency_responsible": "Intelligent Operations Centre",
        "service_notice": None,
        "requested_datetime": pothole["requested_datetime"],
        "updated_datetime": pothole["updated_datetime"],
        "expected_datetime": pothole["expected_datetime"],
        "address": "Đường 30/4, Ninh Kiều",
        "address_id": None,
        "zipcode": None,
        "lat": 10.0286,
        "long": 105.7703,
        "media_url": None,
    }
    for request in found:
        assert W3_DATETIME.match(request["requested_datetime"])
        assert W3_DATETIME.match(request["updated_datetime"])
        assert request["expected_datetime"] is None or W3_DATETIME.match(
            request["expected_datetime"]
        )


def test_requests_list_in_xml_carries_the_same_data(
    posted: list[str], client: Client, user: Any
) -> None:
    close(posted[0], user)
    as_json = json_of(client.get(f"{BASE}/requests.json"))

    root = xml_of(client.get(f"{BASE}/requests.xml"))

    assert root.tag == "service_requests"
    assert {child.tag for child in root} == {"request"}
    assert spark(root) == as_text(as_json)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", [1, 0]),
        ("status=closed", [2]),
        ("status=open,closed", [2, 1, 0]),
        ("service_code=field_report", [2, 1, 0]),
        ("service_code=other_code", []),
        ("service_request_id={0},{2}", [2, 0]),
        ("service_request_id={1}&status=closed&service_code=x", [1]),  # ids override the rest
    ],
)
def test_requests_can_be_filtered(
    posted: list[str], client: Client, user: Any, query: str, expected: list[int]
) -> None:
    close(posted[2], user)

    response = client.get(f"{BASE}/requests.json?{query.format(*posted)}")

    assert response.status_code == 200
    assert [r["service_request_id"] for r in json_of(response)] == [posted[i] for i in expected]


def test_requests_are_searched_by_date(posted: list[str], client: Client) -> None:
    old = Record.objects.get(tracking_code=posted[0])
    Record.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))

    def found(query: str) -> list[str]:
        response = client.get(f"{BASE}/requests.json", {"locale": "en", **_dates(query)})
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in json_of(response)]

    assert found("") == [posted[2], posted[1]]  # the last 90 days by default
    assert found("start=-125,end=-115") == [posted[0]]
    assert found("start=-125") == [posted[0]]  # 90 days from the start
    assert found("end=-100") == [posted[0]]  # 90 days up to the end
    assert found("start=-1") == [posted[2], posted[1]]


def _dates(query: str) -> dict[str, str]:
    now = timezone.localtime()
    result = {}
    for part in filter(None, query.split(",")):
        name, days = part.split("=")
        moment = now + timedelta(days=int(days))
        result[f"{name}_date"] = moment.replace(microsecond=0).isoformat()
    return result


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start_date=yesterday", "start_date: Enter a date and time in ISO 8601"),
        ("end_date=2026-13-01T00:00:00Z", "end_date: Enter a date and time in ISO 8601"),
        (
            "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "start_date, end_date: The dates must be in order and no more than 90 days apart.",
        ),
        ("status=pending", "status: Use open or closed"),
    ],
)
def test_bad_search_arguments_are_400(demo: None, client: Client, query: str, message: str) -> None:
    response = client.get(f"{BASE}/requests.json?locale=en&{query}")

    assert response.status_code == 400
    (description,) = errors(response)
    assert description.startswith(message)


def test_dates_with_z_and_offsets_are_understood(posted: list[str], client: Client) -> None:
    start = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = timezone.localtime(timezone.now() + timedelta(hours=1)).isoformat()

    response = client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end})

    assert len(json_of(response)) == 3


def test_one_request_is_a_list_of_one(posted: list[str], client: Client) -> None:
    response = client.get(f"{BASE}/requests/{posted[1].lower()}.json")

    assert response.status_code == 200
    (request,) = json_of(response)
    assert request["service_request_id"] == posted[1]
    root = xml_of(client.get(f"{BASE}/requests/{posted[1]}.xml"))
    assert spark(root) == as_text([request])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_is_404(demo: None, client: Client, fmt: str) -> None:
    response = client.get(f"{BASE}/requests/ABCD-EFGH.{fmt}")

    assert response.status_code == 404


def test_records_of_forms_not_offered_are_not_requests(
    submit_report: Any, demo: None, client: Client
) -> None:
    """A record of another app (not in any open311 setting) is never shown."""
    from apps.builder.selectors import version_app_def
    from apps.records.services import record_create_internal

    parent = submit_report().record
    internal = record_create_internal(
        version=parent.app_version,
        entity=version_app_def(parent.app_version).entities["field_report"],
        data={"description": "Hồ sơ nội bộ"},
        parent=parent,
    )

    assert client.get(f"{BASE}/requests/{internal.tracking_code}.json").status_code == 404
    found = [r["service_request_id"] for r in json_of(client.get(f"{BASE}/requests.json"))]
    assert found == [parent.tracking_code]  # a portal submission of the offered form


def test_tokens_are_never_issued(demo: None, client: Client) -> None:
    response = client.get(f"{BASE}/tokens/12345.json?locale=en")

    assert response.status_code == 404
    assert errors(response) == ["token: This token does not exist."]


def test_no_personal_data_in_any_get_response(posted: list[str], client: Client, user: Any) -> None:
    record = Record.objects.get(tracking_code=posted[0])
    task = Task.objects.get(instance__record=record)
    task_complete(
        task=task,
        user=user("dieuphoi"),
        action="accept",
        data={"severity": 4, "triage_note": "Ghi chú nội bộ: đã gọi công ty"},
    )
    close(posted[2], user)
    responses = [
        client.get(f"{BASE}/{path}")
        for fmt in ("json", "xml")
        for path in (
            f"requests.{fmt}",
            f"requests/{posted[0]}.{fmt}",
            f"requests/{posted[2]}.{fmt}",
            f"services.{fmt}",
            f"services/field_report.{fmt}",
        )
    ]

    for response in responses:
        assert response.status_code == 200
        content = response.content.decode()
        for personal in PERSONAL:
            assert personal not in content
        assert "Ghi chú nội bộ" not in content
        assert "Trần" not in content and "dieuphoi" not in content  # the dispatcher


def test_xml_escapes_what_the_citizen_wrote(demo: None, client: Client) -> None:
    text = 'Ống <b>vỡ</b> & nước "tràn" </description><x>\x0b'
    (created,) = json_of(post(client, description=text))

    response = client.get(f"{BASE}/requests/{created['service_request_id']}.xml")

    assert b"&lt;b&gt;v\xe1\xbb\xa1&lt;/b&gt; &amp;" in response.content
    assert b"<x>" not in response.content
    (request,) = xml_of(response)
    assert request.findtext("description") == 'Ống <b>vỡ</b> & nước "tràn" </description><x>'
    (as_json,) = json_of(client.get(f"{BASE}/requests/{created['service_request_id']}.json"))
    assert as_json["description"] == request.findtext("description")


def test_the_requests_list_does_not_query_once_per_request(
    posted: list[str], client: Client, user: Any, django_assert_max_num_queries: Any
) -> None:
    close(posted[2], user)
    with django_assert_max_num_queries(20) as few:
        client.get(f"{BASE}/requests.json")
        first = len(few)
    for _more in range(5):
        post(client)

    with django_assert_max_num_queries(first):
        response = client.get(f"{BASE}/requests.json")

    assert len(json_of(response)) == 8


# --------------------------------------------------------------------------- settings


def test_export_then_import_keeps_the_open311_setting(demo: None) -> None:
    app = App.objects.get(key="field_reports")
    exported = bundle_export(app=app)
    assert exported["app"]["open311"]["services"][0]["code"] == "field_report"
    changed = copy.deepcopy(exported)
    changed["app"]["open311"]["services"][0]["code"] = "phan_anh"

    _app, version, was_changed = bundle_import(bundle=changed)

    assert was_changed and version is not None and version.number == 2
    assert version_bundle(version)["app"]["open311"] == changed["app"]["open311"]
    assert bundle_export(app=app)["app"]["open311"] == changed["app"]["open311"]
    again = bundle_import(bundle=changed)
    assert again[2] is False  # identical: nothing new
    assert [s["service_code"] for s in json_of(Client().get(f"{BASE}/services.json"))] == [
        "phan_anh"
    ]


def test_an_app_without_the_setting_offers_no_service(demo: None) -> None:
    app = App.objects.get(key="field_reports")
    bundle = bundle_export(app=app)
    del bundle["app"]["open311"]

    bundle_import(bundle=bundle)

    version = latest_published(app)
    assert version is not None and "open311" not in version_bundle(version)["app"]
    assert json_of(Client().get(f"{BASE}/services.json")) == []


def test_load_demo_makes_the_demo_key_once(demo: None) -> None:
    from django.core.management import call_command

    call_command("load_demo", verbosity=0, stdout=io.StringIO())

    (api_key,) = Open311ApiKey.objects.all()
    assert api_key.key_hash != DEMO_API_KEY and DEMO_API_KEY not in api_key.key_hash


def test_a_key_made_in_the_admin_is_shown_once_and_stored_hashed(client_as: Any) -> None:
    admin = client_as("admin")

    response = admin.post(
        "/admin/portal/open311apikey/add/",
        {"name": "Ứng dụng Cần Thơ", "active": "on", "rate": "50/hour"},
        follow=True,
    )

    assert response.status_code == 200
    api_key = Open311ApiKey.objects.get(name="Ứng dụng Cần Thơ")
    (message,) = re.findall(r'<li class="warning">(.*?)</li>', response.content.decode(), re.S)
    shown = re.search(r"[A-Za-z0-9_-]{43}", message)
    assert shown is not None, message
    assert api_key.prefix == shown.group(0)[:8]
    assert shown.group(0) not in api_key.key_hash
    assert post(Client(), api_key=shown.group(0)).status_code == 200
    assert admin.get("/admin/portal/open311request/").status_code == 200
