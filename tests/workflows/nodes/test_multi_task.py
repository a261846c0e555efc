"""multi_task: one task per item, completion all/any/count/rule, the way out chosen over
``_results``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    CITIZEN,
    LEADER,
    NOW,
    OFFICER,
    START,
    Case,
    arrow,
    build,
    end,
    logged,
    multi,
    task,
)
from workflows.definition import WorkflowDef
from workflows.effects import CancelTask, CancelTimer, CompleteTask, CreateTask, UpdateData
from workflows.errors import InvalidEvent, WorkflowRuntimeError

ANY_REJECT = {">": [{"var": "_results.counts.reject"}, 0]}
ALL_APPROVED = {"==": [{"var": "_results.counts.approve"}, {"var": "_results.total"}]}


def reviews(completion: Any = "all", **config: Any) -> WorkflowDef:
    """reviews (one per agency in ``reviewers``) → refuse if any rejected, else issue."""
    node = multi("reviews", **config)
    if completion is not None:
        node["completion"] = completion
    return build(
        [START, node, end("issued"), end("refused")],
        [
            arrow("start", "reviews"),
            arrow("reviews", "refused", condition=ANY_REJECT),
            arrow("reviews", "issued", default=True),
        ],
    )


def complete_item(case: Case, item: str, action: str, **kwargs: Any) -> None:
    [task_id] = [t for t in case.open_tasks("reviews") if case.state["tasks"][t]["item"] == item]
    case.complete(task_id, action, **kwargs)


REVIEWERS = {"reviewers": ["sxd", "stnmt", "pccc"]}


def test_one_task_per_item_assigned_through_item() -> None:
    case = Case(reviews(), REVIEWERS)
    created = case.last(CreateTask)
    assert [(e.node, e.agency, e.role, e.item) for e in created] == [
        ("reviews", "sxd", "reviewer", "sxd"),
        ("reviews", "stnmt", "reviewer", "stnmt"),
        ("reviews", "pccc", "reviewer", "pccc"),
    ]
    assert [case.state["tasks"][e.task]["item"] for e in created] == ["sxd", "stnmt", "pccc"]
    [token] = case.state["tokens"]
    assert token["node"] == "reviews"
    assert token["wait"]["kind"] == "multi"
    assert {case.state["tasks"][e.task]["token"] for e in created} == {token["id"]}


def test_items_can_be_objects_read_by_path() -> None:
    items = {"var": "panel"}
    definition = build(
        [
            START,
            multi(
                "reviews",
                items=items,
                assignment={"agency_rule": {"var": "_item.agency"}, "role": "reviewer"},
            ),
            end("issued"),
        ],
        [arrow("start", "reviews"), arrow("reviews", "issued")],
        check=False,  # "panel" is not an entity field; the engine does not mind
    )
    panel = [{"agency": "sxd", "why": "xây dựng"}, {"agency": "pccc", "why": "cháy nổ"}]
    case = Case(definition, {"panel": panel})
    assert [(e.agency, e.item) for e in case.last(CreateTask)] == [
        ("sxd", panel[0]),
        ("pccc", panel[1]),
    ]


def test_items_can_assign_users() -> None:
    definition = build(
        [
            START,
            multi("reviews", assignment={"user_rule": {"var": "_item"}}),
            end("issued"),
        ],
        [arrow("start", "reviews"), arrow("reviews", "issued")],
    )
    case = Case(definition, {"reviewers": ["sxd", "pccc"]})
    assert [(e.user, e.agency) for e in case.last(CreateTask)] == [("sxd", None), ("pccc", None)]


def test_all_waits_for_every_task() -> None:
    case = Case(reviews("all"), REVIEWERS)
    complete_item(case, "sxd", "approve")
    assert case.last(CreateTask) == [] and case.waiting() == ["reviews"]
    assert len(case.open_tasks("reviews")) == 2
    complete_item(case, "stnmt", "approve")
    assert case.waiting() == ["reviews"]
    complete_item(case, "pccc", "approve")
    assert (case.status, case.outcome) == ("completed", "issued")
    [log] = logged(case.effects, "reviews_completed")
    assert log.detail["results"] == {"total": 3, "done": 3, "counts": {"approve": 3}}


def test_completion_defaults_to_all() -> None:
    case = Case(reviews(None), REVIEWERS)
    complete_item(case, "sxd", "approve")
    complete_item(case, "stnmt", "reject")
    assert case.waiting() == ["reviews"]
    complete_item(case, "pccc", "approve")
    assert case.outcome == "refused"


def test_any_reject_refuses_after_all_reviews() -> None:
    case = Case(reviews("all"), REVIEWERS)
    complete_item(case, "sxd", "approve")
    complete_item(case, "stnmt", "reject")
    complete_item(case, "pccc", "approve")
    assert case.outcome == "refused"


def test_any_completes_on_the_first_task_and_cancels_the_others() -> None:
    case = Case(reviews("any"), REVIEWERS)
    others = [t for t in case.open_tasks() if case.state["tasks"][t]["item"] != "stnmt"]
    complete_item(case, "stnmt", "approve")
    assert sorted(e.task for e in case.last(CancelTask)) == sorted(others)
    assert {case.state["tasks"][t]["status"] for t in others} == {"cancelled"}
    assert case.open_tasks() == []
    assert case.outcome == "issued"


def test_count_completes_after_that_many_tasks() -> None:
    case = Case(reviews({"count": 2}), REVIEWERS)
    complete_item(case, "sxd", "approve")
    assert case.waiting() == ["reviews"]
    complete_item(case, "pccc", "reject")
    assert case.outcome == "refused"
    [cancelled] = case.last(CancelTask)
    assert case.state["tasks"][cancelled.task]["item"] == "stnmt"


def test_count_above_the_number_of_items_means_all() -> None:
    case = Case(reviews({"count": 5}), {"reviewers": ["sxd", "pccc"]})
    complete_item(case, "sxd", "approve")
    assert case.waiting() == ["reviews"]
    complete_item(case, "pccc", "approve")
    assert case.outcome == "issued"


def test_completion_rule_stops_at_the_first_reject() -> None:
    case = Case(reviews({"rule": ANY_REJECT}), REVIEWERS)
    complete_item(case, "sxd", "approve")
    assert case.waiting() == ["reviews"]
    complete_item(case, "pccc", "reject")
    assert case.outcome == "refused"
    assert len(case.last(CancelTask)) == 1


def test_completion_rule_that_never_holds_still_completes_when_all_are_done() -> None:
    case = Case(reviews({"rule": ANY_REJECT}), REVIEWERS)
    for item in ("sxd", "stnmt", "pccc"):
        complete_item(case, item, "approve")
    assert case.outcome == "issued"


def test_way_out_is_chosen_over_the_results() -> None:
    definition = build(
        [START, multi("reviews"), end("issued"), end("refused")],
        [
            arrow("start", "reviews"),
            arrow("reviews", "issued", condition=ALL_APPROVED),
            arrow("reviews", "refused", default=True),
        ],
    )
    approved = Case(definition, {"reviewers": ["sxd", "pccc"]})
    for item in ("sxd", "pccc"):
        complete_item(approved, item, "approve")
    assert approved.outcome == "issued"
    mixed = Case(definition, {"reviewers": ["sxd", "pccc"]})
    complete_item(mixed, "sxd", "approve")
    complete_item(mixed, "pccc", "reject")
    assert mixed.outcome == "refused"
    [decision] = logged(mixed.effects, "decision_taken")
    assert decision.detail == {"target": "refused", "default": True}


def test_a_single_unconditional_way_out_is_allowed() -> None:
    definition = build(
        [START, multi("reviews"), end("finished")],
        [arrow("start", "reviews"), arrow("reviews", "finished")],
    )
    case = Case(definition, {"reviewers": ["sxd"]})
    complete_item(case, "sxd", "reject")
    assert case.outcome == "finished"


def test_an_empty_list_goes_straight_on() -> None:
    case = Case(reviews("all"), {"reviewers": []})
    assert case.last(CreateTask) == []
    assert (case.status, case.outcome) == ("completed", "issued")
    assert case.state["path"] == ["start", "reviews", "issued"]


@pytest.mark.parametrize("value", ["sxd", 3, {"a": 1}, None])
def test_items_that_are_not_a_list_fail(value: Any) -> None:
    data = {} if value is None else {"reviewers": value}
    with pytest.raises(WorkflowRuntimeError) as caught:
        Case(reviews(), data)
    assert caught.value.code == "items_not_a_list"
    assert caught.value.params["node"] == "reviews"


def test_unknown_action_of_one_item_is_refused() -> None:
    case = Case(reviews(), REVIEWERS)
    with pytest.raises(InvalidEvent) as caught:
        complete_item(case, "sxd", "maybe")
    assert caught.value.code == "unknown_action"


def test_each_reviewer_writes_only_the_form_fields() -> None:
    case = Case(reviews("all", form={"fields": ["note"]}), {"reviewers": ["sxd"]})
    with pytest.raises(InvalidEvent) as caught:
        complete_item(case, "sxd", "approve", data={"amount": 3})
    assert caught.value.code == "field_not_editable"
    complete_item(case, "sxd", "approve", data={"note": "đồng ý"})
    assert UpdateData(changes={"note": "đồng ý"}) in case.effects
    assert case.outcome == "issued"


def test_each_reviewer_is_remembered_and_guards_apply() -> None:
    definition = build(
        [
            START,
            multi("reviews", guards={"not_submitter": True}),
            task("sign", guards={"not_actors_of": ["reviews"]}),
            end("issued"),
        ],
        [
            arrow("start", "reviews"),
            arrow("reviews", "sign"),
            arrow("sign", "issued", action="done"),
        ],
    )
    case = Case(definition, {"reviewers": ["sxd", "pccc"]}, actor=CITIZEN)
    assert {tuple(e.excluded_actors) for e in case.last(CreateTask)} == {("c-1",)}
    with pytest.raises(InvalidEvent):
        complete_item(case, "sxd", "approve", actor=CITIZEN)
    complete_item(case, "sxd", "approve", actor=OFFICER)
    complete_item(case, "pccc", "approve", actor=LEADER)
    assert case.state["actors"]["by_node"]["reviews"] == ["u-1", "u-2"]
    with pytest.raises(InvalidEvent) as caught:
        case.complete("sign", "done", actor=LEADER)
    assert caught.value.code == "guard_previous_actor"


def test_each_task_has_its_deadline_and_the_rest_are_cancelled_on_completion() -> None:
    case = Case(reviews("any", deadline={"duration": "P2D"}), {"reviewers": ["sxd", "pccc"]})
    timers = case.timers("task_deadline")
    assert len(timers) == 2
    assert {case.due(t) for t in timers} == {NOW + timedelta(days=2)}
    complete_item(case, "sxd", "approve")
    assert sorted(e.timer for e in case.last(CancelTimer)) == sorted(timers)
    assert case.state["timers"] == {}


def test_escalation_action_completes_one_item() -> None:
    case = Case(
        reviews("all", deadline={"duration": "P2D", "escalation": {"action": "approve"}}),
        {"reviewers": ["sxd"]},
    )
    [task_id] = case.open_tasks()
    case.fire("task_deadline")
    assert CompleteTask(task=task_id, action="approve") in case.effects
    assert case.outcome == "issued"


def test_results_only_count_this_nodes_tasks_after_an_earlier_task() -> None:
    definition = build(
        [START, task("intake", "accept"), multi("reviews", completion={"count": 2}), end("issued")],
        [
            arrow("start", "intake"),
            arrow("intake", "reviews", action="accept"),
            arrow("reviews", "issued"),
        ],
    )
    case = Case(definition, REVIEWERS)
    case.complete("intake", "accept")
    complete_item(case, "sxd", "approve")
    assert case.waiting() == ["reviews"]  # one review of two: not complete yet


def test_a_second_round_of_reviews_is_judged_on_its_own_results() -> None:
    definition = build(
        [
            START,
            multi("reviews"),
            task("revise", "resubmit", assignment={"submitter": True}),
            end("issued"),
        ],
        [
            arrow("start", "reviews"),
            arrow("reviews", "revise", condition=ANY_REJECT),
            arrow("reviews", "issued", default=True),
            arrow("revise", "reviews", action="resubmit"),
        ],
    )
    case = Case(definition, {"reviewers": ["sxd", "pccc"]})
    complete_item(case, "sxd", "approve")
    complete_item(case, "pccc", "reject")
    case.complete("revise", "resubmit", actor=CITIZEN)
    complete_item(case, "sxd", "approve")
    complete_item(case, "pccc", "approve")
    assert case.outcome == "issued"
