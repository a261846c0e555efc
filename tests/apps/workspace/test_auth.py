from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD

from .conftest import html, vi

LOGIN = "/workspace/login/"
INBOX = "/workspace/"


def test_login_page_renders_a_username_and_password_form(demo: None, client: Client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    page = html(response)
    assert 'name="username"' in page
    assert 'type="password"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_dispatcher_logging_in_lands_on_the_inbox(demo: None, client: Client) -> None:
    response = client.post(LOGIN, {"username": "dieuphoi", "password": DEMO_PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("workspace:inbox")
    assert response.status_code == 200
    assert "Nguyễn Văn Điều" in html(response)


def test_wrong_password_stays_on_the_login_page_with_a_message(demo: None, client: Client) -> None:
    response = client.post(LOGIN, {"username": "dieuphoi", "password": "wrong"})

    assert response.status_code == 200
    assert vi("Your username and password did not match. Please try again.") in html(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path",
    [
        INBOX,
        "/workspace/tasks/00000000-0000-4000-8000-000000000001/",
        "/workspace/cases/00000000-0000-4000-8000-000000000002/",
    ],
)
def test_anonymous_visitor_is_sent_to_the_login_page(demo: None, client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={path}"


def test_logout_is_a_post_button_in_the_header_and_signs_out(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("dieuphoi")
    page = html(client.get(INBOX))
    assert 'action="/workspace/logout/" method="post"' in page

    assert client.get("/workspace/logout/").status_code == 405
    response = client.post("/workspace/logout/")

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:login")
    assert client.get(INBOX).status_code == 302
