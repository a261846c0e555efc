"""An official builds a small app from nothing in the builder SPA, tests it, publishes it;
a citizen submits its form on the portal; two officials complete its tasks.

The app ("Cắt tỉa cây xanh", tree care): an entity with three fields, a form whose reason
field appears only when the citizen asks for a removal, and a two-step approval workflow
with a decision: the one-stop desk accepts or rejects; a removal then needs the
construction department leader's signature, a trim does not.
Needs the built bundle (`make frontend`, which `make test` runs).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from apps.builder.models import App, AppVersion, Definition
from apps.records.models import Record
from apps.runtime.models import ProcessInstance, Task

from .conftest import DESKTOP, sign_in

pytestmark = pytest.mark.browser

APP = "cay_xanh"
ROOT = "/builder/apps/cay_xanh"


def save(page: Page) -> None:
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text(re.compile(r"^\W*Đã lưu$")).first).to_be_visible()


def new_definition(page: Page, button: str, dialog_name: str, fields: dict[str, str]) -> Locator:
    page.get_by_role("button", name=button).click()
    dialog = page.get_by_role("dialog", name=dialog_name)
    for label, value in fields.items():
        control = dialog.get_by_label(label, exact=True)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    dialog.get_by_role("button", name="Tạo", exact=True).click()
    return dialog


def build_entity(page: Page, base: str) -> None:
    new_definition(
        page,
        "Đối tượng mới",
        "Tạo đối tượng dữ liệu",
        {"Mã": "tree_request", "Tiếng Việt": "Yêu cầu"},
    )
    page.wait_for_url(f"{base}{ROOT}/entity/tree_request")
    expect(page.get_by_role("heading", name="Thực thể: Yêu cầu")).to_be_visible()

    add = page.get_by_role("form", name="Thêm trường")
    add.get_by_label("Mã trường mới").fill("kind")
    add.get_by_label("Tên trường mới (tiếng Việt)").fill("Loại yêu cầu")
    add.get_by_label("Kiểu dữ liệu").select_option("choice")
    add.get_by_role("button", name="Thêm trường").click()
    for n, (value, text) in enumerate([("trim", "Cắt tỉa"), ("remove", "Đốn hạ")], start=1):
        page.get_by_role("button", name="Thêm lựa chọn").click()
        page.get_by_label(f"Giá trị lựa chọn {n}", exact=True).fill(value)
        page.get_by_label(f"Nhãn lựa chọn {n} (tiếng Việt)", exact=True).fill(text)

    add.get_by_label("Mã trường mới").fill("reason")
    add.get_by_label("Tên trường mới (tiếng Việt)").fill("Lý do đốn hạ")
    add.get_by_label("Kiểu dữ liệu").select_option("long_text")
    add.get_by_role("button", name="Thêm trường").click()
    expect(page.get_by_text("Có thay đổi chưa lưu")).to_be_visible()
    save(page)

    fields = Definition.objects.get(version__app__key=APP, kind="entity").document["fields"]
    assert [f["key"] for f in fields] == ["title", "kind", "reason"]
    assert [o["value"] for o in fields[1]["options"]] == ["trim", "remove"]


def build_workflow(page: Page, base: str) -> None:
    page.goto(f"{base}{ROOT}")
    new_definition(
        page,
        "Quy trình mới",
        "Tạo quy trình",
        {"Mã": "tree_flow", "Tiếng Việt": "Xử lý yêu cầu", "Đối tượng dữ liệu": "tree_request"},
    )
    page.wait_for_url(f"{base}{ROOT}/workflow/tree_flow")
    expect(page.get_by_test_id("workflow-canvas")).to_be_visible()
    expect(page.get_by_test_id("node-start")).to_be_visible()
    palette = page.get_by_role("navigation", name="Các loại bước")
    inspector = page.get_by_role("complementary", name="Thuộc tính")

    def add_task(
        node_id: str, name: str, agency: str, role: str, actions: list[tuple[str, str]]
    ) -> None:
        palette.get_by_role("button", name="Công việc", exact=True).press("Enter")
        step_id = inspector.get_by_label("Mã bước")
        step_id.fill(node_id)
        step_id.press("Enter")
        expect(page.get_by_test_id(f"node-{node_id}")).to_be_visible()
        inspector.get_by_role("group", name="Tên bước").get_by_label("Tiếng Việt").fill(name)
        inspector.get_by_label("Giao cho").select_option("agency")
        inspector.get_by_label("Cơ quan (mã)").fill(agency)
        inspector.get_by_label("Vai trò (mã)").fill(role)
        for n, (key, label) in enumerate(actions, start=1):
            if n > 1:
                inspector.get_by_role("button", name="Thêm hành động").click()
            action_key = inspector.get_by_label(f"Mã hành động {n}")
            action_key.fill(key)
            action_key.press("Enter")
            inspector.get_by_role("group", name=f"Tên hành động {n}").get_by_label(
                "Tiếng Việt"
            ).fill(label)

    def connect(source: str, target: str) -> None:
        page.get_by_test_id(f"node-{source}").click()
        inspector.get_by_label("Nối tới bước").select_option(target)
        inspector.get_by_role("button", name="Thêm đường nối").click()

    add_task(
        "receive",
        "Tiếp nhận yêu cầu",
        "mot_cua",
        "officer",
        [("accept", "Tiếp nhận"), ("reject", "Từ chối")],
    )
    add_task("sign", "Lãnh đạo ký duyệt", "sxd", "leader", [("sign", "Ký duyệt")])
    palette.get_by_role("button", name="Rẽ nhánh", exact=True).press("Enter")
    step_id = inspector.get_by_label("Mã bước")
    step_id.fill("route")
    step_id.press("Enter")
    expect(page.get_by_test_id("node-route")).to_be_visible()

    # The starter goes straight from start to end: send it through the desk instead.
    page.get_by_test_id("node-start").click()
    inspector.get_by_role("button", name=re.compile("^Tới")).first.click()
    inspector.get_by_role("button", name="Xóa đường nối này").click()
    connect("start", "receive")
    connect("receive", "route")  # the first action without a way out: accept
    connect("receive", "end")  # then reject
    connect("route", "end")  # a decision's first way out is its default
    connect("route", "sign")
    connect("sign", "end")

    # The way to the leader is taken for a removal: a condition built visually.
    page.get_by_test_id("node-route").click()
    inspector.get_by_role("button", name=re.compile("^Tới Lãnh đạo ký duyệt")).click()
    inspector.get_by_label("Điều kiện", exact=True).check()  # starts on the first field
    condition = inspector.get_by_role("group", name="Điều kiện 1")
    condition.get_by_label("Trường", exact=True).select_option("kind")
    condition.get_by_label("Phép so sánh").select_option("==")
    condition.get_by_label("Giá trị", exact=True).select_option("remove")
    save(page)

    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    workflow = Definition.objects.get(version__app__key=APP, kind="workflow").document
    assert {(t["from"], t["to"]) for t in workflow["transitions"]} == {
        ("start", "receive"),
        ("receive", "route"),
        ("receive", "end"),
        ("route", "end"),
        ("route", "sign"),
        ("sign", "end"),
    }
    by_target = {(t["from"], t["to"]): t for t in workflow["transitions"]}
    assert by_target[("receive", "route")]["action"] == "accept"
    assert by_target[("receive", "end")]["action"] == "reject"
    assert by_target[("route", "end")].get("default") is True
    assert by_target[("route", "sign")]["condition"] == {"==": [{"var": "kind"}, "remove"]}
    assert set(workflow["layout"]["nodes"]) == {"start", "receive", "sign", "route", "end"}


def build_form(page: Page, base: str) -> None:
    page.goto(f"{base}{ROOT}")
    new_definition(
        page,
        "Biểu mẫu mới",
        "Tạo biểu mẫu",
        {
            "Mã": "tree_form",
            "Tiếng Việt": "Đề nghị cắt tỉa, đốn hạ cây xanh",
            "Đối tượng dữ liệu": "tree_request",
            "Quy trình xử lý (không bắt buộc)": "tree_flow",
        },
    )
    page.wait_for_url(f"{base}{ROOT}/form/tree_form")
    step = page.get_by_role("region", name=re.compile("^Bước 1"))
    step.get_by_role("button", name=re.compile("^Thêm tất cả trường còn lại")).click()
    step.get_by_role("button", name=re.compile("^Lý do đốn hạ")).click()
    shown_when = page.get_by_role("group", name="Hiển thị khi")
    shown_when.get_by_role("button", name="Thêm điều kiện").click()
    condition = shown_when.get_by_role("group", name="Điều kiện 1")
    condition.get_by_label("Trường", exact=True).select_option("kind")
    condition.get_by_label("Phép so sánh").select_option("==")
    condition.get_by_label("Giá trị", exact=True).select_option("remove")

    # The live preview draws the unsaved form as the portal will, rules included.
    preview = page.frame_locator('iframe[title="Xem trước biểu mẫu"]')
    expect(preview.get_by_text("Loại yêu cầu").first).to_be_visible()
    expect(preview.get_by_label("Lý do đốn hạ")).to_be_hidden()
    preview.get_by_label("Loại yêu cầu").select_option("remove")
    expect(preview.get_by_label("Lý do đốn hạ")).to_be_visible()
    save(page)

    form = Definition.objects.get(version__app__key=APP, kind="form").document
    placed = {f["field"]: f for f in form["steps"][0]["fields"]}
    assert set(placed) == {"title", "kind", "reason"}
    assert placed["reason"]["visible_if"] == {"==": [{"var": "kind"}, "remove"]}


def run_a_test_case(page: Page, base: str) -> None:
    page.goto(f"{base}{ROOT}/tests")
    page.get_by_role("link", name="Ca kiểm thử mới").click()
    page.get_by_label("Mã ca kiểm thử").fill("removal")
    page.get_by_role("group", name="Tên ca kiểm thử").get_by_label("Tiếng Việt").fill("Đốn hạ cây")
    page.get_by_label("Tiêu đề", exact=True).fill("Cây dầu đổ nghiêng")
    page.get_by_label("Loại yêu cầu", exact=True).select_option("remove")
    for n, (task, action) in enumerate(
        [("Tiếp nhận yêu cầu", "Tiếp nhận"), ("Lãnh đạo ký duyệt", "Ký duyệt")], start=1
    ):
        page.get_by_role("button", name="Thêm bước").click()
        step = page.get_by_role("group", name=f"Bước {n}")
        step.get_by_label("Công việc").select_option(label=task)
        step.get_by_label("Thao tác").select_option(label=action)
    page.get_by_label("Trạng thái cuối").select_option("completed")

    page.get_by_role("button", name="Chạy mô phỏng").click()
    result = page.get_by_role("region", name="Kết quả mô phỏng")
    expect(result.get_by_text("Đạt", exact=True)).to_be_visible()
    tasks = result.get_by_role("table", name="Công việc được tạo")
    expect(tasks).to_contain_text("Lãnh đạo")
    expect(tasks).to_contain_text("Sở Xây dựng")

    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu ca kiểm thử.")).to_be_visible()
    saved = Definition.objects.get(version__app__key=APP, kind="test").document
    assert [(s["node"], s["action"]) for s in saved["steps"]] == [
        ("receive", "accept"),
        ("sign", "sign"),
    ]


def publish(page: Page, base: str) -> None:
    page.goto(f"{base}{ROOT}")
    page.get_by_role("tab", name="Kiểm tra & phát hành").click()
    page.get_by_role("button", name="Phát hành…").click()
    dialog = page.get_by_role("dialog", name="Phát hành bản nháp")
    dialog.get_by_label("Ghi chú thay đổi").fill("Phiên bản đầu tiên")
    dialog.get_by_role("button", name="Phát hành", exact=True).click()
    expect(page.get_by_text("Đã phát hành phiên bản 1.")).to_be_visible()
    version = AppVersion.objects.get(app__key=APP, status="published")
    assert version.number == 1 and version.note == "Phiên bản đầu tiên"


def citizen_submits(browser_page: Page, base: str) -> str:
    page = browser_page
    page.goto(f"{base}/")
    page.get_by_role("link", name="Đề nghị cắt tỉa, đốn hạ cây xanh").click()
    page.get_by_label("Tiêu đề").fill("Cây dầu trước số 12 Hòa Bình nghiêng")
    expect(page.get_by_label("Lý do đốn hạ")).to_be_hidden()
    page.get_by_label("Loại yêu cầu").select_option("remove")
    expect(page.get_by_label("Lý do đốn hạ")).to_be_visible()
    page.get_by_label("Lý do đốn hạ").fill("Thân cây mục, nguy cơ đổ khi mưa bão.")
    page.get_by_role("button", name="Gửi").click()
    code = page.locator("#tracking-code")
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    return code.inner_text().strip()


def official_acts(page: Page, base: str, username: str, code: str, action: str) -> None:
    sign_in(page, base, username)
    page.goto(f"{base}/workspace/")
    page.get_by_role("row").filter(has_text=code).get_by_role("link").first.click()
    page.get_by_role("button", name=action, exact=True).click()
    page.wait_for_url(f"{base}/workspace/")


def test_an_official_builds_tests_and_publishes_an_app_that_citizens_then_use(
    live_demo: str, page: Page, browser: Any
) -> None:
    sign_in(page, live_demo, "xaydungapp")
    page.goto(f"{live_demo}/builder/")
    page.get_by_role("button", name="Tạo ứng dụng").click()
    dialog = page.get_by_role("dialog", name="Tạo ứng dụng mới")
    dialog.get_by_label("Mã ứng dụng").fill(APP)
    dialog.get_by_label("Tiếng Việt").first.fill("Cắt tỉa cây xanh")
    dialog.get_by_role("button", name="Tạo", exact=True).click()
    page.wait_for_url(f"{live_demo}{ROOT}")

    build_entity(page, live_demo)
    build_workflow(page, live_demo)
    build_form(page, live_demo)
    run_a_test_case(page, live_demo)
    publish(page, live_demo)
    assert App.objects.get(key=APP).versions.count() == 2  # the draft and version 1

    def fresh_page() -> Page:
        context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
        context.set_default_timeout(15_000)
        return context.new_page()

    code = citizen_submits(fresh_page(), live_demo)
    record = Record.objects.get(tracking_code=code)
    assert record.data["kind"] == "remove" and record.data["reason"]

    official_acts(fresh_page(), live_demo, "motcua", code, "Tiếp nhận")
    official_acts(fresh_page(), live_demo, "lanhdao_sxd", code, "Ký duyệt")

    instance = ProcessInstance.objects.get(record=record)
    assert instance.status == "completed"
    assert list(
        Task.objects.filter(instance=instance)
        .order_by("created_at")
        .values_list("node_id", "action")
    ) == [("receive", "accept"), ("sign", "sign")]
