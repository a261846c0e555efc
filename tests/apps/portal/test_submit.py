"""Sending the generated form: success, uploads, server-side validation, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.portal.rendering import safe_file_name
from apps.records.models import Attachment, Record
from apps.records.selectors import record_by_tracking
from apps.runtime.models import ProcessInstance, Task

from .helpers import png_bytes, read_page

REPORT_URL = "/f/field_reports/citizen_report/"


def report_post(**overrides: Any) -> dict[str, Any]:
    """The field report as a browser posts it (location in three inputs)."""
    data: dict[str, Any] = {
        "category": "flooding",
        "description": "Đường 30 Tháng 4 ngập sâu sau mưa, xe máy chết máy.",
        "flood_depth_cm": "40",
        "location.lat": "10.0286",
        "location.lng": "105.7703",
        "location.address": "Đường 30/4, Ninh Kiều",
        "district": "ninh_kieu",
        "reporter_name": "Nguyễn Thị Mai",
        "reporter_phone": "0901234567",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_sending_the_report_starts_the_case_and_redirects_to_the_receipt(demo: None) -> None:
    client = Client()
    response = client.post(REPORT_URL, report_post())

    assert response.status_code == 303
    record = Record.objects.get()
    assert response["Location"] == f"/receipt/{record.tracking_code}/"
    assert record.data["category"] == "flooding"
    assert record.data["flood_depth_cm"] == 40
    assert record.data["location"] == {
        "lat": 10.0286,
        "lng": 105.7703,
        "address": "Đường 30/4, Ninh Kiều",
    }
    assert (record.latitude, record.longitude) == (10.0286, 105.7703)
    assert record.form_key == "citizen_report"
    instance = ProcessInstance.objects.get(record=record)
    task = Task.objects.get(instance=instance)
    assert (task.agency.code, task.role.key, task.status) == ("ioc", "dispatcher", "open")
    receipt = client.get(response["Location"])
    assert record.tracking_code in receipt.content.decode()


def test_signed_in_citizen_is_remembered_as_the_submitter(client_as: Any) -> None:
    client_as("congdan").post(REPORT_URL, report_post())

    assert Record.objects.get().submitted_by.username == "congdan"


def test_photo_is_stored_as_an_attachment_of_the_record(demo: None) -> None:
    photo = SimpleUploadedFile("ngap.png", png_bytes(), content_type="image/png")

    response = Client().post(REPORT_URL, {**report_post(), "photos": [photo]})

    assert response.status_code == 303
    record = Record.objects.get()
    attachment = Attachment.objects.get()
    assert attachment.record == record
    assert (attachment.field_key, attachment.content_type) == ("photos", "image/png")
    assert attachment.size == len(png_bytes())
    assert record.data["photos"] == [attachment.descriptor()]
    with attachment.file.open("rb") as stored:
        assert stored.read() == png_bytes()


def test_file_that_is_not_an_image_is_refused_even_named_png(
    demo: None, english_client: Client
) -> None:
    fake = SimpleUploadedFile("photo.png", b"MZ this is not a picture", content_type="image/png")

    response = english_client.post(REPORT_URL, {**report_post(), "photos": [fake]})

    assert response.status_code == 400
    page = read_page(response)
    assert "photo.png is not an accepted type of file" in page.by_id("f-photos-error").text
    assert page.find("a", href="#f-photos")
    assert "choose them again" in page.by_id("f-photos-help").text
    assert Record.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_too_many_photos_are_refused(demo: None) -> None:
    photos = [SimpleUploadedFile(f"{i}.png", png_bytes(), "image/png") for i in range(4)]

    response = Client().post(REPORT_URL, {**report_post(), "photos": photos})

    assert response.status_code == 400
    assert Record.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_uploaded_file_names_are_not_trusted(demo: None) -> None:
    photo = SimpleUploadedFile('../../etc/"ảnh" <ngập>.png', png_bytes(), "image/png")

    Client().post(REPORT_URL, {**report_post(), "photos": [photo]})

    attachment = Attachment.objects.get()
    assert attachment.name == "ảnh_ngập.png"
    assert "/etc/" not in attachment.file.name and ".." not in attachment.file.name


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("C:\\Users\\mai\\Ảnh 1.jpg", "Ảnh_1.jpg"),
        ("../..", "upload"),
        ("", "upload"),
        (".htaccess", "htaccess"),
        ("a" * 300 + ".png", "a" * 116 + ".png"),
    ],
)
def test_safe_file_name(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_missing_required_answers_are_refused_with_messages_linked_to_fields(
    demo: None, english_client: Client
) -> None:
    response = english_client.post(
        REPORT_URL, report_post(description=None, district=None, **{"location.lat": ""})
    )

    assert response.status_code == 400
    assert Record.objects.count() == 0
    page = read_page(response)
    summary_links = [a.attrs["href"] for a in page.find_all("a") if a.attrs["href"][:3] == "#f-"]
    assert summary_links == ["#f-description", "#f-location-lat", "#f-district"]
    description = page.find("textarea", name="description")
    assert description.attrs["aria-invalid"] == "true"
    assert description.attrs["aria-describedby"] == "f-description-help f-description-error"
    assert "This field is required." in page.by_id("f-description-error").text
    assert page.find("select", name="district").attrs["aria-describedby"] == "f-district-error"
    assert page.by_id("error-summary").attrs["role"] == "alert"
    # What was answered is kept.
    assert "checked" in page.find("input", name="category", value="flooding").attrs
    assert page.find("input", name="location.lng").attrs["value"] == "105.7703"
    assert page.find("input", name="reporter_name").attrs["value"] == "Nguyễn Thị Mai"


def test_rule_validation_message_from_the_definition_is_shown(
    demo: None, english_client: Client
) -> None:
    response = english_client.post(REPORT_URL, report_post(reporter_phone="901234567"))

    assert response.status_code == 400
    error = read_page(response).by_id("f-reporter_phone-error").text
    assert "The phone number must start with 0 or +." in error


def test_hidden_other_category_is_not_stored(demo: None) -> None:
    response = Client().post(REPORT_URL, report_post(other_category="Cây đổ"))

    assert response.status_code == 303
    assert "other_category" not in Record.objects.get().data


def test_other_category_is_required_when_category_is_other(
    demo: None, english_client: Client
) -> None:
    refused = english_client.post(REPORT_URL, report_post(category="other", flood_depth_cm=None))

    assert refused.status_code == 400
    assert read_page(refused).find("a", href="#f-other_category")
    assert Record.objects.count() == 0

    accepted = english_client.post(
        REPORT_URL, report_post(category="other", other_category="Cây đổ", flood_depth_cm=None)
    )
    assert accepted.status_code == 303
    assert Record.objects.get().data["other_category"] == "Cây đổ"


def test_multi_choice_boolean_and_date_answers_are_read_from_the_post(
    all_fields_app: None,
) -> None:
    response = Client().post(
        "/f/all_fields/everything/",
        {
            "title": "Mẫu",
            "tags": ["night", "urgent"],
            "agree": "true",
            "day": "2026-03-01",
            "count": "3",
            "color": "blue",
            "size": "small",
            "place.lat": "",
            "place.lng": "",
            "ward": "tan_an",
        },
    )

    assert response.status_code == 303
    data = Record.objects.get().data
    assert data["tags"] == ["urgent", "night"]
    assert data["agree"] is True
    assert data["day"] == "2026-03-01"
    assert (data["count"], data["color"], data["size"], data["ward"]) == (
        3,
        "blue",
        "small",
        "tan_an",
    )
    assert "place" not in data


def test_honeypot_filled_in_is_refused_and_nothing_is_saved(
    demo: None, english_client: Client
) -> None:
    response = english_client.post(REPORT_URL, report_post(website="http://spam.example"))

    assert response.status_code == 400
    assert "Your report could not be sent." in response.content.decode()
    assert Record.objects.count() == 0


def test_oversized_request_is_refused_before_it_is_read(demo: None, english_client: Client) -> None:
    response = english_client.post(REPORT_URL, report_post(), CONTENT_LENGTH=str(200 * 1024 * 1024))

    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Record.objects.count() == 0


def test_sending_needs_the_csrf_token(demo: None) -> None:
    client = Client(enforce_csrf_checks=True)

    refused = client.post(REPORT_URL, report_post())
    assert refused.status_code == 403
    assert Record.objects.count() == 0

    token = read_page(client.get(REPORT_URL)).find("input", name="csrfmiddlewaretoken")
    accepted = client.post(
        REPORT_URL, {**report_post(), "csrfmiddlewaretoken": token.attrs["value"]}
    )
    assert accepted.status_code == 303


def test_secret_given_on_the_receipt_opens_the_case(demo: None) -> None:
    client = Client()
    response = client.post(REPORT_URL, report_post())
    page = read_page(client.get(response["Location"]))

    code = page.by_id("tracking-code").text.strip()
    secret = page.by_id("secret").text.strip()
    assert record_by_tracking(code, secret) == Record.objects.get()


def test_request_over_djangos_upload_limits_is_refused_with_a_message(
    demo: None, english_client: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    response = english_client.post(REPORT_URL, report_post())

    assert response.status_code == 400
    assert "What you sent could not be read" in response.content.decode()
    assert Record.objects.count() == 0
