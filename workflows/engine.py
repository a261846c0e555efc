"""The engine: ``handle(definition, state, event, now) -> (state, effects)``.

A pure function. It never reads the clock or makes random ids: ``now`` is passed in and
ids come from a counter kept in the state, so replaying the same events from the start
gives the same state and the same effects.

Tokens mark where a case is. A token moves through nodes until a node makes it wait
(a human task, a timer, a join, a message, a sub-process); events addressed to a waiting
token (task completed, timer fired, ...) are handed to its node, which says what happens
next as a :data:`~workflows.nodes.registry.Step`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import events as ev
from . import nodes, rules
from .definition import NodeDef, WorkflowDef
from .effects import (
    CancelSubprocess,
    CancelTask,
    CancelTimer,
    CloseCase,
    CompleteTask,
    CreateTask,
    Effect,
    Notify,
    ReassignTask,
    RecordEvent,
    ScheduleTimer,
    SetCaseDeadline,
    SetTaskDue,
    UpdateData,
)
from .errors import InvalidEvent, WorkflowRuntimeError
from .nodes.registry import Finish, Fork, Move, NodeType, Stay, Step, Terminate, Wait
from .state import CANCELLED, COMPLETED, RUNNING, State, new_state, upgrade

#: Steps one event may take without waiting; more means a cycle with no waiting node.
MAX_STEPS = 1000
#: Timer purposes that belong to the deadline clock, which stops while a case is paused.
CLOCK_PURPOSES = frozenset({"task_deadline", "task_reminder", "case_deadline", "case_reminder"})

Token = dict[str, Any]


@dataclass
class Context:
    """What a node sees while the engine handles one event."""

    definition: WorkflowDef
    state: State
    now: datetime
    actor: dict[str, Any]
    effects: list[Effect] = field(default_factory=list)
    steps: int = 0
    last_end: NodeDef | None = None

    # -- basics ---------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        result: dict[str, Any] = self.state["data"]
        return result

    def new_id(self) -> str:
        self.state["seq"] += 1
        return f"t{self.state['seq']}"

    def emit(self, effect: Effect) -> None:
        self.effects.append(effect)

    def log(
        self,
        event: str,
        node: NodeDef | None,
        *,
        public: bool = False,
        label: dict[str, str] | None = None,
        **detail: Any,
    ) -> None:
        self.emit(
            RecordEvent(
                event=event,
                node=node.id if node else None,
                label=label or (node.label if node else {}),
                public=public,
                detail=detail,
            )
        )

    def node(self, node_id: str) -> NodeDef:
        return self.definition.nodes[node_id]

    def type_of(self, node: NodeDef) -> NodeType:
        node_type = nodes.get(node.type)
        if node_type is None:
            raise WorkflowRuntimeError(f"unknown node type {node.type!r}", node=node.id)
        return node_type

    def actor_id(self) -> str | None:
        value = self.actor.get("id")
        return str(value) if value is not None else None

    # -- rules ----------------------------------------------------------------------
    def rule_data(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        return {**self.data, **extra} if extra else self.data

    def evaluate(self, rule: Any, node: NodeDef, extra: dict[str, Any] | None = None) -> Any:
        try:
            return compiled(rule).evaluate(self.rule_data(extra), trusted=True)
        except rules.RuleError as error:
            raise WorkflowRuntimeError(
                f"a rule of node {node.id!r} failed: {error}",
                code="rule_failed",
                node=node.id,
                rule_error=error.code,
            ) from error

    def truthy(self, rule: Any, node: NodeDef, extra: dict[str, Any] | None = None) -> bool:
        return rules.is_truthy(self.evaluate(rule, node, extra))

    def choose(self, node: NodeDef, extra: dict[str, Any] | None = None) -> str:
        """The target of the first outgoing transition whose condition holds, else the
        default; a single unconditional transition is always taken."""
        outgoing = [
            t for t in self.definition.outgoing(node.id) if not t.timeout and t.action is None
        ]
        default = None
        for transition in outgoing:
            if transition.default or transition.condition is None:
                default = default or transition
            elif self.truthy(transition.condition, node, extra):
                self.log("decision_taken", node, target=transition.target)
                return transition.target
        if default is None:
            raise WorkflowRuntimeError(
                f"no branch of {node.id!r} matched and it has no default",
                code="no_branch",
                node=node.id,
            )
        self.log("decision_taken", node, target=default.target, default=True)
        return default.target

    def follow(self, node: NodeDef, **keys: Any) -> str:
        """The target of the outgoing transition carrying ``keys`` (e.g. action="approve",
        timeout=True), or the plain one when no keys are given."""
        for transition in self.definition.outgoing(node.id):
            if all(getattr(transition, k) == v for k, v in keys.items()) and (
                keys or (transition.action is None and not transition.timeout)
            ):
                return transition.target
        raise WorkflowRuntimeError(
            f"node {node.id!r} has no way out for {keys or 'its normal path'}",
            code="no_branch",
            node=node.id,
        )

    def update_data(self, changes: dict[str, Any]) -> dict[str, Any]:
        changed = {k: v for k, v in changes.items() if self.data.get(k, None) != v}
        if changed:
            self.data.update(changed)
            self.emit(UpdateData(changes=changed))
        return changed

    # -- time -----------------------------------------------------------------------
    @property
    def calendar(self) -> Any:
        from .calendar import calendar_named

        return calendar_named(self.definition.calendar)

    def due_after(self, duration: str, *, working: bool, start: datetime | None = None) -> datetime:
        from .calendar import Duration

        result: datetime = self.calendar.add(
            start or self.now, Duration.parse(duration), working=working
        )
        return result

    def before(self, due: datetime, duration: str, *, working: bool) -> datetime:
        from .calendar import Duration

        result: datetime = self.calendar.subtract(due, Duration.parse(duration), working=working)
        return result

    def schedule(
        self,
        purpose: str,
        due: datetime,
        *,
        token: str | None,
        task: str | None = None,
        working: bool = False,
    ) -> str:
        timer_id = self.new_id()
        self.state["timers"][timer_id] = {
            "purpose": purpose,
            "due": due.isoformat(),
            "token": token,
            "task": task,
            "working": working,
            "held_since": None,
        }
        if self.clock_holds(timer_id):
            self._pause_timer(timer_id)
        else:
            self.emit(
                ScheduleTimer(timer=timer_id, due=due.isoformat(), purpose=purpose, task=task)
            )
        return timer_id

    def cancel_timers(self, predicate: Callable[[dict[str, Any]], bool]) -> None:
        for timer_id, timer in list(self.state["timers"].items()):
            if predicate(timer):
                del self.state["timers"][timer_id]
                if timer["held_since"] is None:
                    self.emit(CancelTimer(timer=timer_id))

    def clock_holds(self, timer_id: str) -> bool:
        """Whether the paused clock stops this timer. A task that pauses the clock (the case
        is with the citizen) keeps its own deadline running."""
        paused = self.state["paused"]
        timer = self.state["timers"][timer_id]
        if paused is None or timer["purpose"] not in CLOCK_PURPOSES:
            return False
        return timer["task"] is None or timer["task"] not in paused["holders"]

    def _pause_timer(self, timer_id: str) -> None:
        """Stop a timer of the deadline clock: remember since when it is held."""
        self.state["timers"][timer_id]["held_since"] = self.now.isoformat()

    def _resumed_due(self, timer: dict[str, Any]) -> datetime:
        """When a held timer falls due once the clock runs again at ``now``: its old due
        moment moved later by exactly the time that passed while it was held — office time
        for a ``working`` timer (none at all for a pause outside office hours), elapsed time
        otherwise — to the microsecond.

        It so keeps the time it had left, and never moves earlier. A timer already overdue
        when it stopped stays overdue by as much, and fires as soon as the clock runs again.
        """
        since = datetime.fromisoformat(timer["held_since"])
        due = datetime.fromisoformat(timer["due"])
        if timer["working"]:
            moved: datetime = self.calendar.add_working_time(
                due, self.calendar.working_time_between(since, self.now)
            )
            return moved
        return due + max(timedelta(0), self.now - since)

    # -- tasks ----------------------------------------------------------------------
    def create_task(
        self,
        node: NodeDef,
        token: Token,
        *,
        item: Any = None,
        has_item: bool = False,
    ) -> str:
        """Open a task for ``node`` (a human or multi-instance task) and its deadline."""
        extra = {"_item": item} if has_item else None
        assignment = resolve_assignment(self, node, node.config["assignment"], extra)
        task_id = self.new_id()
        if node.config.get("pauses_clock"):
            # Hold the clock first, so the task's own deadline is not frozen by it.
            pause_clock(self, holder=task_id, reason=f"task:{task_id}")
        due_text = None
        deadline = node.config.get("deadline")
        if deadline:
            working = bool(deadline.get("working_days", False))
            due = self.due_after(deadline["duration"], working=working)
            due_text = due.isoformat()
            self.schedule("task_deadline", due, token=token["id"], task=task_id, working=working)
            for before in deadline.get("reminders", []):
                remind = self.before(due, before, working=working)
                if remind > self.now:
                    self.schedule(
                        "task_reminder", remind, token=token["id"], task=task_id, working=working
                    )
        excluded = excluded_actors(self, node)
        self.state["tasks"][task_id] = {
            "token": token["id"],
            "node": node.id,
            "status": "open",
            "item": item,
            "action": None,
            "actor": None,
            "due": due_text,
            "agency": assignment.get("agency"),
            "role": assignment.get("role"),
            "user": assignment.get("user"),
        }
        self.emit(
            CreateTask(
                task=task_id,
                node=node.id,
                label=node.label,
                agency=assignment.get("agency"),
                role=assignment.get("role"),
                actions=[dict(a) for a in node.config["actions"]],
                fields=list(node.config.get("form", {}).get("fields", [])),
                user=assignment.get("user"),
                submitter=bool(assignment.get("submitter")),
                due=due_text,
                item=item,
                excluded_actors=excluded,
            )
        )
        self.log(
            "task_created",
            node,
            public=bool(node.config.get("public", True)),
            label=node.config.get("public_label", node.label),
            task=task_id,
            agency=assignment.get("agency"),
            role=assignment.get("role"),
            user=assignment.get("user"),
            due=due_text,
        )
        return task_id

    def close_task(self, task_id: str, *, action: str | None) -> None:
        """Mark a task completed (with ``action``) or cancelled (``action`` None)."""
        task = self.state["tasks"][task_id]
        self.cancel_timers(lambda timer: timer["task"] == task_id)
        if action is None:
            task["status"] = "cancelled"
            self.emit(CancelTask(task=task_id))
        else:
            task["status"] = "completed"
            task["action"] = action
            task["actor"] = self.actor_id()
            self.emit(CompleteTask(task=task_id, action=action))
        release_clock(self, holder=task_id)

    def open_tasks(self, token_id: str) -> list[str]:
        return [
            task_id
            for task_id, task in self.state["tasks"].items()
            if task["token"] == token_id and task["status"] == "open"
        ]


# ------------------------------------------------------------------------------- helpers

_COMPILED: dict[int, tuple[Any, rules.CompiledRule]] = {}
_COMPILED_MAX = 20_000


def compiled(rule: Any) -> rules.CompiledRule:
    """The compiled form of a rule object of a parsed definition, found by identity: parsed
    definitions are cached and live long, so this skips canonicalising the rule's JSON on
    every evaluation. The cache keeps the rule alive, so an id is never reused for another
    rule while it is cached."""
    entry = _COMPILED.get(id(rule))
    if entry is not None and entry[0] is rule:
        return entry[1]
    result = rules.compile(rule)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[id(rule)] = (rule, result)
    return result


def copy_state(state: State) -> State:
    """A copy of ``state`` deep enough that handling an event never changes the original:
    every container the engine mutates is copied; values it only replaces are shared."""
    copied = dict(state)
    copied["data"] = dict(state["data"])
    copied["tokens"] = [
        {**token, "forks": list(token["forks"]), **({"wait": dict(token["wait"])}
                                                   if token.get("wait") else {})}
        for token in state["tokens"]
    ]  # fmt: skip
    copied["forks"] = {k: {**f, "arrived": list(f["arrived"])} for k, f in state["forks"].items()}
    copied["tasks"] = {k: dict(t) for k, t in state["tasks"].items()}
    copied["timers"] = {k: dict(t) for k, t in state["timers"].items()}
    copied["children"] = {k: dict(c) for k, c in state["children"].items()}
    paused = state["paused"]
    copied["paused"] = {**paused, "holders": list(paused["holders"])} if paused else None
    actors = state["actors"]
    copied["actors"] = {
        "submitter": actors["submitter"],
        "by_node": {k: list(v) for k, v in actors["by_node"].items()},
    }
    copied["path"] = list(state["path"])
    return copied


def resolve_assignment(
    ctx: Context, node: NodeDef, assignment: dict[str, Any], extra: dict[str, Any] | None
) -> dict[str, Any]:
    """Who a task goes to: {"agency", "role"} | {"user"} | {"submitter": True}."""
    if assignment.get("submitter"):
        return {"submitter": True}
    result: dict[str, Any] = {"role": assignment.get("role")}
    if "user" in assignment:
        result["user"] = assignment["user"]
        result["role"] = None
        return result
    if "user_rule" in assignment:
        value = ctx.evaluate(assignment["user_rule"], node, extra)
        if not isinstance(value, str) or not value:
            raise WorkflowRuntimeError(
                f"the assignment rule of task {node.id!r} gave {value!r}, not a user name",
                code="assignment_failed",
                node=node.id,
                value=value,
            )
        return {"user": value, "role": None}
    agency = assignment.get("agency")
    if agency is None:
        value = ctx.evaluate(assignment["agency_rule"], node, extra)
        if not isinstance(value, str) or not value:
            raise WorkflowRuntimeError(
                f"the assignment rule of task {node.id!r} gave {value!r}, not an agency code",
                code="assignment_failed",
                node=node.id,
                value=value,
            )
        agency = value
    result["agency"] = agency
    return result


def excluded_actors(ctx: Context, node: NodeDef) -> list[str]:
    """Actors the task's guards exclude (the submitter, earlier approvers)."""
    guards = node.config.get("guards", {})
    excluded: list[str] = []
    submitter = ctx.state["actors"]["submitter"]
    if guards.get("not_submitter") and submitter:
        excluded.append(submitter)
    for earlier in guards.get("not_actors_of", []):
        excluded += ctx.state["actors"]["by_node"].get(earlier, [])
    return sorted(set(excluded))


def check_guards(ctx: Context, node: NodeDef, task_id: str) -> None:
    actor = ctx.actor_id()
    if actor is None or ctx.actor.get("kind") == "system":
        return
    guards = node.config.get("guards", {})
    if guards.get("not_submitter") and actor == ctx.state["actors"]["submitter"]:
        raise InvalidEvent(
            "the person who submitted the case may not complete this task",
            code="guard_submitter",
            task=task_id,
        )
    for earlier in guards.get("not_actors_of", []):
        if actor in ctx.state["actors"]["by_node"].get(earlier, []):
            raise InvalidEvent(
                f"whoever completed {earlier!r} may not also complete this task",
                code="guard_previous_actor",
                task=task_id,
                node=earlier,
            )


def remember_actor(ctx: Context, node: NodeDef) -> None:
    actor = ctx.actor_id()
    if actor is not None:
        seen = ctx.state["actors"]["by_node"].setdefault(node.id, [])
        if actor not in seen:
            seen.append(actor)


def apply_task_data(ctx: Context, node: NodeDef, data: dict[str, Any]) -> dict[str, Any]:
    editable = set(node.config.get("form", {}).get("fields", []))
    refused = sorted(set(data) - editable)
    if refused:
        raise InvalidEvent(
            f"task {node.id!r} may not change {', '.join(refused)}",
            code="field_not_editable",
            fields=refused,
        )
    return ctx.update_data(data)


MANUAL_HOLD = "manual"


def pause_clock(ctx: Context, *, holder: str, reason: str = "") -> None:
    """Stop the deadline clock for ``holder`` (a task that gave the case back to the
    citizen, or ``"manual"``). The clock runs again when every holder has let go."""
    paused = ctx.state["paused"]
    if paused is not None:
        if holder not in paused["holders"]:
            paused["holders"].append(holder)
        return
    ctx.state["paused"] = {"since": ctx.now.isoformat(), "reason": reason, "holders": [holder]}
    for timer_id, timer in ctx.state["timers"].items():
        if timer["held_since"] is None and ctx.clock_holds(timer_id):
            ctx._pause_timer(timer_id)
            ctx.emit(CancelTimer(timer=timer_id))
    ctx.log(
        "clock_paused",
        None,
        public=True,
        label={"vi": "Tạm dừng tính thời hạn", "en": "Deadline clock paused"},
        reason=reason,
        holder=holder,
    )


def release_clock(ctx: Context, *, holder: str) -> None:
    paused = ctx.state["paused"]
    if paused is None or holder not in paused["holders"]:
        return
    paused["holders"].remove(holder)
    if not paused["holders"]:
        resume_clock(ctx)


def resume_clock(ctx: Context) -> None:
    if ctx.state["paused"] is None:
        return
    ctx.state["paused"] = None
    for timer_id, timer in ctx.state["timers"].items():
        if timer["held_since"] is None:
            continue
        timer["due"] = ctx._resumed_due(timer).isoformat()
        timer["held_since"] = None
        ctx.emit(
            ScheduleTimer(
                timer=timer_id, due=timer["due"], purpose=timer["purpose"], task=timer["task"]
            )
        )
        if timer["purpose"] == "task_deadline" and timer["task"] in ctx.state["tasks"]:
            ctx.state["tasks"][timer["task"]]["due"] = timer["due"]
            ctx.emit(SetTaskDue(task=timer["task"], due=timer["due"]))
        if timer["purpose"] == "case_deadline":
            ctx.emit(SetCaseDeadline(due=timer["due"]))
    ctx.log(
        "clock_resumed",
        None,
        public=True,
        label={"vi": "Tiếp tục tính thời hạn", "en": "Deadline clock resumed"},
    )


def default_reminder(node: NodeDef) -> dict[str, Any]:
    """The in-app reminder sent when a deadline has reminders but no message of its own."""
    label_vi = node.label.get("vi", node.id)
    label_en = node.label.get("en", label_vi)
    return {
        "channel": "in_app",
        "subject": {"vi": "Sắp đến hạn: {{tracking_code}}", "en": "Due soon: {{tracking_code}}"},
        "body": {
            "vi": f"Công việc “{label_vi}” của hồ sơ {{{{tracking_code}}}} sắp đến hạn.",
            "en": f"The task “{label_en}” of case {{{{tracking_code}}}} is due soon.",
        },
    }


def notify_effect(
    ctx: Context,
    config: dict[str, Any],
    *,
    name: str,
    task: str | None = None,
    default_to: dict[str, Any] | None = None,
) -> None:
    ctx.emit(
        Notify(
            notification=ctx.new_id(),
            channel=config.get("channel", "in_app"),
            to=dict(config.get("to") or default_to or {"submitter": True}),
            subject=dict(config.get("subject", {})),
            body=dict(config.get("body", {})),
            task=task,
        )
    )
    ctx.log("notification_requested", None, name=name, channel=config.get("channel", "in_app"))


# ------------------------------------------------------------------------------- engine


def start(
    definition: WorkflowDef,
    data: dict[str, Any],
    now: datetime,
    actor: dict[str, Any] | None = None,
) -> tuple[State, list[Effect]]:
    """A new instance of ``definition`` over ``data``, moved as far as it goes."""
    return handle(definition, new_state(data), ev.start(actor), now)


def handle(
    definition: WorkflowDef, state: State, event: dict[str, Any], now: datetime
) -> tuple[State, list[Effect]]:
    """Apply ``event`` to ``state``; return the new state and the effects to carry out.

    Raises :class:`InvalidEvent` when the event is not valid in the current state, and
    :class:`WorkflowRuntimeError` when the definition cannot go on (a rule failed, no
    branch matched); the input state is never modified.
    """
    state = copy_state(upgrade(state))
    kind = event.get("type")
    ctx = Context(definition, state, now, event.get("actor") or ev.SYSTEM_ACTOR)
    handler = _HANDLERS.get(str(kind))
    if handler is None:
        raise InvalidEvent(f"unknown event type {kind!r}", code="unknown_event", type=kind)
    if kind != ev.START and state["status"] != RUNNING:
        raise InvalidEvent(
            f"the case is {state['status']} and accepts no more events",
            code="case_closed",
            status=state["status"],
        )
    try:
        handler(ctx, event)
    except RecursionError:
        # Forks that complete at once can nest the movement deeper than Python allows
        # before MAX_STEPS is reached; it is the same fault: a loop that never waits.
        raise WorkflowRuntimeError(
            "the case went round without waiting until it could not go deeper",
            code="too_many_steps",
        ) from None
    if state["status"] == RUNNING and state["path"] and not state["tokens"]:
        _close(ctx, ctx.last_end)
    return ctx.state, ctx.effects


def _on_start(ctx: Context, event: dict[str, Any]) -> None:
    if ctx.state["path"]:
        raise InvalidEvent("the case has already started", code="already_started")
    ctx.state["actors"]["submitter"] = ctx.actor_id()
    deadline = ctx.definition.deadline
    if deadline:
        working = bool(deadline.get("working_days", False))
        due = ctx.due_after(deadline["duration"], working=working)
        ctx.schedule("case_deadline", due, token=None, working=working)
        ctx.emit(SetCaseDeadline(due=due.isoformat()))
        for before in deadline.get("reminders", []):
            remind = ctx.before(due, before, working=working)
            if remind > ctx.now:
                ctx.schedule("case_reminder", remind, token=None, working=working)
    token: Token = {"id": ctx.new_id(), "node": ctx.definition.start_node().id, "forks": []}
    _advance(ctx, token)


def _parked(ctx: Context, token_id: str) -> Token:
    for token in ctx.state["tokens"]:
        if token["id"] == token_id:
            result: Token = token
            return result
    raise InvalidEvent(f"nothing waits at {token_id!r}", code="token_not_waiting", token=token_id)


def _on_complete_task(ctx: Context, event: dict[str, Any]) -> None:
    task_id = str(event.get("task"))
    task = ctx.state["tasks"].get(task_id)
    if task is None or task["status"] != "open":
        raise InvalidEvent(f"task {task_id!r} is not open", code="task_not_open", task=task_id)
    token = _parked(ctx, task["token"])
    node = ctx.node(task["node"])
    check_guards(ctx, node, task_id)
    action = str(event.get("action"))
    data = dict(event.get("data") or {})
    step = ctx.type_of(node).on_task(
        ctx, node, token, {**task, "id": task_id, "data": data}, action
    )
    _continue(ctx, token, step)


def _on_timer(ctx: Context, event: dict[str, Any]) -> None:
    timer_id = str(event.get("timer"))
    timer = ctx.state["timers"].get(timer_id)
    if timer is None or timer["held_since"] is not None:
        raise InvalidEvent(
            f"timer {timer_id!r} is not running", code="timer_not_active", timer=timer_id
        )
    del ctx.state["timers"][timer_id]
    purpose = timer["purpose"]
    if purpose in {"case_deadline", "case_reminder"}:
        _case_clock(ctx, purpose)
        return
    task_id = timer.get("task")
    if purpose in {"task_deadline", "task_reminder"} and task_id:
        _task_clock(ctx, purpose, task_id)
        return
    token = _parked(ctx, timer["token"])
    node = ctx.node(token["node"])
    _continue(ctx, token, ctx.type_of(node).on_timer(ctx, node, token, {**timer, "id": timer_id}))


def _case_clock(ctx: Context, purpose: str) -> None:
    deadline = ctx.definition.deadline or {}
    if purpose == "case_reminder":
        ctx.log(
            "case_deadline_near",
            None,
            label={"vi": "Sắp đến hạn giải quyết", "en": "Case deadline is near"},
        )
        if deadline.get("reminder_notify"):
            notify_effect(ctx, deadline["reminder_notify"], name="case_reminder")
        return
    ctx.log(
        "case_overdue",
        None,
        public=True,
        label={"vi": "Hồ sơ đã quá hạn giải quyết", "en": "The case is overdue"},
    )
    escalation = deadline.get("escalation", {})
    if escalation.get("notify"):
        notify_effect(ctx, escalation["notify"], name="case_overdue")


def _task_clock(ctx: Context, purpose: str, task_id: str) -> None:
    task = ctx.state["tasks"][task_id]
    node = ctx.node(task["node"])
    deadline = node.config.get("deadline", {})
    assignees = {k: task.get(k) for k in ("agency", "role", "user") if task.get(k)}
    if purpose == "task_reminder":
        ctx.log("task_reminder", node, task=task_id, due=task["due"])
        notify_effect(
            ctx,
            deadline.get("reminder_notify") or default_reminder(node),
            name="task_reminder",
            task=task_id,
            default_to=assignees or {"submitter": True},
        )
        return
    ctx.log("task_overdue", node, task=task_id, due=task["due"])
    escalation = deadline.get("escalation", {})
    if escalation.get("reassign_role") and task.get("agency"):
        role = escalation["reassign_role"]
        task["role"] = role
        ctx.emit(
            ReassignTask(task=task_id, agency=task.get("agency"), role=role, reason="deadline")
        )
        ctx.log("task_escalated", node, task=task_id, agency=task.get("agency"), role=role)
    if escalation.get("notify"):
        notify_effect(
            ctx, escalation["notify"], name="task_overdue", task=task_id, default_to=assignees
        )
    if escalation.get("action"):
        token = _parked(ctx, task["token"])
        system = Context(ctx.definition, ctx.state, ctx.now, dict(ev.SYSTEM_ACTOR), ctx.effects)
        step = ctx.type_of(node).on_task(
            system, node, token, {**task, "id": task_id, "data": {}}, escalation["action"]
        )
        _continue(system, token, step)
        ctx.last_end = system.last_end


def _on_message(ctx: Context, event: dict[str, Any]) -> None:
    name, key = event.get("name"), event.get("key")
    waiting = [
        t
        for t in ctx.state["tokens"]
        if (t.get("wait") or {}).get("kind") == "message"
        and t["wait"].get("name") == name
        and t["wait"].get("key") == key
    ]
    if not waiting:
        raise InvalidEvent(
            f"no case step waits for message {name!r} with key {key!r}",
            code="no_waiting_receiver",
            name=name,
        )
    for token in waiting:
        node = ctx.node(token["node"])
        _continue(ctx, token, ctx.type_of(node).on_message(ctx, node, token, event))


def _on_subprocess(ctx: Context, event: dict[str, Any]) -> None:
    child_id = str(event.get("child"))
    child = ctx.state["children"].get(child_id)
    if child is None or child["status"] != "running":
        raise InvalidEvent(
            f"sub-process {child_id!r} is not running", code="child_not_running", child=child_id
        )
    child["status"] = "completed"
    child["outcome"] = event.get("outcome")
    token = _parked(ctx, child["token"])
    node = ctx.node(token["node"])
    _continue(ctx, token, ctx.type_of(node).on_subprocess(ctx, node, token, event))


def _on_reassign(ctx: Context, event: dict[str, Any]) -> None:
    task_id = str(event.get("task"))
    task = ctx.state["tasks"].get(task_id)
    if task is None or task["status"] != "open":
        raise InvalidEvent(f"task {task_id!r} is not open", code="task_not_open", task=task_id)
    if not (event.get("user") or (event.get("agency") and event.get("role"))):
        raise InvalidEvent(
            "a task is reassigned to a user, or to an agency and a role",
            code="invalid_assignment",
        )
    for key in ("agency", "role", "user"):
        task[key] = event.get(key)
    ctx.emit(
        ReassignTask(
            task=task_id,
            agency=event.get("agency"),
            role=event.get("role"),
            user=event.get("user"),
            reason=str(event.get("reason", "")),
        )
    )
    ctx.log(
        "task_reassigned",
        ctx.node(task["node"]),
        task=task_id,
        agency=event.get("agency"),
        role=event.get("role"),
        user=event.get("user"),
        reason=event.get("reason", ""),
    )


def manually_paused(state: State) -> bool:
    """Whether someone paused the case's clock by hand (not a task holding it)."""
    paused = state.get("paused")
    return paused is not None and MANUAL_HOLD in paused.get("holders", [])


def _on_pause(ctx: Context, event: dict[str, Any]) -> None:
    if manually_paused(ctx.state):
        raise InvalidEvent("the deadline clock is already paused", code="already_paused")
    pause_clock(ctx, holder=MANUAL_HOLD, reason=str(event.get("reason", "")))


def _on_resume(ctx: Context, event: dict[str, Any]) -> None:
    if not manually_paused(ctx.state):
        raise InvalidEvent("the deadline clock is not paused", code="not_paused")
    release_clock(ctx, holder=MANUAL_HOLD)


def _on_cancel(ctx: Context, event: dict[str, Any]) -> None:
    _stop_everything(ctx)
    ctx.state["status"] = CANCELLED
    ctx.state["outcome"] = "cancelled"
    label = {"vi": "Đã hủy hồ sơ", "en": "Case cancelled"}
    if ctx.definition.deadline:
        ctx.emit(SetCaseDeadline(due=None))
    ctx.emit(CloseCase(outcome="cancelled", label=label))
    ctx.log("case_cancelled", None, public=True, label=label, reason=event.get("reason", ""))


_HANDLERS: dict[str, Callable[[Context, dict[str, Any]], None]] = {
    ev.START: _on_start,
    ev.COMPLETE_TASK: _on_complete_task,
    ev.TIMER_FIRED: _on_timer,
    ev.MESSAGE: _on_message,
    ev.SUBPROCESS_COMPLETED: _on_subprocess,
    ev.REASSIGN_TASK: _on_reassign,
    ev.PAUSE: _on_pause,
    ev.RESUME: _on_resume,
    ev.CANCEL: _on_cancel,
}


# ------------------------------------------------------------------------------- movement


def _unpark(ctx: Context, token: Token) -> None:
    ctx.state["tokens"] = [t for t in ctx.state["tokens"] if t["id"] != token["id"]]


def _continue(ctx: Context, token: Token, step: Step) -> None:
    """Apply ``step`` to a token that was waiting."""
    if isinstance(step, Stay):
        return
    _unpark(ctx, token)
    node = ctx.node(token["node"])
    ctx.type_of(node).leave(ctx, node, token)
    token.pop("wait", None)
    _apply(ctx, token, step, node)


def _apply(ctx: Context, token: Token, step: Step, node: NodeDef) -> None:
    if isinstance(step, Move):
        token["node"] = step.target
        _advance(ctx, token)
    elif isinstance(step, Wait):
        token["wait"] = {"kind": step.kind, **step.info}
        ctx.state["tokens"].append(token)
    elif isinstance(step, Finish):
        ctx.last_end = node
        _finish(ctx, token)
    elif isinstance(step, Fork):
        fork_id = ctx.new_id()
        ctx.state["forks"][fork_id] = {
            "node": node.id,
            "expected": len(step.targets),
            "arrived": [],
        }
        for target in step.targets:
            child: Token = {"id": ctx.new_id(), "node": target, "forks": [*token["forks"], fork_id]}
            _advance(ctx, child)
    elif isinstance(step, Terminate):
        ctx.last_end = node
        _stop_everything(ctx)
        _close(ctx, node)


def _advance(ctx: Context, token: Token) -> None:
    """Move ``token`` from its node until it waits or finishes."""
    while True:
        ctx.steps += 1
        if ctx.steps > MAX_STEPS:
            raise WorkflowRuntimeError(
                f"the case went round more than {MAX_STEPS} steps without waiting",
                code="too_many_steps",
                node=token["node"],
            )
        if ctx.state["status"] != RUNNING:
            return  # terminated by another branch meanwhile
        node = ctx.node(token["node"])
        ctx.state["path"].append(node.id)
        step = ctx.type_of(node).enter(ctx, node, token)
        if isinstance(step, Move):
            token["node"] = step.target
            continue
        _apply(ctx, token, step, node)
        return


def _finish(ctx: Context, token: Token) -> None:
    """A token reached an end: the join of its fork stops waiting for it. When every
    branch of a fork ended, the fork is gone and its own branch of the enclosing fork
    has ended too."""
    for fork_id in reversed(token["forks"]):
        fork = ctx.state["forks"].get(fork_id)
        if fork is None:
            return
        fork["expected"] -= 1
        if fork["arrived"] and len(fork["arrived"]) >= fork["expected"]:
            release_fork(ctx, fork_id)
            return
        if fork["expected"] > 0:
            return
        del ctx.state["forks"][fork_id]


def merge_fork(ctx: Context, fork_id: str, survivor: Token) -> None:
    """Close ``fork_id`` at its join: the other arrived tokens are consumed and
    ``survivor`` leaves the fork."""
    fork = ctx.state["forks"].pop(fork_id)
    arrived = set(fork["arrived"])
    ctx.state["tokens"] = [t for t in ctx.state["tokens"] if t["id"] not in arrived]
    survivor.pop("wait", None)
    survivor["forks"] = survivor["forks"][:-1]
    ctx.log("branches_joined", ctx.node(survivor["node"]), fork=fork_id, arrived=sorted(arrived))


def release_fork(ctx: Context, fork_id: str) -> None:
    """Every branch of ``fork_id`` that can still arrive has arrived: one token goes on."""
    arrived = set(ctx.state["forks"][fork_id]["arrived"])
    survivor = next(t for t in ctx.state["tokens"] if t["id"] in arrived)
    merge_fork(ctx, fork_id, survivor)
    survivor["node"] = ctx.follow(ctx.node(survivor["node"]))
    _advance(ctx, survivor)


def _stop_everything(ctx: Context) -> None:
    """Cancel every waiting token, open task, timer and running sub-process."""
    ctx.state["paused"] = None  # the case stops: closing a pausing task must not resume it
    for token in list(ctx.state["tokens"]):
        node = ctx.node(token["node"])
        ctx.type_of(node).leave(ctx, node, token)
    for task_id, task in ctx.state["tasks"].items():
        if task["status"] == "open":
            ctx.close_task(task_id, action=None)
    for child_id, child in ctx.state["children"].items():
        if child["status"] == "running":
            child["status"] = "cancelled"
            ctx.emit(CancelSubprocess(child=child_id))
    ctx.cancel_timers(lambda timer: True)
    ctx.state["tokens"] = []
    ctx.state["forks"] = {}
    ctx.state["paused"] = None


def _close(ctx: Context, node: NodeDef | None) -> None:
    outcome = str(node.config.get("outcome", "completed")) if node else "completed"
    ctx.cancel_timers(lambda timer: True)
    ctx.state["paused"] = None
    ctx.state["status"] = COMPLETED
    ctx.state["outcome"] = outcome
    label = node.label if node else {"vi": "Hoàn thành", "en": "Completed"}
    if ctx.definition.deadline:
        ctx.emit(SetCaseDeadline(due=None))
    ctx.emit(CloseCase(outcome=outcome, label=label))
    ctx.log("case_closed", node, public=True, label=label, outcome=outcome)


# ------------------------------------------------------------------------------- migration


class MigrationRefused(WorkflowRuntimeError):
    code = "migration_refused"


def migrate(
    state: State, old: WorkflowDef, new: WorkflowDef, mapping: dict[str, str] | None = None
) -> State:
    """Move a running instance from ``old`` to ``new``: every position (waiting token, open
    task, fork) must map to a node of the same type in ``new`` — by ``mapping`` or by the
    same id. Refuses, naming every position without a counterpart."""
    state = copy.deepcopy(upgrade(state))
    mapping = mapping or {}
    problems = []

    def target(node_id: str) -> str:
        mapped = mapping.get(node_id, node_id)
        old_node, new_node = old.nodes.get(node_id), new.nodes.get(mapped)
        if new_node is None:
            problems.append(f"{node_id!r} has no counterpart in the new version")
        elif old_node is not None and old_node.type != new_node.type:
            problems.append(f"{node_id!r} is a {old_node.type} but {mapped!r} is a {new_node.type}")
        return mapped

    for token in state["tokens"]:
        token["node"] = target(token["node"])
    for task in state["tasks"].values():
        if task["status"] == "open":
            task["node"] = target(task["node"])
    for fork in state["forks"].values():
        fork["node"] = target(fork["node"])
    by_node = state["actors"]["by_node"]
    state["actors"]["by_node"] = {
        mapping.get(node, node): actors for node, actors in by_node.items()
    }
    if problems:
        raise MigrationRefused(
            "the case cannot move to the new version: " + "; ".join(sorted(set(problems))),
            problems=sorted(set(problems)),
        )
    return state
