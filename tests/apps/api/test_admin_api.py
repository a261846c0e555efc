"""Administration API (agencies, roles, memberships), API tokens, and messages from
other systems."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from apps.accounts.models import Agency, Membership, User
from apps.accounts.permissions import grant_message_delivery
from apps.accounts.services import user_upsert
from apps.builder.selectors import published_form
from apps.runtime.models import Task
from apps.runtime.services import case_open, task_complete
from tests.conftest import DEMO_PASSWORD
from tests.samples import PERMIT_ANSWERS

from .conftest import call, error_of, signed_in


@pytest.fixture
def admin(demo: None) -> Client:
    return signed_in("admin")


# --------------------------------------------------------------------------- agencies


def test_agencies_are_listed_as_a_tree(admin: Client) -> None:
    agencies = call(admin, "get", "/api/v1/agencies/").json()
    assert agencies[0]["code"] == "can_tho" and agencies[0]["depth"] == 0
    by_code = {a["code"]: a for a in agencies}
    assert by_code["ctn_cantho"]["parent"] == "sxd"
    assert by_code["ctn_cantho"]["depth"] == 2
    assert by_code["tan_an"]["parent"] == "ninh_kieu"
    codes = [a["code"] for a in agencies]
    # Depth first: each agency right after its parent (or its parent's earlier children).
    assert codes[codes.index("sxd") + 1] == "ctn_cantho"
    assert codes[codes.index("ninh_kieu") + 1] == "tan_an"
    assert len(codes) == Agency.objects.count()


def test_an_admin_of_the_city_manages_agencies_without_being_a_superuser(demo: None) -> None:
    user_upsert(username="quantri", full_name="Quản trị", memberships=[("can_tho", "admin")])
    client = signed_in("quantri")
    assert call(client, "get", "/api/v1/agencies/").status_code == 200
    # An admin of a department is not an admin of the platform.
    user_upsert(username="quantri_sxd", full_name="Quản trị SXD", memberships=[("sxd", "admin")])
    error_of(call(signed_in("quantri_sxd"), "get", "/api/v1/agencies/"), 403)


def test_creating_and_changing_an_agency(admin: Client) -> None:
    body = {"code": "an_binh", "name_vi": "Phường An Bình", "kind": "ward", "parent": "ninh_kieu"}
    created = call(admin, "post", "/api/v1/agencies/", body)
    assert created.status_code == 201, created.content
    assert created.json()["parent"] == "ninh_kieu" and created.json()["depth"] == 2
    url = f"/api/v1/agencies/{created.json()['id']}/"
    changed = call(admin, "patch", url, {"name_en": "An Binh Ward", "parent": "cai_rang"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["parent"] == "cai_rang"
    agency = Agency.objects.get(code="an_binh")
    assert (agency.name_en, agency.parent.code) == ("An Binh Ward", "cai_rang")
    assert call(admin, "patch", url, {"is_active": False}).json()["is_active"] is False


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "sxd", "name_vi": "Trùng", "kind": "department"}, 409, "agency_exists"),
        ({"code": "x", "name_vi": "X", "kind": "planet"}, 400, "invalid_input"),
        ({"code": "x", "name_vi": "X", "kind": "ward", "parent": "nowhere"}, 400, "unknown_agency"),
        ({"code": "có dấu", "name_vi": "X", "kind": "ward"}, 400, "invalid_input"),
        ({"code": "x", "name_vi": "a\x00b", "kind": "ward"}, 400, "invalid_input"),
    ],
)
def test_invalid_agencies_are_refused(admin: Client, body: Any, status: int, code: str) -> None:
    before = Agency.objects.count()
    error_of(call(admin, "post", "/api/v1/agencies/", body), status, code)
    assert Agency.objects.count() == before


def test_an_agency_cannot_move_under_itself(admin: Client) -> None:
    sxd = Agency.objects.get(code="sxd")
    url = f"/api/v1/agencies/{sxd.uuid}/"
    error = error_of(call(admin, "patch", url, {"parent": "ctn_cantho"}), 400, "agency_cycle")
    assert "parent" in error["details"]
    error_of(call(admin, "patch", url, {"parent": "sxd"}), 400, "agency_cycle")
    sxd.refresh_from_db()
    assert sxd.parent.code == "can_tho"
    error_of(call(admin, "patch", "/api/v1/agencies/00000000-0000-0000-0000-000000000000/"), 404)


def test_roles_are_listed(admin: Client) -> None:
    keys = [role["key"] for role in call(admin, "get", "/api/v1/roles/").json()]
    assert keys == sorted(keys) and {"officer", "leader", "admin", "builder"} <= set(keys)


# --------------------------------------------------------------------------- memberships


def test_giving_and_taking_away_a_role(admin: Client) -> None:
    body = {"user": "congdan", "agency": "ninh_kieu", "role": "officer"}
    created = call(admin, "post", "/api/v1/memberships/", body)
    assert created.status_code == 201, created.content
    assert created.json()["user"]["username"] == "congdan"
    error_of(call(admin, "post", "/api/v1/memberships/", body), 409, "membership_exists")
    listed = call(admin, "get", "/api/v1/memberships/", {"agency": "ninh_kieu"}).json()
    assert {m["user"]["username"] for m in listed["results"]} == {
        "congdan",
        "ninhkieu",
        "lanhdao_ninhkieu",
    }
    mine = call(admin, "get", "/api/v1/memberships/", {"user": "congdan"}).json()["results"]
    assert [m["id"] for m in mine] == [created.json()["id"]]
    deleted = call(admin, "delete", f"/api/v1/memberships/{created.json()['id']}/")
    assert deleted.status_code == 204
    assert not Membership.objects.filter(user__username="congdan").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": "nobody", "agency": "ioc", "role": "officer"}, "user"),
        ({"user": "congdan", "agency": "nowhere", "role": "officer"}, "agency"),
        ({"user": "congdan", "agency": "ioc", "role": "chief"}, "role"),
        ({"user": "congdan", "agency": "ioc"}, "role"),
    ],
)
def test_invalid_memberships_are_refused(admin: Client, body: Any, field: str) -> None:
    before = Membership.objects.count()
    error = error_of(call(admin, "post", "/api/v1/memberships/", body), 400)
    assert field in error["details"]
    assert Membership.objects.count() == before


def test_officials_cannot_give_themselves_roles(demo: None) -> None:
    before = Membership.objects.count()
    body = {"user": "thoatnuoc", "agency": "can_tho", "role": "admin"}
    error_of(call(signed_in("lanhdao_thanhpho"), "post", "/api/v1/memberships/", body), 403)
    assert Membership.objects.count() == before


# --------------------------------------------------------------------------- tokens


@pytest.fixture
def three_per_minute(settings: Any) -> Iterator[None]:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "auth_token": "3/minute",
            "auth_token_username": "3/minute",
        },
    }
    cache.clear()
    yield
    cache.clear()


def test_a_token_is_obtained_with_username_and_password(demo: None, three_per_minute: None) -> None:
    body = {"username": "thoatnuoc", "password": DEMO_PASSWORD}
    response = call(Client(), "post", "/api/v1/auth/token/", body)
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert Token.objects.get(user__username="thoatnuoc").key == token
    assert call(Client(), "post", "/api/v1/auth/token/", body).json()["token"] == token
    tasks = call(Client(), "get", "/api/v1/tasks/", HTTP_AUTHORIZATION=f"Token {token}")
    assert tasks.status_code == 200


def test_wrong_credentials_are_refused_and_throttled(demo: None, three_per_minute: None) -> None:
    body = {"username": "thoatnuoc", "password": "đoán mò"}
    for _ in range(3):
        error = error_of(
            call(Client(), "post", "/api/v1/auth/token/", body), 400, "invalid_credentials"
        )
        assert error["message"] == "The username or password is not correct."
    error_of(call(Client(), "post", "/api/v1/auth/token/", body), 429, "throttled")
    # Even with the right password, from this address, for now.
    right = {"username": "thoatnuoc", "password": DEMO_PASSWORD}
    error_of(call(Client(), "post", "/api/v1/auth/token/", right), 429, "throttled")
    assert not Token.objects.exists()


def test_guessing_one_accounts_password_from_many_addresses_is_throttled(
    demo: None, three_per_minute: None
) -> None:
    body = {"username": "thoatnuoc", "password": "đoán mò"}
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        call(Client(), "post", "/api/v1/auth/token/", body, REMOTE_ADDR=address)
    error_of(
        call(Client(), "post", "/api/v1/auth/token/", body, REMOTE_ADDR="10.0.0.4"),
        429,
        "throttled",
    )


def test_inactive_users_get_no_token(demo: None, three_per_minute: None) -> None:
    User.objects.filter(username="thoatnuoc").update(is_active=False)
    body = {"username": "thoatnuoc", "password": DEMO_PASSWORD}
    error_of(call(Client(), "post", "/api/v1/auth/token/", body), 400, "invalid_credentials")


# --------------------------------------------------------------------------- messages


PERMIT = dict(PERMIT_ANSWERS)


@pytest.fixture
def awaiting_fee(user: Any) -> str:
    """A permit case approved and waiting for its fee; returns the permit number."""
    version, app_def, form = published_form("one_stop_permit", "apply")
    record = case_open(
        version=version, app_def=app_def, form=form, raw=PERMIT, user=user("congdan")
    ).record
    for node, username, action in [
        ("check", "motcua", "complete"),
        ("approve", "lanhdao_sxd", "approve"),
    ]:
        task = Task.objects.get(instance__record=record, node_id=node, status="open")
        task_complete(task=task, user=user(username), action=action)
    record.refresh_from_db()
    return str(record.data["permit_number"])


def test_an_integration_account_delivers_a_message_to_the_waiting_case(
    awaiting_fee: str,
) -> None:
    gateway = User.objects.create_user(username="cong_thanh_toan", password="x")
    grant_message_delivery(gateway)
    token = Token.objects.create(user=gateway)
    body = {"name": "fee_paid", "key": awaiting_fee, "data": {"fee_receipt": "BL-0001"}}
    client = Client()
    response = call(client, "post", "/api/v1/messages/", body, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200, response.content
    assert response.json() == {"delivered": 1}
    again = call(client, "post", "/api/v1/messages/", body, HTTP_AUTHORIZATION=f"Token {token}")
    assert again.json() == {"delivered": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "fee_paid", "key": {"a": 1}}, "key"),
        ({"name": "fee_paid", "key": True}, "key"),
        ({"name": "fee_paid", "key": 10**400}, "key"),
        ({"key": "X"}, "name"),
        ({"name": "fee_paid", "key": "X", "data": [1]}, "data"),
    ],
)
def test_invalid_messages_are_refused(demo: None, body: Any, field: str) -> None:
    error = error_of(call(signed_in("admin"), "post", "/api/v1/messages/", body), 400)
    assert field in error["details"]


def test_officials_without_the_permission_cannot_deliver_messages(awaiting_fee: str) -> None:
    body = {"name": "fee_paid", "key": awaiting_fee}
    error_of(call(signed_in("motcua"), "post", "/api/v1/messages/", body), 403)
    record_task = Task.objects.filter(node_id="approve").first()
    assert record_task is not None
    assert record_task.instance.status == "running"
