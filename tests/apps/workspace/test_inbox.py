from __future__ import annotations

from typing import Any

import pytest

from apps.accounts.models import Agency, Role
from apps.workspace import selectors

from .conftest import html, open_task, task_url, vi

INBOX = "/workspace/"


def test_dispatcher_sees_the_triage_task_of_a_new_report(client_as, submit_report) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record
    task = open_task(record)

    page = html(client_as("dieuphoi").get(INBOX))

    assert record.tracking_code in page
    assert task_url(task) in page
    assert "Đường 30 Tháng 4 ngập sâu sau mưa" in page  # the title field (description)
    assert Agency.objects.get(code="ioc").name_vi in page


def test_drainage_officer_does_not_see_the_dispatchers_task(client_as, submit_report) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record

    page = html(client_as("thoatnuoc").get(INBOX))

    assert record.tracking_code not in page
    assert task_url(open_task(record)) not in page
    assert 'class="ws-empty"' in page
    assert vi("Nothing to do right now.") in page


def test_inbox_shows_the_users_name_and_memberships(client_as) -> None:  # type: ignore[no-untyped-def]
    page = html(client_as("thoatnuoc").get(INBOX))

    assert "Trần Thị Nước" in page
    agency = Agency.objects.get(code="ctn_cantho")
    assert f"{agency.name_vi} · {Role.objects.get(key='officer').name_vi}" in page


def test_user_without_a_role_is_told_why_the_inbox_is_empty(client_as, submit_report) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record

    page = html(client_as("congdan").get(INBOX))

    assert record.tracking_code not in page
    assert (
        vi(
            "Your account holds no role in any agency, so no tasks come to you. "
            "Ask an administrator to add you to your agency."
        )
        in page
    )


def test_inbox_lists_newest_tasks_first_and_long_titles_shortened(client_as, submit_report) -> None:  # type: ignore[no-untyped-def]
    older = submit_report().record
    newer = submit_report(description="Cống bị tắc " + "rất lâu " * 40).record

    page = html(client_as("dieuphoi").get(INBOX))

    assert page.index(newer.tracking_code) < page.index(older.tracking_code)
    assert "rất lâu " * 20 not in page
    assert "…" in page


def test_inbox_pages_past_the_page_size(client_as, submit_report, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(selectors, "INBOX_PAGE_SIZE", 2)
    oldest, middle, newest = (submit_report().record for _ in range(3))
    client = client_as("dieuphoi")

    first = html(client.get(INBOX))
    second = html(client.get(INBOX, {"page": 2}))

    assert newest.tracking_code in first and middle.tracking_code in first
    assert oldest.tracking_code not in first
    assert oldest.tracking_code in second and newest.tracking_code not in second


def test_inbox_of_twenty_tasks_stays_within_a_query_budget(
    client_as,
    submit_report,
    django_assert_max_num_queries: Any,  # type: ignore[no-untyped-def]
) -> None:
    records = [submit_report().record for _ in range(20)]
    client = client_as("dieuphoi")

    with django_assert_max_num_queries(8):
        response = client.get(INBOX)

    page = html(response)
    assert all(record.tracking_code in page for record in records)


@pytest.mark.parametrize("page_number", ["0", "999", "abc"])
def test_inbox_with_an_odd_page_number_still_renders(
    client_as, submit_report, page_number: str
) -> None:  # type: ignore[no-untyped-def]
    record = submit_report().record

    response = client_as("dieuphoi").get(INBOX, {"page": page_number})

    assert response.status_code == 200
    assert record.tracking_code in html(response)
