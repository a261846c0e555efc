"""Submissions through the service: what a client may and may not send."""

from __future__ import annotations

from typing import Any

import pytest

from apps.builder.selectors import published_form
from apps.core.errors import InvalidInput, NotFound
from apps.records.models import Attachment, Record
from apps.runtime.services import case_open
from tests.conftest import FLOODING_REPORT

pytestmark = pytest.mark.django_db


def _submit(app: str, form_key: str, raw: dict[str, Any], user: Any = None) -> Any:
    version, app_def, form = published_form(app, form_key)
    return case_open(version=version, app_def=app_def, form=form, raw=raw, user=user)


def test_a_client_cannot_point_a_file_field_at_stored_files(demo: None) -> None:
    stored = Attachment.objects.create(
        field_key="photos", name="other.png", content_type="image/png", size=10, file="x.png"
    )
    spoof = [{"id": str(stored.uuid), "name": "x.png", "content_type": "image/png", "size": 1}]
    record = _submit("field_reports", "citizen_report", {**FLOODING_REPORT, "photos": spoof}).record
    assert "photos" not in record.data
    stored.refresh_from_db()
    assert stored.record is None


def test_staff_forms_are_for_officials_only(demo: None, user: Any) -> None:
    raw = {"kind": "land", "description": "Lấn chiếm hành lang kênh", "district": "ninh_kieu"}
    before = Record.objects.count()
    # The same answer as for a form that does not exist (every door says so).
    with pytest.raises(NotFound) as anonymous:
        _submit("coordination", "report_violation", raw)
    assert anonymous.value.code == "form_not_found"
    with pytest.raises(NotFound):
        _submit("coordination", "report_violation", raw, user=user("congdan"))
    with pytest.raises(NotFound):  # building apps does not make one an official
        _submit("coordination", "report_violation", raw, user=user("xaydungapp"))
    assert Record.objects.count() == before
    assert _submit("coordination", "report_violation", raw, user=user("moitruong")).record


@pytest.mark.parametrize(
    ("field", "value"),
    [("description", "Ngập\x00 sâu trên đường"), ("flood_depth_cm", 10**400)],
)
def test_values_a_database_or_browser_cannot_hold_are_refused(
    demo: None, field: str, value: Any
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _submit("field_reports", "citizen_report", {**FLOODING_REPORT, field: value})
    assert set(refused.value.details) == {field}
