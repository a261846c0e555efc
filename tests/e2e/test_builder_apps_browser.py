"""An app builder signs in, creates an app in the builder SPA, adds an entity to its draft
and finds the app in the list (needs the built bundle: `cd frontend && npm run build`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from apps.builder.models import App

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_builder_creates_an_app_and_sees_it_listed(live_demo: str, page: Page) -> None:
    sign_in(page, live_demo, "xaydungapp")
    page.goto(f"{live_demo}/builder/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ứng dụng của tôi")
    expect(page.get_by_role("link", name="Phản ánh hiện trường")).to_be_visible()

    page.get_by_role("button", name="Tạo ứng dụng").click()
    dialog = page.get_by_role("dialog", name="Tạo ứng dụng mới")
    dialog.get_by_label("Mã ứng dụng").fill("Cay Xanh")  # refused live: upper case, space
    expect(dialog).to_contain_text("Mã chỉ gồm chữ thường không dấu")
    dialog.get_by_label("Mã ứng dụng").fill("field_reports")  # taken: the server says 409
    dialog.get_by_label("Tiếng Việt").first.fill("Cây xanh đô thị")
    dialog.get_by_role("button", name="Tạo", exact=True).click()
    expect(dialog).to_contain_text("Đã có ứng dụng mang mã “field_reports”")

    dialog.get_by_label("Mã ứng dụng").fill("cay_xanh")
    dialog.get_by_role("button", name="Tạo", exact=True).click()
    page.wait_for_url(f"{live_demo}/builder/apps/cay_xanh")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cây xanh đô thị")
    assert App.objects.filter(key="cay_xanh").exists()

    page.get_by_role("button", name="Đối tượng mới").click()
    dialog = page.get_by_role("dialog", name="Tạo đối tượng dữ liệu")
    dialog.get_by_label("Mã", exact=True).fill("tree")
    dialog.get_by_label("Tiếng Việt").fill("Cây")
    dialog.get_by_role("button", name="Tạo", exact=True).click()
    page.wait_for_url(f"{live_demo}/builder/apps/cay_xanh/entity/tree")

    page.goto(f"{live_demo}/builder/apps/cay_xanh")
    expect(page.get_by_role("link", name="Cây", exact=True)).to_have_attribute(
        "href", "/builder/apps/cay_xanh/entity/tree"
    )
    page.get_by_role("link", name="Ứng dụng").first.click()
    row = page.get_by_role("row").filter(has_text="cay_xanh")
    expect(row.get_by_role("link", name="Cây xanh đô thị")).to_be_visible()
    expect(row).to_contain_text("Chưa phát hành")
