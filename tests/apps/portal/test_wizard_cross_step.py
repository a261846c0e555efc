"""The wizard is the default way to fill in a form of several steps, and a rule on one
step may look at the answers given on another step (server-side and in the page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from apps.builder.services import bundle_import
from apps.records.models import Record

from .helpers import read_page

SHOP_URL = "/f/shops/register/"
QUICK_URL = "/f/shops/quick/"

SHOP_BUNDLE: dict[str, Any] = {
    "format_version": 1,
    "app": {"key": "shops", "label": {"vi": "Cửa hàng", "en": "Shops"}},
    "entities": [
        {
            "schema_version": 1,
            "key": "shop",
            "label": {"vi": "Cửa hàng", "en": "Shop"},
            "fields": [
                {"key": "kind", "type": "choice", "required": True,
                 "label": {"vi": "Loại", "en": "Kind"},
                 "options": [
                     {"value": "house", "label": {"vi": "Nhà ở", "en": "House"}},
                     {"value": "shop", "label": {"vi": "Cửa hàng", "en": "Shop"}},
                 ]},
                {"key": "floors", "type": "number", "integer": True,
                 "label": {"vi": "Số tầng", "en": "Floors"}},
                {"key": "shop_name", "type": "text", "required": True,
                 "label": {"vi": "Tên cửa hàng", "en": "Shop name"}},
                {"key": "owner", "type": "text", "required": True,
                 "label": {"vi": "Chủ sở hữu", "en": "Owner"}},
            ],
        }
    ],
    "forms": [
        {
            "schema_version": 1,
            "key": "register",
            "entity": "shop",
            "label": {"vi": "Đăng ký", "en": "Register"},
            "steps": [
                {"key": "one", "label": {"vi": "Loại", "en": "Kind"},
                 "fields": [{"field": "kind"}, {"field": "floors"}]},
                {"key": "two", "label": {"vi": "Chi tiết", "en": "Details"}, "fields": [
                    {"field": "shop_name", "visible_if": {"==": [{"var": "kind"}, "shop"]}},
                    {"field": "owner"},
                ]},
            ],
        },
        {
            "schema_version": 1,
            "key": "quick",
            "entity": "shop",
            "label": {"vi": "Nhanh", "en": "Quick"},
            "steps": [
                {"key": "one", "label": {"vi": "Một", "en": "One"},
                 "fields": [{"field": "kind"}, {"field": "owner"}]},
            ],
        },
    ],
    "workflows": [],
}  # fmt: skip


@pytest.fixture
def shops(demo: None) -> None:
    bundle_import(bundle=SHOP_BUNDLE)


def _next(client: Client, step: str, answers: dict[str, str], draft: str | None = None) -> Any:
    data = {"_wizard": "1", "_step": step, "nav": "next", "website": "", **answers}
    if draft:
        data["draft"] = draft
    return client.post(SHOP_URL, data)


def _draft_of(response: Any) -> str:
    assert response.status_code == 303, response.content.decode()[:400]
    return str(parse_qs(urlparse(response["Location"]).query)["draft"][0])


def test_a_form_of_one_step_stays_on_one_page(shops: None) -> None:
    page = read_page(Client().get(QUICK_URL))

    assert [s.attrs["data-step"] for s in page.find_all("fieldset", **{"class": "step"})] == ["one"]
    assert not page.find_all(id="wizard-progress")


def test_the_whole_form_on_one_page_stays_available(shops: None) -> None:
    page = read_page(Client().get(f"{SHOP_URL}?all=1"))

    steps = [s.attrs["data-step"] for s in page.find_all("fieldset", **{"class": "step"})]
    assert steps == ["one", "two"]
    assert page.by_id("wizard-link")


def test_a_later_step_carries_the_earlier_answers_for_the_rules(shops: None) -> None:
    client = Client()
    draft = _draft_of(_next(client, "one", {"kind": "shop", "floors": "3"}))

    page = read_page(client.get(f"{SHOP_URL}?draft={draft}&step=two"))

    carried = page.by_id("carried-answers")
    assert "hidden" in carried.attrs
    kind = page.find("input", name="kind")
    assert kind.attrs["value"] == "shop" and "disabled" in kind.attrs
    assert page.find("input", name="floors").attrs["value"] == "3"
    rule = page.find(None, **{"data-field": "shop_name"}).attrs["data-visible-if"]
    assert '"kind"' in rule


def test_a_field_hidden_by_an_earlier_answer_is_not_required(shops: None) -> None:
    client = Client()
    draft = _draft_of(_next(client, "one", {"kind": "house"}))

    to_summary = _next(client, "two", {"owner": "Trần Văn Bình"}, draft)

    assert to_summary.status_code == 303
    assert "step=summary" in to_summary["Location"]
    sent = client.post(SHOP_URL, {"_wizard": "1", "_step": "summary", "nav": "submit",
                                  "draft": draft, "website": ""})  # fmt: skip
    assert sent.status_code == 303
    assert Record.objects.get().data == {"kind": "house", "owner": "Trần Văn Bình"}


def test_a_field_shown_by_an_earlier_answer_is_required(shops: None) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    draft = _draft_of(_next(client, "one", {"kind": "shop"}))

    refused = _next(client, "two", {"owner": "Trần Văn Bình", "shop_name": ""}, draft)

    assert refused.status_code == 400
    assert read_page(refused).find("input", name="shop_name").attrs["aria-invalid"] == "true"
    accepted = _next(client, "two", {"owner": "Trần Văn Bình", "shop_name": "Tạp hoá Mai"}, draft)
    assert accepted.status_code == 303 and "step=summary" in accepted["Location"]
