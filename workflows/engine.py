"""The engine: ``handle(definition, state, event, now) -> (state, effects)``.

A pure function. It never reads the clock or makes ids: ``now`` is passed in and ids come
from a counter kept in the state, so replaying the same events gives the same state.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import events as ev
from . import nodes
from .definition import NodeDef, WorkflowDef
from .effects import CancelTask, CloseCase, CompleteTask, Effect, RecordEvent, UpdateData
from .errors import InvalidEvent, WorkflowRuntimeError
from .nodes.registry import Finish, Move, Wait
from .state import CANCELLED, COMPLETED, RUNNING, State, new_state, upgrade

#: Steps one event may take without waiting; more means a cycle with no task in it.
MAX_STEPS = 1000


@dataclass
class Token:
    id: str
    node: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "node": self.node}


@dataclass
class Context:
    """What a node sees while the engine moves a token through it."""

    definition: WorkflowDef
    state: State
    now: datetime
    actor: dict[str, Any]
    effects: list[Effect] = field(default_factory=list)

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

    Raises :class:`InvalidEvent` when the event is not valid in the current state; the
    input state is never modified.
    """
    state = copy.deepcopy(upgrade(state))
    kind = event.get("type")
    ctx = Context(definition, state, now, event.get("actor") or ev.SYSTEM_ACTOR)
    if kind == ev.START:
        if state["path"]:
            raise InvalidEvent("the case has already started", code="already_started")
        _advance(ctx, Token(ctx.new_id(), definition.start_node().id))
    elif state["status"] != RUNNING:
        raise InvalidEvent(
            f"the case is {state['status']} and accepts no more events",
            code="case_closed",
            status=state["status"],
        )
    elif kind == ev.COMPLETE_TASK:
        _complete_task(ctx, event)
    elif kind == ev.CANCEL:
        _cancel(ctx, str(event.get("reason", "")))
    else:
        raise InvalidEvent(f"unknown event type {kind!r}", code="unknown_event", type=kind)
    return ctx.state, ctx.effects


def _advance(ctx: Context, token: Token) -> None:
    """Move ``token`` from its node until it waits or finishes."""
    for _ in range(MAX_STEPS):
        node = ctx.definition.nodes[token.node]
        node_type = nodes.get(node.type)
        if node_type is None:
            raise WorkflowRuntimeError(f"unknown node type {node.type!r}", node=node.id)
        ctx.state["path"].append(node.id)
        step = node_type.enter(ctx, node, token)
        if isinstance(step, Move):
            token.node = step.target
            continue
        if isinstance(step, Wait):
            ctx.state["tokens"].append(token.as_dict())
        elif isinstance(step, Finish) and not ctx.state["tokens"]:
            _close(ctx, node)
        return
    raise WorkflowRuntimeError(
        f"the case went round more than {MAX_STEPS} steps without waiting",
        code="too_many_steps",
        node=token.node,
    )


def _close(ctx: Context, node: NodeDef) -> None:
    outcome = str(node.config.get("outcome", "completed"))
    ctx.state["status"] = COMPLETED
    ctx.state["outcome"] = outcome
    ctx.emit(CloseCase(outcome=outcome, label=node.label))
    ctx.log("case_closed", node, public=True, outcome=outcome)


def _find_token(ctx: Context, task: str) -> dict[str, str]:
    for token in ctx.state["tokens"]:
        if token["id"] == task:
            return dict(token)
    raise InvalidEvent(f"task {task!r} is not open", code="task_not_open", task=task)


def _complete_task(ctx: Context, event: dict[str, Any]) -> None:
    raw = _find_token(ctx, str(event.get("task")))
    node = ctx.definition.nodes[raw["node"]]
    action = event.get("action")
    transitions = [t for t in ctx.definition.outgoing(node.id) if t.action == action]
    if not transitions:
        allowed = [t.action for t in ctx.definition.outgoing(node.id) if t.action]
        raise InvalidEvent(
            f"{action!r} is not an action of task {node.id!r}",
            code="unknown_action",
            action=action,
            allowed=allowed,
        )
    changes = dict(event.get("data") or {})
    editable = set(node.config.get("form", {}).get("fields", []))
    refused = sorted(set(changes) - editable)
    if refused:
        raise InvalidEvent(
            f"task {node.id!r} may not change {', '.join(refused)}",
            code="field_not_editable",
            fields=refused,
        )
    ctx.state["tokens"] = [t for t in ctx.state["tokens"] if t["id"] != raw["id"]]
    changed = {k: v for k, v in changes.items() if ctx.data.get(k, None) != v}
    if changed:
        ctx.data.update(changed)
        ctx.emit(UpdateData(changes=changed))
    ctx.emit(CompleteTask(task=raw["id"], action=str(action)))
    ctx.log(
        "task_completed",
        node,
        public=bool(node.config.get("public", True)),
        task=raw["id"],
        action=action,
        changes=changed,
    )
    _advance(ctx, Token(ctx.new_id(), transitions[0].target))


def _cancel(ctx: Context, reason: str) -> None:
    for token in ctx.state["tokens"]:
        node = ctx.definition.nodes[token["node"]]
        if node.type == "human_task":
            ctx.emit(CancelTask(task=token["id"]))
    ctx.state["tokens"] = []
    ctx.state["status"] = CANCELLED
    ctx.state["outcome"] = "cancelled"
    label = {"vi": "Đã hủy hồ sơ", "en": "Case cancelled"}
    ctx.emit(CloseCase(outcome="cancelled", label=label))
    ctx.log("case_cancelled", None, public=True, label=label, reason=reason)
