"""The receipt (secret shown once) and the status page (public timeline only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from apps.runtime.models import Event, Task
from apps.runtime.services import task_complete

from .helpers import read_page
from .test_submit import REPORT_URL, report_post


def status_url(code: str, secret: str) -> str:
    return f"/status/?{urlencode({'code': code, 'secret': secret})}"


def test_receipt_shows_the_secret_once(demo: None, english_client: Client) -> None:
    sent = english_client.post(REPORT_URL, report_post())
    receipt_url = sent["Location"]

    shown = english_client.get(receipt_url)
    assert "Keep the tracking code and the secret." in shown.content.decode()
    first = read_page(shown)
    code = first.by_id("tracking-code").text.strip()
    secret = first.by_id("secret").text.strip()
    assert len(secret) == 8
    assert first.by_id("status-link").attrs["href"] == status_url(code, secret)

    again = english_client.get(receipt_url)
    content = again.content.decode()
    assert again.status_code == 200
    assert code in content
    assert secret not in content
    assert "The secret was shown only once" in content
    assert again["Cache-Control"].startswith("max-age=0")


def test_receipt_in_another_browser_does_not_show_the_secret(
    demo: None, submit_report: Any
) -> None:
    submission = submit_report()

    response = Client().get(f"/receipt/{submission.record.tracking_code}/")

    assert response.status_code == 200
    assert submission.secret not in response.content.decode()


@pytest.mark.parametrize("code", ["nonsense", "ABCD-EFG1", "0000-0000"])
def test_receipt_for_a_malformed_code_is_404(demo: None, code: str) -> None:
    assert Client().get(f"/receipt/{code}/").status_code == 404


def test_status_lookup_form_is_shown_without_a_query(demo: None) -> None:
    page = read_page(Client().get("/status/"))

    assert page.find("form", method="get").attrs["action"] == "/status/"
    assert page.find("label", **{"for": "f-code"})
    assert page.find("label", **{"for": "f-secret"})


def test_status_shows_the_case_in_progress_with_its_public_timeline(
    submit_report: Any, english_client: Client
) -> None:
    submission = submit_report()

    response = english_client.get(
        status_url(submission.record.tracking_code, submission.secret.lower())
    )

    assert response.status_code == 200
    page = read_page(response)
    content = response.content.decode()
    assert page.find("span", id="tracking-code")
    assert submission.record.tracking_code in content
    assert "Report a problem" in content  # the form's label
    assert "In progress" in page.by_id("case-status").text
    assert page.by_id("current-agency").text == "Intelligent Operations Centre"
    items = [li.text for li in page.find_all("li", **{"class": "timeline__item"})]
    assert len(items) == 2
    assert "Received" in items[0]
    assert "The operations centre is triaging it" in items[1]
    assert "Intelligent Operations Centre" in items[1]
    assert 'name="referrer" content="no-referrer"' in content


def test_status_is_in_vietnamese_by_default(submit_report: Any) -> None:
    submission = submit_report()

    content = (
        Client()
        .get(status_url(submission.record.tracking_code, submission.secret))
        .content.decode()
    )

    assert "Trung tâm điều hành đang phân loại" in content
    assert "Trung tâm Giám sát, điều hành đô thị thông minh" in content
    assert "Phản ánh hiện trường" in content


def test_status_times_are_shown_in_ho_chi_minh_time(
    submit_report: Any, english_client: Client
) -> None:
    submission = submit_report()
    record = submission.record
    Event.objects.create(
        record=record,
        instance=record.instance,
        app_version=record.app_version,
        kind="note_published",
        label={"vi": "Ghi chú", "en": "A public note"},
        public=True,
        actor_kind="system",
        at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC),
    )

    page = read_page(english_client.get(status_url(record.tracking_code, submission.secret)))

    times = [t.attrs["datetime"] for t in page.find_all("time")]
    assert "2026-03-02T03:30:00+07:00" in times
    assert all(value.endswith("+07:00") for value in times)


def test_status_never_shows_internal_events_data_or_officials(
    submit_report: Any, user: Any, english_client: Client
) -> None:
    submission = submit_report()
    dispatcher = user("dieuphoi")
    task = Task.objects.get(instance__record=submission.record)
    task_complete(
        task=task,
        user=dispatcher,
        action="accept",
        data={"severity": 4, "triage_note": "Ghi chú nội bộ: đã gọi công ty"},
    )
    assert Event.objects.filter(record=submission.record, kind="decision_taken").exists()

    response = english_client.get(status_url(submission.record.tracking_code, submission.secret))

    content = response.content.decode()
    assert response.status_code == 200
    assert "The drainage company is handling it" in content
    assert "Can Tho Water Supply and Drainage Company" in content
    assert "Route by kind of problem" not in content  # decision_taken is not public
    assert dispatcher.full_name not in content
    assert "Ghi chú nội bộ" not in content
    assert "dispatcher" not in content.lower()


def test_closed_case_shows_the_outcome(
    submit_report: Any, user: Any, english_client: Client
) -> None:
    submission = submit_report()
    task = Task.objects.get(instance__record=submission.record)
    task_complete(task=task, user=user("dieuphoi"), action="reject")

    page = read_page(
        english_client.get(status_url(submission.record.tracking_code, submission.secret))
    )

    status = page.by_id("case-status").text
    assert "Closed" in status and "Rejected" in status
    assert not page.find_all(None, id="current-agency")


@pytest.mark.parametrize("wrong", ["secret", "code"])
def test_wrong_code_or_secret_gives_the_same_generic_404(
    submit_report: Any, english_client: Client, wrong: str
) -> None:
    submission = submit_report()
    other = submit_report()
    code, secret = submission.record.tracking_code, submission.secret
    if wrong == "secret":
        secret = other.secret
    else:
        code = other.record.tracking_code

    response = english_client.get(status_url(code, secret))

    assert response.status_code == 404
    content = response.content.decode()
    assert "There is no case with this tracking code and secret." in content
    assert "Received" not in content
    assert "secret is wrong" not in content.lower() and "code is wrong" not in content.lower()


def test_lookup_with_one_half_missing_asks_for_it(demo: None, english_client: Client) -> None:
    response = english_client.get("/status/?code=ABCD-2345&secret=")

    assert response.status_code == 400
    page = read_page(response)
    assert page.find("a", href="#f-secret").text == "Enter the secret."
    assert page.find("input", name="secret").attrs["aria-invalid"] == "true"
    assert page.find("input", name="code").attrs["value"] == "ABCD-2345"
