"""Repeating groups on the portal (the permit's co-applicants): drawn as rows of inputs,
"add another" and "remove" without JavaScript keep every answer and send nothing, a sent
form keeps the rows as a list, errors are shown per row, in the wizard too, and officials
see the rows as a table."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from django.test import Client
from django.urls import reverse

from apps.portal.models import SubmissionDraft
from apps.records.models import Record
from apps.runtime.models import Task
from tests.samples import PERMIT_ANSWERS

from .helpers import read_page

PERMIT_URL = "/f/one_stop_permit/apply/"
PERMIT_POST = {**PERMIT_ANSWERS, "website": ""}
SPOUSE = {
    "co_applicants.0.full_name": "Lê Thị Hoa",
    "co_applicants.0.id_number": "092188004321",
    "co_applicants.0.relation": "spouse",
}
CO_OWNER = {
    "co_applicants.1.full_name": "Trần Văn Phúc",
    "co_applicants.1.id_number": "092090005555",
    "co_applicants.1.relation": "co_owner",
}


def _rows(page: Any) -> list[str]:
    """The rows drawn (not the <template> row the browser copies)."""
    rows = page.find_all("fieldset", **{"class": "group__row"})
    return [e.attrs["data-group-row"] for e in rows if e.attrs["data-group-row"] != "__index__"]


def _value(page: Any, name: str) -> str:
    return str(page.find("input", name=name).attrs.get("value", ""))


def test_the_form_draws_a_group_as_labelled_rows_with_add_and_remove(demo: None) -> None:
    page = read_page(Client().get(f"{PERMIT_URL}?all=1"))

    assert _rows(page) == ["0"]
    legends = page.find_all("legend", **{"class": "group__row-label"})
    assert legends[0].text.strip() == "Người cùng đứng đơn 1"
    assert page.find("input", name="co_applicants.0.full_name").attrs["id"] == (
        "f-co_applicants-0-full_name"
    )
    assert page.find("select", name="co_applicants.0.relation")
    add = page.find("button", name="_add_row")
    assert add.attrs["value"] == "co_applicants"
    assert "disabled" not in add.attrs
    assert page.find("button", name="_remove_row").attrs["value"] == "co_applicants-0"
    # Sub-fields are not top-level fields for the browser's rules.
    assert not page.find_all(None, **{"data-field": "co_applicants.0.full_name"})
    assert page.find(None, **{"data-field": "co_applicants"}).attrs["data-widget"] == "group"


def test_add_another_without_javascript_keeps_the_answers_and_sends_nothing(
    demo: None,
) -> None:
    response = Client().post(PERMIT_URL, {**PERMIT_POST, **SPOUSE, "_add_row": "co_applicants"})

    assert response.status_code == 200
    page = read_page(response)
    assert _rows(page) == ["0", "1", "2"]
    assert _value(page, "co_applicants.0.full_name") == "Lê Thị Hoa"
    assert _value(page, "co_applicants.1.full_name") == ""
    assert _value(page, "applicant_name") == "Trần Văn Nhà"
    options = page.options("co_applicants.0.relation")
    chosen = [o.attrs["value"] for o in options if "selected" in o.attrs]
    assert chosen == ["spouse"]
    assert not page.find_all(id="error-summary")
    assert Record.objects.count() == 0


def test_add_another_stops_at_max_items(demo: None) -> None:
    rows = {
        f"co_applicants.{n}.{key}": value
        for n in range(5)
        for key, value in (("full_name", f"Người {n}"), ("id_number", "092090005555"))
    }

    response = Client().post(PERMIT_URL, {**PERMIT_POST, **rows, "_add_row": "co_applicants"})
    page = read_page(response)

    assert _rows(page) == ["0", "1", "2", "3", "4"]
    assert "disabled" in page.find("button", name="_add_row").attrs


def test_remove_without_javascript_drops_that_row_only(demo: None) -> None:
    response = Client().post(
        PERMIT_URL, {**PERMIT_POST, **SPOUSE, **CO_OWNER, "_remove_row": "co_applicants-0"}
    )

    assert response.status_code == 200
    page = read_page(response)
    assert _value(page, "co_applicants.0.full_name") == "Trần Văn Phúc"
    assert _rows(page) == ["0", "1"]  # the kept row and one blank row
    assert Record.objects.count() == 0


def test_sending_keeps_the_rows_as_a_list(demo: None) -> None:
    blank = {"co_applicants.7.full_name": "", "co_applicants.7.id_number": ""}

    response = Client().post(PERMIT_URL, {**PERMIT_POST, **SPOUSE, **CO_OWNER, **blank})

    assert response.status_code == 303, response.content.decode()[:3000]
    record = Record.objects.get()
    assert record.data["co_applicants"] == [
        {"full_name": "Lê Thị Hoa", "id_number": "092188004321", "relation": "spouse"},
        {"full_name": "Trần Văn Phúc", "id_number": "092090005555", "relation": "co_owner"},
    ]


def test_errors_are_shown_next_to_the_sub_field_and_in_the_summary(demo: None) -> None:
    broken = {**SPOUSE, "co_applicants.1.full_name": "Trần Văn Phúc",
              "co_applicants.1.id_number": "12", "co_applicants.1.relation": "cousin"}  # fmt: skip

    response = Client().post(PERMIT_URL, {**PERMIT_POST, **broken})

    assert response.status_code == 400
    assert Record.objects.count() == 0
    page = read_page(response)
    assert "ít nhất 9 ký tự" in page.by_id("f-co_applicants-1-id_number-error").text
    assert "phương án có sẵn" in page.by_id("f-co_applicants-1-relation-error").text
    assert page.find("input", name="co_applicants.1.id_number").attrs["aria-invalid"] == "true"
    links = {
        a.attrs["href"]: a.text
        for a in page.find_all("a")
        if a.attrs.get("href", "").startswith("#f-co")
    }
    assert set(links) == {"#f-co_applicants-1-id_number", "#f-co_applicants-1-relation"}
    assert all(text.startswith("Người cùng đứng đơn 2: ") for text in links.values())
    # Every answer is drawn again.
    assert _value(page, "co_applicants.0.full_name") == "Lê Thị Hoa"
    assert _value(page, "co_applicants.1.id_number") == "12"


def test_a_rule_over_the_rows_refuses_two_spouses(english_client: Client, demo: None) -> None:
    second_spouse = {**CO_OWNER, "co_applicants.1.relation": "spouse"}

    response = english_client.post(PERMIT_URL, {**PERMIT_POST, **SPOUSE, **second_spouse})

    assert response.status_code == 400
    page = read_page(response)
    assert "Only one co-applicant can be the spouse." in page.by_id("f-co_applicants-error").text


def test_the_wizard_adds_a_row_and_walks_on_with_the_rows(demo: None) -> None:
    client = Client()
    step = {"_wizard": "1", "_step": "applicant", "website": "", **{
        k: v for k, v in PERMIT_POST.items() if k.startswith("applicant")}}  # fmt: skip

    response = client.post(PERMIT_URL, {**step, **SPOUSE, "_add_row": "co_applicants"})

    assert response.status_code == 200
    page = read_page(response)
    assert _rows(page) == ["0", "1", "2"]
    assert _value(page, "co_applicants.0.full_name") == "Lê Thị Hoa"

    bad = {**SPOUSE, "co_applicants.1.full_name": "Phúc"}
    response = client.post(PERMIT_URL, {**step, **bad, "nav": "next"})
    assert response.status_code == 400
    page = read_page(response)
    assert page.by_id("f-co_applicants-1-id_number-error").text.strip()

    response = client.post(PERMIT_URL, {**step, **SPOUSE, **CO_OWNER, "nav": "next"})
    assert response.status_code == 303
    draft_id = parse_qs(urlparse(response["Location"]).query)["draft"][0]
    draft = SubmissionDraft.objects.get(uuid=draft_id)
    assert [row["full_name"] for row in draft.data["co_applicants"]] == [
        "Lê Thị Hoa",
        "Trần Văn Phúc",
    ]
    works = {k: v for k, v in PERMIT_POST.items() if not k.startswith("applicant")}
    response = client.post(
        PERMIT_URL, {**works, "_wizard": "1", "_step": "works", "draft": draft_id, "nav": "next"}
    )
    assert response.status_code == 303
    summary = client.get(response["Location"])
    assert summary.status_code == 200
    text = summary.content.decode()
    assert "Người cùng đứng đơn 1: Họ và tên: Lê Thị Hoa" in text
    assert "Người cùng đứng đơn 2: Họ và tên: Trần Văn Phúc" in text
    assert "Đồng sở hữu" in text
    response = client.post(
        PERMIT_URL, {"_wizard": "1", "_step": "summary", "draft": draft_id, "website": ""}
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    assert len(Record.objects.get().data["co_applicants"]) == 2


def test_officials_see_the_rows_as_a_table(demo: None, client_as: Any) -> None:
    Client().post(PERMIT_URL, {**PERMIT_POST, **SPOUSE, **CO_OWNER})
    record = Record.objects.get()
    client = client_as("motcua")

    case = client.get(reverse("workspace:case", args=[record.uuid]))
    [task] = Task.objects.filter(instance__record=record, status="open", node_id="check")
    task_page = client.get(reverse("workspace:task", args=[task.uuid]))

    for response in (case, task_page):
        assert response.status_code == 200
        page = read_page(response)
        table = page.find("table", **{"class": "ws-group-table"})
        assert "Lê Thị Hoa" in table.text
        assert "Trần Văn Phúc" in table.text
        assert "Vợ/chồng" in table.text
        assert [th.text for th in page.find_all("th", scope="row")] == ["1", "2"]


def test_odd_row_names_and_buttons_never_break_the_page(demo: None) -> None:
    odd = {
        "co_applicants.99999.full_name": "Quá xa",
        "co_applicants.x.full_name": "Không phải số",
        "co_applicants.0.nope": "Không có trường này",
        "co_applicants.3.full_name": "Lê Thị Hoa",
        "co_applicants.3.id_number": "092188004321",
        "co_applicants.3.relation": "spouse",
    }
    client = Client()

    for extra in ({"_add_row": "nothing"}, {"_remove_row": "co_applicants-x"}, {}):
        response = client.post(PERMIT_URL, {**PERMIT_POST, **odd, **extra})
        assert response.status_code in (200, 303), response.status_code

    assert Record.objects.get().data["co_applicants"] == [
        {"full_name": "Lê Thị Hoa", "id_number": "092188004321", "relation": "spouse"}
    ]


def test_a_task_that_lists_a_group_shows_its_rows_and_never_changes_them(
    demo: None, client_as: Any
) -> None:
    Client().post(PERMIT_URL, {**PERMIT_POST, **SPOUSE, **CO_OWNER})
    record = Record.objects.get()
    [task] = Task.objects.filter(instance__record=record, status="open", node_id="check")
    task.fields = [*task.fields, "co_applicants"]
    task.save(update_fields=["fields"])
    client = client_as("motcua")
    url = reverse("workspace:task", args=[task.uuid])

    page = read_page(client.get(url))
    rows = [li.text for li in page.find_all("li") if "Lê Thị Hoa" in li.text]
    assert rows == ["Lê Thị Hoa, 092188004321, Vợ/chồng"]

    response = client.post(url, {"action": "complete", "co_applicants": "garbage"})

    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    assert [row["full_name"] for row in record.data["co_applicants"]] == [
        "Lê Thị Hoa",
        "Trần Văn Phúc",
    ]
