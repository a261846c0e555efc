"""Optional citizen accounts: sign in from the portal, "My submissions" lists the records
the signed-in citizen sent (any app), each with its status page without the secret."""

from __future__ import annotations

from typing import Any

from django.test import Client

from apps.records.models import Record

from .helpers import read_page
from .test_submit import REPORT_URL, report_post


def test_the_nav_offers_sign_in_and_my_submissions(demo: None, client_as: Any) -> None:
    anonymous = read_page(Client().get("/"))
    assert anonymous.by_id("nav-login").attrs["href"] == "/account/login/"

    signed_in = read_page(client_as("congdan").get("/"))
    assert signed_in.by_id("nav-account").attrs["href"] == "/account/"
    signed_in.by_id("nav-logout")


def test_a_citizen_signs_in_and_sees_only_their_submissions(demo: None) -> None:
    Client().post(REPORT_URL, report_post(description="Gửi khi chưa đăng nhập, không thuộc ai."))
    client = Client()
    login_page = read_page(client.get("/account/login/"))
    login_page.find("input", name="csrfmiddlewaretoken")

    signed_in = client.post(
        "/account/login/", {"username": "congdan", "password": "lcnc-demo-2026", "next": ""}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/account/"
    assert client.post(REPORT_URL, report_post()).status_code == 303

    page = read_page(client.get("/account/"))

    mine = Record.objects.get(submitted_by__username="congdan")
    rows = page.by_id("submissions").text
    assert mine.tracking_code in rows and "Phản ánh hiện trường" in rows
    other = Record.objects.get(submitted_by__isnull=True)
    assert other.tracking_code not in rows
    link = page.find("a", href=f"/account/case/{mine.tracking_code}/")
    status = client.get(link.attrs["href"])
    assert status.status_code == 200
    assert read_page(status).by_id("tracking-code").text == mine.tracking_code
    # Someone else's case is not found by code alone.
    assert client.get(f"/account/case/{other.tracking_code}/").status_code == 404


def test_wrong_password_is_a_clear_error(demo: None, english_client: Client) -> None:
    response = english_client.post("/account/login/", {"username": "congdan", "password": "wrong"})

    assert response.status_code == 200
    assert "did not match" in read_page(response).by_id("error-summary").text


def test_my_submissions_asks_to_sign_in_first(demo: None) -> None:
    response = Client().get("/account/")

    assert response.status_code == 303
    assert response["Location"] == "/account/login/?next=%2Faccount%2F"
    assert Client().get("/account/case/ABCD-EFGH/").status_code == 303


def test_signing_out_goes_back_to_the_services(demo: None, client_as: Any) -> None:
    client = client_as("congdan")

    response = client.post("/account/logout/")

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/account/").status_code == 303
