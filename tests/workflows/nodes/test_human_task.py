"""human_task: assignment, actions and their transitions, editable fields, guards,
deadlines (reminders, escalation) and the pauses_clock flag."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from tests.workflows.nodes.conftest import (
    CITIZEN,
    CLERK,
    LEADER,
    NOW,
    OFFICER,
    START,
    SYSTEM,
    Case,
    arrow,
    at,
    build,
    end,
    findings_of,
    logged,
    step,
    task,
    workflow_document,
)
from workflows import events as ev
from workflows.definition import WorkflowDef
from workflows.effects import (
    CancelTimer,
    CompleteTask,
    CreateTask,
    Notify,
    ReassignTask,
    ScheduleTimer,
    SetCaseDeadline,
    UpdateData,
)
from workflows.errors import InvalidEvent, WorkflowRuntimeError


def single_task(**config: Any) -> WorkflowDef:
    """start → review (done) → finished."""
    return build(
        [START, task("review", **config), end("finished")],
        [arrow("start", "review"), arrow("review", "finished", action="done")],
    )


def created(case: Case) -> CreateTask:
    [effect] = case.last(CreateTask)
    return effect


# ----------------------------------------------------------------------------- assignment


def test_agency_assignment_opens_a_task_for_that_agency_and_role() -> None:
    case = Case(single_task(assignment={"agency": "sxd", "role": "officer"}))
    effect = created(case)
    assert (effect.node, effect.agency, effect.role, effect.user) == (
        "review",
        "sxd",
        "officer",
        None,
    )
    assert effect.submitter is False
    stored = case.state["tasks"][effect.task]
    assert (stored["agency"], stored["role"], stored["user"], stored["status"]) == (
        "sxd",
        "officer",
        None,
        "open",
    )
    assert case.state["tokens"][0]["wait"] == {"kind": "task", "task": effect.task}


def test_agency_rule_assigns_to_the_district_of_the_record() -> None:
    definition = single_task(assignment={"agency_rule": {"var": "district"}, "role": "officer"})
    effect = created(Case(definition, {"district": "ninh_kieu"}))
    assert (effect.agency, effect.role) == ("ninh_kieu", "officer")
    other = created(Case(definition, {"district": "cai_rang"}))
    assert other.agency == "cai_rang"


def test_agency_rule_can_compute_the_code() -> None:
    rule = {"cat": ["ubnd_", {"var": "district"}]}
    effect = created(
        Case(single_task(assignment={"agency_rule": rule, "role": "chair"}), {"district": "q1"})
    )
    assert (effect.agency, effect.role) == ("ubnd_q1", "chair")


@pytest.mark.parametrize("district", [None, "", 42])
def test_agency_rule_giving_no_agency_code_fails(district: Any) -> None:
    definition = single_task(assignment={"agency_rule": {"var": "district"}, "role": "officer"})
    with pytest.raises(WorkflowRuntimeError) as caught:
        Case(definition, {} if district is None else {"district": district})
    assert caught.value.code == "assignment_failed"
    assert caught.value.params["node"] == "review"


def test_user_assignment_opens_a_task_for_that_user_only() -> None:
    effect = created(Case(single_task(assignment={"user": "tran.van.can"})))
    assert (effect.user, effect.agency, effect.role, effect.submitter) == (
        "tran.van.can",
        None,
        None,
        False,
    )


def test_user_rule_assigns_to_the_user_named_in_the_record() -> None:
    definition = single_task(assignment={"user_rule": {"var": "officer"}})
    case = Case(definition, {"officer": "le.thi.lanh"})
    effect = created(case)
    assert (effect.user, effect.role) == ("le.thi.lanh", None)
    assert case.state["tasks"][effect.task]["user"] == "le.thi.lanh"


@pytest.mark.parametrize("officer", ["", 7, ["a"]])
def test_user_rule_giving_no_user_name_fails(officer: Any) -> None:
    definition = single_task(assignment={"user_rule": {"var": "officer"}})
    with pytest.raises(WorkflowRuntimeError) as caught:
        Case(definition, {"officer": officer})
    assert caught.value.code == "assignment_failed"


def test_submitter_assignment_gives_the_task_to_the_citizen() -> None:
    effect = created(Case(single_task(assignment={"submitter": True})))
    assert effect.submitter is True
    assert (effect.agency, effect.role, effect.user) == (None, None, None)


def test_create_task_lists_the_actions_and_editable_fields() -> None:
    case = Case(single_task(form={"fields": ["note", "severity"]}))
    effect = created(case)
    assert effect.actions == [{"key": "done", "label": {"vi": "done", "en": "done"}}]
    assert effect.fields == ["note", "severity"]
    assert effect.due is None and effect.item is None and effect.excluded_actors == []
    [log] = logged(case.effects, "task_created")
    assert log.public is True and log.detail["task"] == effect.task


def test_public_label_and_private_task_reach_the_log() -> None:
    case = Case(single_task(public=False, public_label={"vi": "Đang xử lý"}))
    [log] = logged(case.effects, "task_created")
    assert log.public is False
    assert log.label == {"vi": "Đang xử lý"}


# ----------------------------------------------------------------------------- actions


def review_flow() -> WorkflowDef:
    """prepare → approve? approve → issue, reject → refused, return → prepare,
    request_info → citizen supplies → approve again."""
    return build(
        [
            START,
            task("prepare", "submit", form={"fields": ["note"]}),
            task("approve", "approve", "reject", "return", "request_info"),
            task("supply", "send", assignment={"submitter": True}, form={"fields": ["note"]}),
            task("issue", "done", form={"fields": ["permit_no"]}),
            end("issued"),
            end("refused"),
        ],
        [
            arrow("start", "prepare"),
            arrow("prepare", "approve", action="submit"),
            arrow("approve", "issue", action="approve"),
            arrow("approve", "refused", action="reject"),
            arrow("approve", "prepare", action="return"),
            arrow("approve", "supply", action="request_info"),
            arrow("supply", "approve", action="send"),
            arrow("issue", "issued", action="done"),
        ],
    )


def test_approve_leads_along_its_transition_and_records_the_actor() -> None:
    case = Case(review_flow())
    case.complete("prepare", "submit", actor=CLERK)
    approve_task = case.task("approve")
    effects = case.complete("approve", "approve", actor=LEADER)
    assert CompleteTask(task=approve_task, action="approve") in effects
    stored = case.state["tasks"][approve_task]
    assert (stored["status"], stored["action"], stored["actor"]) == ("completed", "approve", "u-2")
    assert case.waiting() == ["issue"]
    assert case.state["actors"]["by_node"] == {"prepare": ["u-3"], "approve": ["u-2"]}
    [log] = logged(effects, "task_completed")
    assert log.detail == {"task": approve_task, "action": "approve", "changes": {}}


def test_reject_ends_the_case_refused() -> None:
    case = Case(review_flow())
    case.complete("prepare", "submit")
    case.complete("approve", "reject")
    assert (case.status, case.outcome) == ("completed", "refused")
    assert case.open_tasks() == [] and case.state["tokens"] == []
    assert case.state["path"] == ["start", "prepare", "approve", "refused"]


def test_return_sends_the_case_back_with_a_new_task() -> None:
    case = Case(review_flow())
    first = case.task("prepare")
    case.complete("prepare", "submit")
    case.complete("approve", "return")
    second = case.task("prepare")
    assert second != first
    assert case.state["tasks"][first]["status"] == "completed"
    case.complete("prepare", "submit", {"note": "đã bổ sung"})
    case.complete("approve", "approve")
    case.complete("issue", "done", {"permit_no": "GP-1"})
    assert (case.outcome, case.data["permit_no"]) == ("issued", "GP-1")


def test_request_info_asks_the_citizen_then_comes_back() -> None:
    case = Case(review_flow())
    case.complete("prepare", "submit")
    case.complete("approve", "request_info")
    assert case.waiting() == ["supply"]
    assert case.last(CreateTask)[0].submitter is True
    case.complete("supply", "send", {"note": "giấy tờ"}, actor=CITIZEN)
    assert case.waiting() == ["approve"]
    assert case.data["note"] == "giấy tờ"


def test_unknown_action_is_refused_and_names_the_allowed_ones() -> None:
    case = Case(review_flow())
    case.complete("prepare", "submit")
    with pytest.raises(InvalidEvent) as caught:
        case.complete("approve", "submit")
    assert caught.value.code == "unknown_action"
    assert caught.value.params["allowed"] == ["approve", "reject", "return", "request_info"]


def test_completing_a_task_twice_or_an_unknown_task_is_refused() -> None:
    case = Case(review_flow())
    first = case.task("prepare")
    case.complete(first, "submit")
    for task_id in (first, "t999"):
        with pytest.raises(InvalidEvent) as caught:
            case.send(ev.complete_task(task_id, "submit", {}, OFFICER))
        assert caught.value.code == "task_not_open"


def test_a_refused_event_leaves_the_state_untouched() -> None:
    case = Case(review_flow())
    before = copy.deepcopy(case.state)
    with pytest.raises(InvalidEvent):
        case.complete("prepare", "approve", {"note": "x"})
    assert case.state == before


# ----------------------------------------------------------------------------- fields


def test_editable_fields_are_written_and_only_changes_are_reported() -> None:
    definition = single_task(form={"fields": ["note", "severity"]})
    case = Case(definition, {"note": "cũ", "severity": 2})
    effects = case.complete("review", "done", {"note": "cũ", "severity": 4})
    assert case.last(UpdateData) == [UpdateData(changes={"severity": 4})]
    assert logged(effects, "task_completed")[0].detail["changes"] == {"severity": 4}
    assert case.data == {"note": "cũ", "severity": 4}


def test_no_update_when_nothing_changes() -> None:
    case = Case(single_task(form={"fields": ["note"]}), {"note": "x"})
    case.complete("review", "done", {"note": "x"})
    assert case.last(UpdateData) == []


def test_fields_outside_the_form_are_refused_all_named() -> None:
    case = Case(single_task(form={"fields": ["note"]}), {"title": "a"})
    with pytest.raises(InvalidEvent) as caught:
        case.complete("review", "done", {"note": "ok", "title": "b", "amount": 1})
    assert caught.value.code == "field_not_editable"
    assert caught.value.params["fields"] == ["amount", "title"]
    assert case.data == {"title": "a"}


def test_a_task_without_a_form_may_change_nothing() -> None:
    case = Case(single_task())
    with pytest.raises(InvalidEvent) as caught:
        case.complete("review", "done", {"note": "x"})
    assert caught.value.code == "field_not_editable"


def test_a_form_field_that_is_not_an_entity_field_is_a_definition_error() -> None:
    document = workflow_document(
        [START, task("review", form={"fields": ["nope"]}), end("finished")],
        [arrow("start", "review"), arrow("review", "finished", action="done")],
    )
    assert "unknown_field" in {f["code"] for f in findings_of(document)}


# ----------------------------------------------------------------------------- guards


def guarded_flow() -> WorkflowDef:
    """check (officer) → approve (not the submitter, not whoever checked)."""
    return build(
        [
            START,
            task("check", "ok"),
            task("approve", "yes", guards={"not_submitter": True, "not_actors_of": ["check"]}),
            end("finished"),
        ],
        [
            arrow("start", "check"),
            arrow("check", "approve", action="ok"),
            arrow("approve", "finished", action="yes"),
        ],
    )


def test_guarded_task_lists_the_excluded_actors() -> None:
    case = Case(guarded_flow(), actor=CLERK)
    case.complete("check", "ok", actor=OFFICER)
    assert created(case).excluded_actors == ["u-1", "u-3"]


def test_the_submitter_cannot_complete_a_not_submitter_task() -> None:
    case = Case(guarded_flow(), actor=CLERK)
    case.complete("check", "ok", actor=OFFICER)
    with pytest.raises(InvalidEvent) as caught:
        case.complete("approve", "yes", actor=CLERK)
    assert caught.value.code == "guard_submitter"


def test_whoever_completed_an_earlier_node_cannot_complete_the_later_one() -> None:
    case = Case(guarded_flow(), actor=CITIZEN)
    case.complete("check", "ok", actor=OFFICER)
    with pytest.raises(InvalidEvent) as caught:
        case.complete("approve", "yes", actor=OFFICER)
    assert caught.value.code == "guard_previous_actor"
    assert caught.value.params["node"] == "check"


def test_someone_else_may_complete_the_guarded_task() -> None:
    case = Case(guarded_flow(), actor=CITIZEN)
    case.complete("check", "ok", actor=OFFICER)
    case.complete("approve", "yes", actor=LEADER)
    assert case.outcome == "finished"


def test_the_system_actor_bypasses_the_guards() -> None:
    case = Case(guarded_flow(), actor=OFFICER)
    case.complete("check", "ok", actor=OFFICER)
    approve = case.task("approve")
    case.complete("approve", "yes", actor=SYSTEM)
    assert case.outcome == "finished"
    assert case.state["tasks"][approve]["actor"] is None


def test_a_case_started_by_the_system_excludes_no_submitter() -> None:
    case = Case(guarded_flow(), actor=SYSTEM)
    case.complete("check", "ok", actor=OFFICER)
    assert created(case).excluded_actors == ["u-1"]


# ----------------------------------------------------------------------------- deadlines


def deadline_flow(
    deadline: dict[str, Any], *, calendar: str = "none", **config: Any
) -> WorkflowDef:
    return build(
        [
            START,
            task("review", "approve", "reject", deadline=deadline, **config),
            end("approved"),
            end("rejected"),
        ],
        [
            arrow("start", "review"),
            arrow("review", "approved", action="approve"),
            arrow("review", "rejected", action="reject"),
        ],
        calendar=calendar,
    )


def test_deadline_schedules_a_task_deadline_timer_in_calendar_time() -> None:
    case = Case(deadline_flow({"duration": "P3D"}))
    effect = created(case)
    due = (NOW + timedelta(days=3)).isoformat()
    timer_id = case.timer("task_deadline")
    assert ScheduleTimer(timer=timer_id, due=due, purpose="task_deadline", task=effect.task) in (
        case.effects
    )
    assert effect.due == due
    assert case.state["tasks"][effect.task]["due"] == due
    assert case.state["timers"][timer_id]["token"] == case.state["tokens"][0]["id"]


@pytest.mark.parametrize(
    ("duration", "delta"),
    [
        ("PT4H", timedelta(hours=4)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("P2W", timedelta(days=14)),
    ],
)
def test_deadline_durations_are_exact_on_the_24_hour_calendar(
    duration: str, delta: timedelta
) -> None:
    case = Case(deadline_flow({"duration": duration}))
    assert case.due(case.timer("task_deadline")) == NOW + delta


def test_working_day_deadline_on_the_vietnamese_calendar() -> None:
    # Monday 15:30 in Hà Nội: one working day ends on Tuesday at 17:00 (10:00 UTC).
    case = Case(deadline_flow({"duration": "P1D", "working_days": True}, calendar="vn"))
    assert case.due(case.timer("task_deadline")) == at("2026-03-03T10:00:00+00:00")
    assert case.state["timers"][case.timer("task_deadline")]["working"] is True
    # Received on a Friday afternoon, due on Monday evening: the weekend does not count.
    friday = Case(
        deadline_flow({"duration": "P1D", "working_days": True}, calendar="vn"),
        now=at("2026-03-06T08:30:00+00:00"),
    )
    assert friday.due(friday.timer("task_deadline")) == at("2026-03-09T10:00:00+00:00")


def test_reminders_are_scheduled_before_the_deadline() -> None:
    case = Case(deadline_flow({"duration": "P3D", "reminders": ["P1D", "PT2H"]}))
    task_id = created(case).task
    reminders = sorted(case.due(t) for t in case.timers("task_reminder", task=task_id))
    assert reminders == [NOW + timedelta(days=2), NOW + timedelta(days=3, hours=-2)]


def test_a_reminder_that_would_be_in_the_past_is_not_scheduled() -> None:
    case = Case(deadline_flow({"duration": "P1D", "reminders": ["P2D", "P1D"]}))
    assert case.timers("task_reminder") == []


def test_reminder_notifies_the_assignees_and_keeps_the_task_open() -> None:
    case = Case(deadline_flow({"duration": "P3D", "reminders": ["P1D"]}))
    task_id = created(case).task
    effects = case.fire("task_reminder")
    [notify] = case.last(Notify)
    assert notify.to == {"agency": "ioc", "role": "officer"}
    assert notify.task == task_id
    assert logged(effects, "task_reminder")[0].detail["task"] == task_id
    assert case.open_tasks() == [task_id]
    assert case.timers("task_deadline", task=task_id) != []


def test_reminder_uses_the_configured_notification() -> None:
    message = {"channel": "sms", "to": {"user": "boss"}, "body": {"vi": "Sắp hạn"}}
    case = Case(
        deadline_flow({"duration": "P3D", "reminders": ["P1D"], "reminder_notify": message})
    )
    case.fire("task_reminder")
    [notify] = case.last(Notify)
    assert (notify.channel, notify.to, notify.body) == ("sms", {"user": "boss"}, {"vi": "Sắp hạn"})


def test_deadline_without_escalation_only_logs_that_the_task_is_overdue() -> None:
    case = Case(deadline_flow({"duration": "P3D"}))
    task_id = created(case).task
    effects = case.fire("task_deadline")
    assert [e.detail["task"] for e in logged(effects, "task_overdue")] == [task_id]
    assert case.open_tasks() == [task_id]
    assert case.last(ReassignTask) == [] and case.last(Notify) == []


def test_escalation_reassigns_the_task_to_another_role() -> None:
    case = Case(deadline_flow({"duration": "P3D", "escalation": {"reassign_role": "leader"}}))
    task_id = created(case).task
    effects = case.fire("task_deadline")
    assert case.last(ReassignTask) == [
        ReassignTask(task=task_id, agency="ioc", role="leader", reason="deadline")
    ]
    assert case.state["tasks"][task_id]["role"] == "leader"
    assert case.state["tasks"][task_id]["status"] == "open"
    assert logged(effects, "task_escalated")[0].detail["role"] == "leader"


@pytest.mark.parametrize("assignment", [{"user": "tran.van.can"}, {"submitter": True}])
def test_escalating_a_task_of_a_person_never_orphans_it(assignment: dict[str, Any]) -> None:
    nodes = [
        START,
        task(
            "review",
            assignment=assignment,
            deadline={"duration": "P1D", "escalation": {"reassign_role": "leader"}},
        ),
        end("finished"),
    ]
    transitions = [arrow("start", "review"), arrow("review", "finished", action="done")]
    if findings_of(workflow_document(nodes, transitions)):
        return  # refusing the definition is a fine fix too
    case = Case(build(nodes, transitions))
    case.fire("task_deadline")
    for effect in case.last(ReassignTask):
        assert effect.user or effect.agency, effect


def test_escalation_notifies() -> None:
    escalation = {"notify": {"channel": "email", "body": {"vi": "Quá hạn"}}}
    case = Case(deadline_flow({"duration": "P3D", "escalation": escalation}))
    task_id = created(case).task
    case.fire("task_deadline")
    [notify] = case.last(Notify)
    assert (notify.channel, notify.to, notify.task) == (
        "email",
        {"agency": "ioc", "role": "officer"},
        task_id,
    )


def test_escalation_action_completes_the_task_as_the_system() -> None:
    case = Case(deadline_flow({"duration": "P3D", "escalation": {"action": "approve"}}))
    task_id = created(case).task
    effects = case.fire("task_deadline")
    assert CompleteTask(task=task_id, action="approve") in effects
    stored = case.state["tasks"][task_id]
    assert (stored["status"], stored["action"], stored["actor"]) == ("completed", "approve", None)
    assert (case.status, case.outcome) == ("completed", "approved")


def test_escalation_action_bypasses_the_guards() -> None:
    definition = deadline_flow(
        {"duration": "P3D", "escalation": {"action": "reject"}}, guards={"not_submitter": True}
    )
    case = Case(definition)
    case.fire("task_deadline")
    assert case.outcome == "rejected"


def test_escalation_action_must_be_one_of_the_tasks_actions() -> None:
    document = workflow_document(
        [
            START,
            task("review", deadline={"duration": "P1D", "escalation": {"action": "nope"}}),
            end("finished"),
        ],
        [arrow("start", "review"), arrow("review", "finished", action="done")],
    )
    assert "unknown_action" in {f["code"] for f in findings_of(document)}


def test_completing_the_task_cancels_its_deadline_and_reminders() -> None:
    case = Case(deadline_flow({"duration": "P3D", "reminders": ["P1D"]}))
    timer_ids = case.timers()
    assert len(timer_ids) == 2
    case.complete("review", "approve")
    assert sorted(e.timer for e in case.last(CancelTimer)) == sorted(timer_ids)
    assert case.state["timers"] == {}


def test_a_cancelled_deadline_timer_cannot_fire_while_the_case_runs() -> None:
    definition = build(
        [
            START,
            task("first", deadline={"duration": "P1D"}),
            task("second"),
            end("finished"),
        ],
        [
            arrow("start", "first"),
            arrow("first", "second", action="done"),
            arrow("second", "finished", action="done"),
        ],
    )
    case = Case(definition)
    deadline = case.timer("task_deadline")
    case.complete("first", "done")
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.timer_fired(deadline))
    assert caught.value.code == "timer_not_active"


# ----------------------------------------------------------------------------- pauses_clock

CITIZEN_TASK: dict[str, Any] = {"assignment": {"submitter": True}, "pauses_clock": True}


def returning_flow(**supply: Any) -> WorkflowDef:
    """A case with a 10-day deadline; "return" hands it to the citizen, pausing the clock."""
    return build(
        [
            START,
            task("check", "accept", "return", deadline={"duration": "P5D"}),
            task(
                "supply",
                "resubmit",
                "withdraw",
                assignment={"submitter": True},
                pauses_clock=True,
                **supply,
            ),
            end("accepted"),
            end("withdrawn"),
        ],
        [
            arrow("start", "check"),
            arrow("check", "accepted", action="accept"),
            arrow("check", "supply", action="return"),
            arrow("supply", "check", action="resubmit"),
            arrow("supply", "withdrawn", action="withdraw"),
        ],
        deadline={"duration": "P10D"},
    )


def test_a_pauses_clock_task_pauses_the_case_deadline() -> None:
    case = Case(returning_flow())
    case_deadline = case.timer("case_deadline")
    assert case.due(case_deadline) == NOW + timedelta(days=10)
    case.later(days=2).complete("check", "return")
    supply = case.task("supply")
    paused = case.state["paused"]
    assert (paused["since"], paused["reason"]) == (case.now.isoformat(), f"task:{supply}")
    assert CancelTimer(timer=case_deadline) in case.effects
    assert case.left(case_deadline) == timedelta(days=8)
    assert logged(case.effects, "clock_paused")[0].public is True
    with pytest.raises(InvalidEvent) as caught:
        case.send(ev.timer_fired(case_deadline))
    assert caught.value.code == "timer_not_active"


def test_completing_the_pausing_task_resumes_with_the_remaining_time() -> None:
    case = Case(returning_flow())
    case_deadline = case.timer("case_deadline")
    case.later(days=2).complete("check", "return")
    case.later(days=5).complete("supply", "resubmit", actor=CITIZEN)
    new_due = (NOW + timedelta(days=15)).isoformat()  # moved later by the 5 days paused
    assert case.state["paused"] is None
    assert case.state["timers"][case_deadline] == {
        "purpose": "case_deadline",
        "due": new_due,
        "token": None,
        "task": None,
        "working": False,
        "held_since": None,
    }
    assert ScheduleTimer(timer=case_deadline, due=new_due, purpose="case_deadline") in case.effects
    assert SetCaseDeadline(due=new_due) in case.effects
    assert logged(case.effects, "clock_resumed") != []
    # the check task opened again after the resume has its own fresh deadline
    check = case.task("check")
    assert case.due(case.timer("task_deadline", task=check)) == case.now + timedelta(days=5)


def test_a_pause_on_the_working_calendar_keeps_the_working_time_left() -> None:
    definition = build(
        [
            START,
            task("check", "return", "accept"),
            task("supply", "resubmit", assignment={"submitter": True}, pauses_clock=True),
            end("accepted"),
        ],
        [
            arrow("start", "check"),
            arrow("check", "supply", action="return"),
            arrow("check", "accepted", action="accept"),
            arrow("supply", "check", action="resubmit"),
        ],
        calendar="vn",
        deadline={"duration": "P1D", "working_days": True},
    )
    # Monday 15:30 local: due Tuesday 17:00 local; paused at Monday 16:30 local with 8h30 left.
    case = Case(definition)
    case_deadline = case.timer("case_deadline")
    assert case.due(case_deadline) == at("2026-03-03T10:00:00+00:00")
    case.later(hours=1).complete("check", "return")
    assert case.left(case_deadline) == timedelta(hours=8, minutes=30)
    # Resumed on Wednesday 08:00 local: 7h30 of office time are left that day, the last
    # hour runs on Thursday from 07:30, so the case is due Thursday 08:30 local.
    case.now = at("2026-03-04T01:00:00+00:00")
    case.complete("supply", "resubmit", actor=CITIZEN)
    assert case.due(case_deadline) == at("2026-03-05T01:30:00+00:00")


def test_task_deadlines_of_other_tasks_are_paused_too_and_moved() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            task("inspect", deadline={"duration": "P4D"}),
            task("supply", assignment={"submitter": True}, pauses_clock=True),
            step("join", "join"),
            end("finished"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "inspect"),
            arrow("split", "supply"),
            arrow("inspect", "join", action="done"),
            arrow("supply", "join", action="done"),
            arrow("join", "finished"),
        ],
    )
    case = Case(definition)
    inspect = case.task("inspect")
    deadline = case.timer("task_deadline", task=inspect)
    assert case.left(deadline) == timedelta(days=4)
    case.later(days=3).complete("supply", "done", actor=CITIZEN)
    new_due = (NOW + timedelta(days=7)).isoformat()
    assert case.state["tasks"][inspect]["due"] == new_due
    from workflows.effects import SetTaskDue

    assert SetTaskDue(task=inspect, due=new_due) in case.effects


def test_the_pausing_tasks_own_deadline_keeps_running() -> None:
    case = Case(returning_flow(deadline={"duration": "P15D", "escalation": {"action": "withdraw"}}))
    case.complete("check", "return")
    supply = case.task("supply")
    own = case.timer("task_deadline", task=supply)
    assert case.left(own) is None
    case.fire("task_deadline", task=supply)
    assert case.outcome == "withdrawn"


def test_the_pausing_tasks_own_deadline_runs_even_if_opened_during_a_manual_pause() -> None:
    case = Case(returning_flow(deadline={"duration": "P15D", "escalation": {"action": "withdraw"}}))
    case.send(ev.pause("thanh tra"))
    case.complete("check", "return")
    supply = case.task("supply")
    own = case.timer("task_deadline", task=supply)
    case.later(days=1).send(ev.resume())
    assert case.state["paused"] is not None  # the supply task still holds the case clock
    assert case.left(own) is None
    case.fire("task_deadline", task=supply)
    assert case.outcome == "withdrawn"


def test_a_second_pausing_tasks_own_deadline_keeps_running() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            task("supply_a", **CITIZEN_TASK, deadline={"duration": "P2D"}),
            task("supply_b", **CITIZEN_TASK, deadline={"duration": "P2D"}),
            step("join", "join"),
            end("finished"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "supply_a"),
            arrow("split", "supply_b"),
            arrow("supply_a", "join", action="done"),
            arrow("supply_b", "join", action="done"),
            arrow("join", "finished"),
        ],
        deadline={"duration": "P10D"},
    )
    case = Case(definition)
    for node in ("supply_a", "supply_b"):
        own = case.timer("task_deadline", task=case.task(node))
        assert case.left(own) is None, node


def test_the_clock_stays_paused_while_any_pausing_task_is_open() -> None:
    definition = build(
        [
            START,
            step("split", "parallel"),
            task("supply_a", assignment={"submitter": True}, pauses_clock=True),
            task("supply_b", assignment={"submitter": True}, pauses_clock=True),
            step("join", "join"),
            end("finished"),
        ],
        [
            arrow("start", "split"),
            arrow("split", "supply_a"),
            arrow("split", "supply_b"),
            arrow("supply_a", "join", action="done"),
            arrow("supply_b", "join", action="done"),
            arrow("join", "finished"),
        ],
        deadline={"duration": "P10D"},
    )
    case = Case(definition)
    case.later(days=1).complete("supply_a", "done", actor=CITIZEN)
    assert case.open_tasks("supply_b") != []
    assert case.state["paused"] is not None
