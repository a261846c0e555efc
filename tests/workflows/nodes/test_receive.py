"""receive: wait for a message with a name and a correlation key; store some of its data;
take the timeout transition when it does not come in time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    NOW,
    START,
    Case,
    arrow,
    build,
    end,
    findings_of,
    logged,
    step,
    workflow_document,
)
from workflows import events as ev
from workflows.definition import WorkflowDef
from workflows.effects import CancelTimer, ScheduleTimer, UpdateData
from workflows.errors import InvalidEvent

PAYMENT = {
    "message": "payment_confirmed",
    "correlation": {"var": "application_no"},
    "store": ["paid_amount", "receipt_no"],
}


def payment(timeout: str | None = None) -> WorkflowDef:
    node = step("pay", "receive", **PAYMENT)
    transitions = [arrow("start", "pay"), arrow("pay", "paid")]
    if timeout:
        node["timeout"] = {"duration": timeout}
        transitions.append(arrow("pay", "unpaid", timeout=True))
    return build([START, node, end("paid"), end("unpaid")], transitions)


APPLICATION = {"application_no": "HS-123"}


def test_waits_for_the_message_with_the_key_from_the_record() -> None:
    case = Case(payment(), APPLICATION)
    [token] = case.state["tokens"]
    assert (token["node"], token["wait"]) == (
        "pay",
        {"kind": "message", "name": "payment_confirmed", "key": "HS-123"},
    )
    [log] = logged(case.effects, "waiting_for_message")
    assert log.detail == {"message": "payment_confirmed", "key": "HS-123"}
    assert case.state["timers"] == {}


def test_the_right_message_moves_on_and_stores_the_listed_fields() -> None:
    case = Case(payment(), APPLICATION)
    data = {"paid_amount": 150000, "receipt_no": "BL-9", "bank": "VCB", "title": "ignored"}
    effects = case.send(ev.message("payment_confirmed", "HS-123", data))
    assert (case.status, case.outcome) == ("completed", "paid")
    assert case.last(UpdateData) == [
        UpdateData(changes={"paid_amount": 150000, "receipt_no": "BL-9"})
    ]
    assert case.data == {**APPLICATION, "paid_amount": 150000, "receipt_no": "BL-9"}
    [log] = logged(effects, "message_received")
    assert log.detail["key"] == "HS-123"


def test_a_message_without_the_stored_fields_changes_nothing() -> None:
    case = Case(payment(), APPLICATION)
    case.send(ev.message("payment_confirmed", "HS-123", {"receipt_no": "BL-9"}))
    assert case.data == {**APPLICATION, "receipt_no": "BL-9"}


@pytest.mark.parametrize(
    ("name", "key"),
    [("payment_confirmed", "HS-999"), ("payment_refused", "HS-123"), ("payment_confirmed", None)],
)
def test_a_message_nobody_waits_for_is_refused(name: str, key: Any) -> None:
    case = Case(payment(), APPLICATION)
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.message(name, key, {"paid_amount": 1}))
    assert caught.value.code == "no_waiting_receiver"
    assert case.waiting() == ["pay"]


def test_timeout_schedules_a_timer_and_takes_the_timeout_transition() -> None:
    case = Case(payment("P3D"), APPLICATION)
    timer_id = case.timer("receive_timeout")
    assert (
        ScheduleTimer(
            timer=timer_id,
            due=(NOW + timedelta(days=3)).isoformat(),
            purpose="receive_timeout",
            task=None,
        )
        in case.effects
    )
    effects = case.fire("receive_timeout")
    assert (case.status, case.outcome) == ("completed", "unpaid")
    assert logged(effects, "message_timed_out")[0].detail == {"message": "payment_confirmed"}


def test_the_timeout_timer_is_cancelled_when_the_message_arrives() -> None:
    case = Case(payment("P3D"), APPLICATION)
    timer_id = case.timer("receive_timeout")
    case.later(days=1).send(ev.message("payment_confirmed", "HS-123", {}))
    assert case.outcome == "paid"
    assert case.last(CancelTimer) == [CancelTimer(timer=timer_id)]
    assert case.state["timers"] == {}


def test_a_message_after_the_timeout_is_refused() -> None:
    definition = build(
        [
            START,
            step("pay", "receive", **PAYMENT, timeout={"duration": "P1D"}),
            step("again", "receive", message="other", correlation="x"),
            end("paid"),
        ],
        [
            arrow("start", "pay"),
            arrow("pay", "paid"),
            arrow("pay", "again", timeout=True),
            arrow("again", "paid"),
        ],
    )
    case = Case(definition, APPLICATION)
    case.fire("receive_timeout")
    assert case.waiting() == ["again"]
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.message("payment_confirmed", "HS-123", {}))
    assert caught.value.code == "no_waiting_receiver"


def test_the_receive_timeout_is_not_stopped_by_a_clock_pause() -> None:
    case = Case(payment("P3D"), APPLICATION)
    case.send(ev.pause())
    assert case.last(CancelTimer) == []
    case.fire("receive_timeout")
    assert case.outcome == "unpaid"


def test_every_branch_waiting_for_the_same_message_receives_it() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            step("pay_a", "receive", message="paid", correlation={"var": "application_no"}),
            step("pay_b", "receive", message="paid", correlation={"var": "application_no"}),
            step("join", "join"),
            end("finished"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "pay_a"),
            arrow("split", "pay_b"),
            arrow("pay_a", "join"),
            arrow("pay_b", "join"),
            arrow("join", "finished"),
        ],
    )
    case = Case(definition, APPLICATION)
    case.send(ev.message("paid", "HS-123"))
    assert case.outcome == "finished"


def test_a_computed_correlation_key() -> None:
    definition = build(
        [
            START,
            step(
                "pay",
                "receive",
                message="paid",
                correlation={"cat": ["APP-", {"var": "application_no"}]},
            ),
            end("paid"),
        ],
        [arrow("start", "pay"), arrow("pay", "paid")],
    )
    case = Case(definition, APPLICATION)
    case.send(ev.message("paid", "APP-HS-123"))
    assert case.outcome == "paid"


@pytest.mark.parametrize(
    ("config", "transitions", "code"),
    [
        ({"timeout": {"duration": "P1D"}}, [arrow("pay", "paid")], "timeout_branch"),
        ({}, [arrow("pay", "paid"), arrow("pay", "unpaid", timeout=True)], "timeout_branch"),
        ({}, [arrow("pay", "paid"), arrow("pay", "unpaid")], "receive_branches"),
        ({"store": ["nope"]}, [arrow("pay", "paid")], "unknown_field"),
    ],
)
def test_invalid_receives_are_found(
    config: dict[str, Any], transitions: list[dict[str, Any]], code: str
) -> None:
    document = workflow_document(
        [START, step("pay", "receive", **{**PAYMENT, **config}), end("paid"), end("unpaid")],
        [arrow("start", "pay"), *transitions],
    )
    assert code in {f["code"] for f in findings_of(document)}
