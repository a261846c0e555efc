"""Automatic steps: set_fields, notify, webhook, create_record, start_workflow. Each does
its work (or asks for it with an effect) and the token moves straight on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    START,
    Case,
    arrow,
    build,
    end,
    findings_of,
    logged,
    step,
    task,
    workflow_document,
)
from workflows.definition import WorkflowDef
from workflows.effects import CallWebhook, CreateRecord, Notify, StartSubprocess, UpdateData
from workflows.errors import WorkflowRuntimeError


def automatic(node_type: str, **config: Any) -> WorkflowDef:
    """start → auto → check (task) → finished: the case waits after the step."""
    return build(
        [START, step("auto", node_type, **config), task("check"), end("finished")],
        [arrow("start", "auto"), arrow("auto", "check"), arrow("check", "finished", action="done")],
    )


# ----------------------------------------------------------------------------- set_fields


def test_set_fields_computes_values_into_the_record() -> None:
    definition = automatic(
        "set_fields",
        set={
            "counter": {"+": [{"var": "counter"}, 1]},
            "result": {"cat": ["HS-", {"var": "title"}]},
            "flag": True,
        },
    )
    case = Case(definition, {"counter": 1, "title": "7"})
    assert case.data == {"counter": 2, "title": "7", "result": "HS-7", "flag": True}
    assert case.last(UpdateData) == [
        UpdateData(changes={"counter": 2, "result": "HS-7", "flag": True})
    ]
    assert logged(case.effects, "fields_set")[0].detail["changes"] == {
        "counter": 2,
        "result": "HS-7",
        "flag": True,
    }
    assert case.waiting() == ["check"]


def test_set_fields_reports_only_what_changed() -> None:
    case = Case(automatic("set_fields", set={"flag": True, "note": "x"}), {"flag": True})
    assert case.last(UpdateData) == [UpdateData(changes={"note": "x"})]


def test_set_fields_that_change_nothing_emit_no_update() -> None:
    case = Case(automatic("set_fields", set={"flag": True}), {"flag": True})
    assert case.last(UpdateData) == []


def test_set_fields_rules_read_the_data_before_the_step() -> None:
    definition = automatic("set_fields", set={"amount": 10, "counter": {"var": "amount"}})
    case = Case(definition, {"amount": 1})
    assert case.data == {"amount": 10, "counter": 1}


def test_set_fields_in_sequence_see_each_others_values() -> None:
    definition = build(
        [
            START,
            step("one", "set_fields", set={"amount": 10}),
            step("two", "set_fields", set={"counter": {"*": [{"var": "amount"}, 2]}}),
            end("finished"),
        ],
        [arrow("start", "one"), arrow("one", "two"), arrow("two", "finished")],
    )
    assert Case(definition).data == {"amount": 10, "counter": 20}


def test_set_fields_rule_failure_is_a_runtime_error() -> None:
    with pytest.raises(WorkflowRuntimeError) as caught:
        Case(
            automatic("set_fields", set={"amount": {"/": [1, {"var": "counter"}]}}), {"counter": 0}
        )
    assert (caught.value.code, caught.value.params["node"]) == ("rule_failed", "auto")


def test_set_fields_of_an_unknown_field_is_a_definition_error() -> None:
    document = workflow_document(
        [START, step("auto", "set_fields", set={"nope": 1}), end("finished")],
        [arrow("start", "auto"), arrow("auto", "finished")],
    )
    assert "unknown_field" in {f["code"] for f in findings_of(document)}


# ----------------------------------------------------------------------------- notify


def test_notify_asks_for_a_notification() -> None:
    config = {
        "label": {"vi": "Báo cho người dân"},
        "channel": "sms",
        "to": {"phone_field": "title"},
        "subject": {"vi": "Hồ sơ"},
        "body": {"vi": "Hồ sơ {{tracking_code}} đã được tiếp nhận"},
    }
    case = Case(automatic("notify", **config))
    [notify] = case.last(Notify)
    assert notify.as_dict() == {
        "kind": "notify",
        "notification": notify.notification,
        "channel": "sms",
        "to": {"phone_field": "title"},
        "subject": {"vi": "Hồ sơ"},
        "body": {"vi": "Hồ sơ {{tracking_code}} đã được tiếp nhận"},
        "task": None,
    }
    assert logged(case.effects, "notification_requested")[0].detail == {
        "name": "auto",
        "channel": "sms",
    }
    assert case.waiting() == ["check"]


def test_notify_needs_a_channel_and_a_recipient() -> None:
    document = workflow_document(
        [START, step("auto", "notify", body={"vi": "x"}), end("finished")],
        [arrow("start", "auto"), arrow("auto", "finished")],
    )
    assert "schema" in {f["code"] for f in findings_of(document)}


# ----------------------------------------------------------------------------- webhook


def test_webhook_asks_for_a_call_with_the_computed_payload() -> None:
    definition = automatic(
        "webhook",
        url="https://lgsp.cantho.gov.vn/hook",
        payload={"ref": {"var": "application_no"}, "double": {"*": [{"var": "amount"}, 2]}},
    )
    case = Case(definition, {"application_no": "HS-1", "amount": 4})
    [call] = case.last(CallWebhook)
    assert (call.url, call.method, call.payload) == (
        "https://lgsp.cantho.gov.vn/hook",
        "POST",
        {"ref": "HS-1", "double": 8},
    )
    assert call.endpoint is None
    assert logged(case.effects, "webhook_requested")[0].detail == {
        "call": call.call,
        "target": "https://lgsp.cantho.gov.vn/hook",
    }


def test_webhook_to_a_named_endpoint_of_the_installation() -> None:
    case = Case(automatic("webhook", endpoint="lgsp_hook", payload={"n": 1}))
    [call] = case.last(CallWebhook)
    assert (call.endpoint, call.url, call.payload) == ("lgsp_hook", "", {"n": 1})
    assert logged(case.effects, "webhook_requested")[0].detail["target"] == "lgsp_hook"


def test_webhook_method_and_empty_payload() -> None:
    case = Case(automatic("webhook", url="http://example.org/x", method="PUT"))
    [call] = case.last(CallWebhook)
    assert (call.method, call.payload) == ("PUT", {})


@pytest.mark.parametrize(
    "config",
    [
        {"url": "ftp://x"},
        {"url": "https://x", "method": "GET"},
        {},
        {"url": "https://x", "endpoint": "lgsp"},
        {"endpoint": "Not A Key"},
    ],
)
def test_invalid_webhooks_are_found(config: dict[str, Any]) -> None:
    document = workflow_document(
        [START, step("auto", "webhook", **config), end("finished")],
        [arrow("start", "auto"), arrow("auto", "finished")],
    )
    assert "schema" in {f["code"] for f in findings_of(document)}


# ----------------------------------------------------------------------------- create_record


def test_create_record_asks_for_a_record_with_the_computed_data() -> None:
    definition = automatic(
        "create_record",
        app="inspections",
        entity="inspection",
        workflow="inspection_flow",
        data={"source": {"var": "application_no"}, "priority": {"var": "severity"}},
    )
    case = Case(definition, {"application_no": "HS-2", "severity": 3})
    [effect] = case.last(CreateRecord)
    assert (effect.app, effect.entity, effect.workflow, effect.data) == (
        "inspections",
        "inspection",
        "inspection_flow",
        {"source": "HS-2", "priority": 3},
    )
    assert logged(case.effects, "record_requested")[0].detail == {
        "request": effect.request,
        "entity": "inspection",
    }


def test_create_record_in_this_app_without_workflow() -> None:
    case = Case(automatic("create_record", entity="case", data={}))
    [effect] = case.last(CreateRecord)
    assert (effect.app, effect.workflow, effect.data) == (None, None, {})


# ----------------------------------------------------------------------------- start_workflow


def test_start_workflow_starts_a_child_without_waiting() -> None:
    definition = automatic(
        "start_workflow", app="archive", workflow="archiving", input={"ref": {"var": "title"}}
    )
    case = Case(definition, {"title": "HS-3"})
    [effect] = case.last(StartSubprocess)
    assert (effect.app, effect.workflow, effect.data, effect.wait) == (
        "archive",
        "archiving",
        {"ref": "HS-3"},
        False,
    )
    assert case.state["children"] == {}
    assert case.waiting() == ["check"]
    assert logged(case.effects, "workflow_started")[0].detail == {
        "child": effect.child,
        "workflow": "archiving",
    }


# ----------------------------------------------------------------------------- shared


@pytest.mark.parametrize(
    ("node_type", "config"),
    [
        ("set_fields", {"set": {"flag": True}}),
        ("notify", {"channel": "in_app", "to": {"submitter": True}, "body": {"vi": "x"}}),
        ("webhook", {"url": "https://x.vn"}),
        ("create_record", {"entity": "case", "data": {}}),
        ("start_workflow", {"workflow": "other"}),
    ],
)
def test_automatic_steps_need_exactly_one_way_out(node_type: str, config: dict[str, Any]) -> None:
    document = workflow_document(
        [START, step("auto", node_type, **config), end("a"), end("b")],
        [arrow("start", "auto"), arrow("auto", "a"), arrow("auto", "b")],
    )
    assert "automatic_branches" in {f["code"] for f in findings_of(document)}


def test_ids_handed_out_by_automatic_steps_are_distinct_and_deterministic() -> None:
    definition = build(
        [
            START,
            step("hook", "webhook", url="https://x.vn"),
            step("tell", "notify", channel="email", to={"email": "a@b.vn"}, body={"vi": "x"}),
            step("make", "create_record", entity="case", data={}),
            step("spawn", "start_workflow", workflow="other"),
            end("finished"),
        ],
        [
            arrow("start", "hook"),
            arrow("hook", "tell"),
            arrow("tell", "make"),
            arrow("make", "spawn"),
            arrow("spawn", "finished"),
        ],
    )
    first, second = Case(definition), Case(definition)
    ids = [
        first.last(CallWebhook)[0].call,
        first.last(Notify)[0].notification,
        first.last(CreateRecord)[0].request,
        first.last(StartSubprocess)[0].child,
    ]
    assert len(set(ids)) == 4
    assert first.effects == second.effects
    assert first.outcome == "finished"
