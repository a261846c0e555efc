"""The citizen rates the outcome of their closed case, once, from its status page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from apps.portal.models import CaseRating
from apps.records.models import Record

from .helpers import read_page


@pytest.fixture
def closed_case(submit_report: Any) -> tuple[Record, str]:
    submission = submit_report()
    Record.objects.filter(pk=submission.record.pk).update(
        status=Record.Status.CLOSED, closed_at=timezone.now()
    )
    submission.record.refresh_from_db()
    return submission.record, submission.secret


def _status(record: Record, secret: str) -> str:
    return f"/status/?{urlencode({'code': record.tracking_code, 'secret': secret})}"


def test_closed_case_offers_one_to_five_stars_as_radio_buttons(
    closed_case: tuple[Record, str],
) -> None:
    record, secret = closed_case
    link = read_page(Client().get(_status(record, secret))).by_id("rating-link").attrs["href"]
    assert link == _status(record, secret).replace("/status/", "/status/rate/")

    page = read_page(Client().get(link))

    stars = page.find_all("input", name="stars")
    assert [(s.attrs["type"], s.attrs["value"]) for s in stars] == [
        ("radio", str(n)) for n in range(1, 6)
    ]
    labelled = {label.attrs.get("for") for label in page.find_all("label")}
    assert all(s.attrs["id"] in labelled for s in stars)
    page.find("textarea", name="comment")


def test_case_in_progress_has_no_rating_form(submit_report: Any) -> None:
    submission = submit_report()

    page = read_page(Client().get(_status(submission.record, submission.secret)))

    assert page.find_all("input", name="stars") == []
    assert page.find_all(None, id="rating-link") == []


def test_citizen_rates_once_and_sees_the_rating(closed_case: tuple[Record, str]) -> None:
    record, secret = closed_case
    client = Client()
    form = {"code": record.tracking_code, "secret": secret}

    response = client.post("/status/rate/", {**form, "stars": "4", "comment": "Xử lý nhanh."})

    assert response.status_code == 303
    assert response["Location"] == _status(record, secret) + "&sent=rating"
    rating = CaseRating.objects.get(record=record)
    assert (rating.stars, rating.comment) == (4, "Xử lý nhanh.")
    page = read_page(client.get(response["Location"]))
    assert "4" in page.by_id("rating-given").text
    assert page.find_all(None, id="rating-link") == []

    again = client.post("/status/rate/", {**form, "stars": "1"})
    assert again.status_code == 409
    assert CaseRating.objects.get(record=record).stars == 4


@pytest.mark.parametrize("stars", ["", "0", "6", "abc"])
def test_stars_out_of_range_are_refused(closed_case: tuple[Record, str], stars: str) -> None:
    record, secret = closed_case

    response = Client().post(
        "/status/rate/", {"code": record.tracking_code, "secret": secret, "stars": stars}
    )

    assert response.status_code == 400
    read_page(response).by_id("error-summary")
    assert not CaseRating.objects.exists()


def test_wrong_secret_or_open_case_cannot_be_rated(
    closed_case: tuple[Record, str], submit_report: Any
) -> None:
    record, _secret = closed_case
    wrong = Client().post(
        "/status/rate/", {"code": record.tracking_code, "secret": "WRONG234", "stars": "5"}
    )
    open_case = submit_report()
    not_closed = Client().post(
        "/status/rate/",
        {"code": open_case.record.tracking_code, "secret": open_case.secret, "stars": "5"},
    )

    assert wrong.status_code == 404
    assert not_closed.status_code == 409
    assert not CaseRating.objects.exists()


def test_rating_needs_the_csrf_token(closed_case: tuple[Record, str]) -> None:
    record, secret = closed_case

    response = Client(enforce_csrf_checks=True).post(
        "/status/rate/", {"code": record.tracking_code, "secret": secret, "stars": "5"}
    )

    assert response.status_code == 403
    assert not CaseRating.objects.exists()
