"""The task form: an input per field type, and reading a post back into raw values."""

from __future__ import annotations

from django.http import QueryDict

from apps.runtime.models import Task
from apps.workspace.forms import task_data, task_fields
from workflows.definition import EntityDef, FieldDef, Option

YES_NO = (Option("a", {"vi": "Một", "en": "One"}), Option("b", {"vi": "Hai", "en": "Two"}))
ENTITY = EntityDef(
    key="sample",
    label={"vi": "Mẫu"},
    fields=(
        FieldDef("note", "long_text", {"vi": "Ghi chú"}),
        FieldDef("count", "number", {"vi": "Số"}, config={"min": 0, "integer": True}),
        FieldDef("day", "date", {"vi": "Ngày"}),
        FieldDef("kind", "choice", {"vi": "Loại"}, required=True, options=YES_NO),
        FieldDef("tags", "multi_choice", {"vi": "Nhãn"}, options=YES_NO),
        FieldDef("ok", "boolean", {"vi": "Đạt"}),
        FieldDef("place", "location", {"vi": "Vị trí"}),
        FieldDef("photos", "photo", {"vi": "Ảnh"}),
    ),
)
TASK = Task(fields=["note", "count", "day", "kind", "tags", "ok", "place", "photos"])


def test_each_field_type_gets_its_input_prefilled_from_the_record() -> None:
    data = {
        "count": 3,
        "kind": "b",
        "tags": ["a"],
        "ok": False,
        "place": {"lat": 10.5, "lng": 105.7},
        "photos": [{"id": "1", "name": "pic.jpg", "content_type": "image/jpeg", "size": 9}],
    }

    fields = {f.key: f for f in task_fields(TASK, ENTITY, data)}

    assert {k: f.widget for k, f in fields.items()} == {
        "note": "textarea",
        "count": "number",
        "day": "date",
        "kind": "select",
        "tags": "checkboxes",
        "ok": "yes_no",
        "place": "location",
        "photos": "files",
    }
    assert fields["count"].value == "3"
    assert fields["count"].attrs == {"step": "1", "min": "0"}
    assert fields["kind"].value == "b"
    assert fields["kind"].blank_option is False  # required and filled in
    assert fields["tags"].value == ["a"]
    assert fields["ok"].value == "false"
    assert fields["place"].value == {"lat": "10.5", "lng": "105.7", "address": ""}
    assert fields["photos"].value == ["pic.jpg"]
    assert fields["note"].value == ""


def test_post_is_read_back_per_field_type_and_unsent_fields_are_left_out() -> None:
    post = QueryDict(mutable=True)
    post.update({"count": "7", "tags__present": "1", "place__lat": "10", "place__lng": "105"})
    post.setlist("tags", ["a", "b"])

    assert task_data(TASK, ENTITY, post) == {
        "count": "7",
        "tags": ["a", "b"],
        "place": {"lat": "10", "lng": "105", "address": ""},
    }


def test_unticking_every_checkbox_and_emptying_a_location_clears_them() -> None:
    post = QueryDict("tags__present=1&place__lat=&place__lng=&place__address=")

    assert task_data(TASK, ENTITY, post) == {"tags": [], "place": ""}


def test_posted_values_are_shown_again_with_their_errors() -> None:
    post = QueryDict("count=abc&kind=a")

    fields = {
        f.key: f
        for f in task_fields(TASK, ENTITY, {"count": 1}, post=post, errors={"count": ["x"]})
    }

    assert fields["count"].value == "abc"
    assert fields["count"].errors == ["x"]
    assert fields["kind"].value == "a"
    assert fields["count"].described_by == "id_count_errors"
