from __future__ import annotations

from typing import Any

import pytest

from apps.builder.selectors import published_form
from apps.runtime.delivery import deliver_due
from apps.runtime.models import Event
from apps.runtime.services import case_open
from tests.conftest import FLOODING_REPORT

from .conftest import case_url, html, open_task, task_url, vi


@pytest.fixture
def resolved(client_as, triaged):  # type: ignore[no-untyped-def]
    response = client_as("thoatnuoc").post(
        task_url(open_task(triaged)), {"action": "resolve", "resolution_note": "Đã nạo vét cống."}
    )
    assert response.status_code == 302
    triaged.refresh_from_db()
    return triaged


def test_case_page_shows_the_timeline_with_both_officials(client_as, resolved) -> None:  # type: ignore[no-untyped-def]
    response = client_as("thoatnuoc").get(case_url(resolved))

    assert response.status_code == 200
    page = html(response)
    timeline = page.split('class="ws-timeline"')[1]
    assert "Nguyễn Văn Điều" in timeline
    assert "Trần Thị Nước" in timeline
    assert vi("Case closed") in timeline
    assert "Đã nạo vét cống." in page
    assert resolved.tracking_code in page


def test_dispatcher_whose_agency_had_a_task_may_read_the_case(client_as, resolved) -> None:  # type: ignore[no-untyped-def]
    assert client_as("dieuphoi").get(case_url(resolved)).status_code == 200


@pytest.mark.parametrize("username", ["giaothong", "ninhkieu", "congdan"])
def test_case_page_is_hidden_from_agencies_without_a_task_on_it(
    client_as,
    resolved,
    username: str,  # type: ignore[no-untyped-def]
) -> None:
    assert client_as(username).get(case_url(resolved)).status_code == 404


def test_citizen_who_submitted_cannot_open_their_case_in_the_workspace(client_as, user) -> None:  # type: ignore[no-untyped-def]
    version, app_def, form = published_form("field_reports", "citizen_report")
    record = case_open(
        version=version, app_def=app_def, form=form, raw=dict(FLOODING_REPORT), user=user("congdan")
    ).record

    assert client_as("congdan").get(case_url(record)).status_code == 404


def test_case_page_shows_internal_events_to_officials(
    client_as,
    triaged,
    django_capture_on_commit_callbacks: Any,  # type: ignore[no-untyped-def]
) -> None:
    triaged.contact_email = "mai@example.vn"
    triaged.save(update_fields=["contact_email"])
    with django_capture_on_commit_callbacks() as dispatched:
        client_as("thoatnuoc").post(task_url(open_task(triaged)), {"action": "resolve"})
    assert dispatched  # the outbox is woken after commit
    # Deliver here, in the test's transaction: a real worker cannot see uncommitted rows.
    assert deliver_due()["delivered"] >= 1
    notice = Event.objects.get(record=triaged, kind="citizen_notified")
    assert notice.public is False

    page = html(client_as("thoatnuoc").get(case_url(triaged)))

    timeline = page.split('class="ws-timeline"')[1]
    assert vi("Citizen notified") in timeline
    assert vi("internal") in timeline


def test_case_page_links_the_officials_open_task(client_as, triaged) -> None:  # type: ignore[no-untyped-def]
    handling = open_task(triaged)

    assert task_url(handling) in html(client_as("thoatnuoc").get(case_url(triaged)))
    assert task_url(handling) not in html(client_as("dieuphoi").get(case_url(triaged)))


def test_case_page_shows_the_citizens_rating(client_as, triaged) -> None:  # type: ignore[no-untyped-def]
    from apps.portal.models import CaseRating

    page = html(client_as("thoatnuoc").get(case_url(triaged)))
    assert 'class="ws-rating"' not in page
    CaseRating.objects.create(record=triaged, stars=2, comment="Xử lý chậm <b>quá</b>")
    page = html(client_as("thoatnuoc").get(case_url(triaged)))
    assert 'class="ws-rating"' in page and "2/5" in page
    assert "Xử lý chậm &lt;b&gt;quá&lt;/b&gt;" in page
