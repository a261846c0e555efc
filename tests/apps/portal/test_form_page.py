"""The generated form: every field type, labels, languages, rules, 404s."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from .helpers import read_page

REPORT_URL = "/f/field_reports/citizen_report/"
ALL_FIELDS_URL = "/f/all_fields/everything/"


def test_index_lists_the_public_forms_and_the_lookup_link(demo: None, all_fields_app: None) -> None:
    page = read_page(Client().get("/"))

    links = {a.attrs.get("href") for a in page.find_all("a")}
    assert REPORT_URL in links
    assert ALL_FIELDS_URL in links
    assert "/f/all_fields/internal/" not in links  # staff forms are not offered
    assert "/status/" in links
    assert page.find("a", href=REPORT_URL).text.strip() == "Phản ánh hiện trường"


def test_form_draws_every_field_type_with_the_right_inputs(all_fields_app: None) -> None:
    response = Client().get(f"{ALL_FIELDS_URL}?all=1")
    assert response.status_code == 200
    page = read_page(response)

    title = page.find("input", name="title")
    assert (title.attrs["type"], title.attrs["maxlength"]) == ("text", "80")
    assert "required" in title.attrs
    assert page.find("textarea", name="body").attrs["maxlength"] == "900"
    count = page.find("input", name="count")
    assert (count.attrs["type"], count.attrs["min"], count.attrs["max"]) == ("number", "1", "9")
    assert count.attrs["step"] == "1"
    assert page.find("input", name="ratio").attrs["step"] == "any"
    assert page.find("input", name="day").attrs["type"] == "date"
    assert [r.attrs["value"] for r in page.find_all("input", name="size")] == ["small", "large"]
    assert all(r.attrs["type"] == "radio" for r in page.find_all("input", name="size"))
    page.find("select", name="color")
    assert [o.attrs["value"] for o in page.options("color")] == ["", "red", "blue"]
    tags = page.find_all("input", name="tags")
    assert [(t.attrs["type"], t.attrs["value"]) for t in tags] == [
        ("checkbox", "urgent"),
        ("checkbox", "night"),
    ]
    agree = page.find("input", name="agree")
    assert (agree.attrs["type"], agree.attrs["value"]) == ("checkbox", "true")
    papers = page.find("input", name="papers")
    assert (papers.attrs["type"], papers.attrs["accept"]) == ("file", "application/pdf")
    assert "multiple" not in papers.attrs
    pictures = page.find("input", name="pictures")
    assert "multiple" in pictures.attrs
    assert "image/png" in pictures.attrs["accept"]
    for part in ("lat", "lng"):
        assert page.find("input", name=f"place.{part}").attrs["type"] == "number"
    assert page.find("input", name="place.address").attrs["type"] == "text"
    page.find("select", name="ward")
    wards = [(o.attrs["value"], o.text.strip()) for o in page.options("ward")]
    assert wards[1:] == [("tan_an", "UBND phường Tân An")]  # only active wards, not districts
    form = page.find("form", **{"class": "portal-form"})
    assert form.attrs["enctype"] == "multipart/form-data"
    page.find("input", name="csrfmiddlewaretoken")
    page.find("input", name="website")  # the honeypot


def test_steps_are_fieldsets_with_their_label_as_legend(all_fields_app: None) -> None:
    page = read_page(Client().get(f"{ALL_FIELDS_URL}?all=1"))

    steps = page.find_all("fieldset", **{"class": "step"})
    assert [s.attrs["data-step"] for s in steps] == ["one", "two"]
    legends = [e.text for e in page.find_all("legend", **{"class": "step__legend"})]
    assert "Phần một" in legends[0] and "Phần hai" in legends[1]


def test_every_input_has_a_label_bound_to_it(all_fields_app: None) -> None:
    page = read_page(Client().get(f"{ALL_FIELDS_URL}?all=1"))

    labelled = {label.attrs.get("for") for label in page.find_all("label")}
    inputs = [
        e
        for e in page.elements
        if e.tag in {"input", "select", "textarea"} and e.attrs.get("type") != "hidden"
    ]
    assert len(inputs) > 15
    assert [e.attrs.get("name") for e in inputs if e.attrs.get("id") not in labelled] == []


def test_labels_and_help_come_from_the_form_else_the_entity(all_fields_app: None) -> None:
    page = read_page(Client().get(f"{ALL_FIELDS_URL}?all=1"))

    assert page.find("label", **{"for": "f-color"}).text.startswith("Màu sắc")  # form override
    assert page.find("label", **{"for": "f-body"}).text.startswith("Nội dung")  # entity
    assert page.by_id("f-title-help").text == "Ngắn gọn"
    assert page.find("input", name="title").attrs["aria-describedby"] == "f-title-help"


def test_required_fields_are_marked(demo: None) -> None:
    page = read_page(Client().get(f"{REPORT_URL}?all=1"))

    assert "required" in page.find("textarea", name="description").attrs
    assert "required" not in page.find("input", name="reporter_name").attrs
    assert "(bắt buộc)" in page.find("label", **{"for": "f-description"}).text


def test_form_is_in_vietnamese_by_default(demo: None) -> None:
    response = Client().get(f"{REPORT_URL}?all=1")
    content = response.content.decode()

    assert '<html lang="vi">' in content
    assert "Loại sự cố" in content
    assert "Ngập nước" in content
    assert "Kind of problem" not in content
    assert read_page(response).find("option", value="ninh_kieu").text.strip() == (
        "UBND quận Ninh Kiều"
    )


def test_form_is_in_english_after_switching_language(demo: None) -> None:
    client = Client()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": REPORT_URL})
    assert switched.status_code == 302

    response = client.get(f"{REPORT_URL}?all=1")
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Kind of problem" in content
    assert "Report a problem" in content
    assert "Step 1 of 3" in content
    assert "Loại sự cố" not in content
    assert read_page(response).find("option", value="ninh_kieu").text.strip() == (
        "Ninh Kieu District People's Committee"
    )


def test_conditional_rules_are_drawn_as_data_attributes(demo: None) -> None:
    page = read_page(Client().get(f"{REPORT_URL}?all=1"))

    other = page.by_id("field-other_category")
    assert json.loads(other.attrs["data-visible-if"]) == {"==": [{"var": "category"}, "other"]}
    assert json.loads(other.attrs["data-required-if"]) == {"==": [{"var": "category"}, "other"]}
    assert "hidden" not in other.attrs  # without JavaScript the field is shown
    assert "data-visible-if" not in page.by_id("field-description").attrs


@pytest.mark.parametrize(
    "url",
    ["/f/no_such_app/citizen_report/", "/f/field_reports/no_such_form/"],
)
def test_unknown_form_is_a_translated_404(demo: None, english_client: Client, url: str) -> None:
    response = english_client.get(url)

    assert response.status_code == 404
    assert "This form does not exist or is not published." in response.content.decode()


def test_staff_form_is_not_served_to_citizens(all_fields_app: None) -> None:
    response = Client().get("/f/all_fields/internal/")

    assert response.status_code == 404


def _names(page: Any) -> set[str]:
    return {e.attrs["name"] for e in page.elements if "name" in e.attrs}


def test_field_report_form_has_the_sample_apps_inputs(demo: None) -> None:
    page = read_page(Client().get(f"{REPORT_URL}?all=1"))

    assert {
        "category",
        "other_category",
        "flood_depth_cm",
        "description",
        "photos",
        "location.lat",
        "location.lng",
        "location.address",
        "district",
        "reporter_name",
        "reporter_phone",
        "reporter_email",
        "wants_updates",
    } <= _names(page)
    assert "severity" not in _names(page)  # an entity field the citizen's form leaves out
