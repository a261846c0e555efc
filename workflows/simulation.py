"""Simulation: run a workflow in memory through the real engine, as a builder's test case.

Pure, like the engine: no database, no clock (``now`` is passed in). A case starts over the
test's data; each step completes the open task of a node with one of its actions; timers
and deadlines are never fired (their due times are shown). The answer says which nodes the
case entered, which tasks it opened (and for whom), what it would have sent, where it still
waits, and whether the test's expectations hold.

Names of agencies, roles and users are left to the caller (the Django side looks them up);
messages are English, with a stable ``code`` for the caller to translate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from . import engine, nodes
from . import events as ev
from .definition import AppDef, Label, SavedTest, SavedTestStep, WorkflowDef
from .effects import (
    CallWebhook,
    CompleteTask,
    CreateRecord,
    CreateTask,
    Effect,
    Notify,
    ReassignTask,
    SetTaskDue,
    StartSubprocess,
)
from .errors import WorkflowError
from .state import COMPLETED, State

#: Who submits the simulated case; each step acts as a different person, so that guards
#: ("not the submitter", "not whoever approved before") never refuse a scripted step.
SUBMITTER: dict[str, Any] = {"kind": "user", "id": "simulation:submitter", "name": "submitter"}
#: The most steps a simulation runs (the test schema allows as many).
MAX_STEPS = 200


def _text(label: Label | dict[str, Any] | None, language: str) -> str:
    if not isinstance(label, dict):
        return ""
    return str(label.get(language) or label.get("vi") or label.get("en") or "")


def _step_actor(index: int) -> dict[str, Any]:
    return {"kind": "user", "id": f"simulation:step{index}", "name": f"step {index + 1}"}


def _assignee(agency: str | None, role: str | None, user: str | None, submitter: bool) -> Any:
    if submitter:
        kind = "submitter"
    elif user:
        kind = "user"
    else:
        kind = "agency_role"
    return {
        "kind": kind,
        "agency": agency if kind == "agency_role" else None,
        "agency_name": None,
        "role": role if kind != "submitter" else None,
        "role_name": None,
        "user": user if kind == "user" else None,
    }


def _recipient(to: dict[str, Any]) -> str:
    if to.get("submitter"):
        return "the submitter"
    if to.get("user"):
        return f"user {to['user']}"
    if to.get("agency"):
        return f"{to.get('role') or 'everyone'} of {to['agency']}"
    for key in ("email", "phone"):
        if to.get(key):
            return str(to[key])
    return ", ".join(f"{key} {value}" for key, value in sorted(to.items())) or "nobody"


def effect_summary(effect: Effect, language: str = "vi") -> dict[str, str] | None:
    """What an effect leaving the engine would have done, in a line (None: internal)."""
    if isinstance(effect, Notify):
        subject = _text(effect.subject, language)
        summary = f"{effect.channel} to {_recipient(effect.to)}"
        return {"kind": "notify", "summary": f"{summary}: {subject}" if subject else summary}
    if isinstance(effect, CallWebhook):
        target = effect.endpoint or effect.url
        return {"kind": "webhook", "summary": f"{effect.method} {target}"}
    if isinstance(effect, CreateRecord):
        where = f"{effect.app}/" if effect.app else ""
        return {"kind": "create_record", "summary": f"new {where}{effect.entity} record"}
    if isinstance(effect, StartSubprocess):
        where = f"{effect.app}/" if effect.app else ""
        return {"kind": "start_workflow", "summary": f"start {where}{effect.workflow}"}
    return None


class _Run:
    """The answer being built while the case moves."""

    def __init__(self, workflow: WorkflowDef, language: str) -> None:
        self.workflow = workflow
        self.language = language
        self.tasks: dict[str, dict[str, Any]] = {}
        self.effects: list[dict[str, str]] = []
        self.errors: list[dict[str, Any]] = []

    def take(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, CreateTask):
                self.tasks[effect.task] = {
                    "node": effect.node,
                    "label": _text(effect.label, self.language),
                    "assignee": _assignee(
                        effect.agency, effect.role, effect.user, effect.submitter
                    ),
                    "due": effect.due,
                    "action": None,
                    "actions": [str(a.get("key")) for a in effect.actions],
                }
            elif isinstance(effect, CompleteTask) and effect.task in self.tasks:
                self.tasks[effect.task]["action"] = effect.action
            elif isinstance(effect, ReassignTask) and effect.task in self.tasks:
                self.tasks[effect.task]["assignee"] = _assignee(
                    effect.agency, effect.role, effect.user, False
                )
            elif isinstance(effect, SetTaskDue) and effect.task in self.tasks:
                self.tasks[effect.task]["due"] = effect.due
            else:
                summary = effect_summary(effect, self.language)
                if summary is not None:
                    self.effects.append(summary)

    def fail(self, code: str, message: str, step: int | None) -> None:
        self.errors.append({"code": code, "message": message, "step": step})


def _open_task(state: State, node_id: str) -> str | None:
    for task_id, task in state["tasks"].items():
        if task["node"] == node_id and task["status"] == "open":
            return str(task_id)
    return None


def _end_node(workflow: WorkflowDef, state: State) -> str | None:
    """The end (or terminate) node a closed case finished at."""
    if state["status"] != COMPLETED:
        return None
    for node_id in reversed(state["path"]):
        node = workflow.nodes.get(node_id)
        node_type = nodes.get(node.type) if node else None
        if node_type is not None and node_type.terminal:
            return str(node_id)
    return None


def _status(workflow: WorkflowDef, state: State, end: str | None) -> str:
    if state["status"] != COMPLETED:
        return str(state["status"])
    if end is not None and workflow.nodes[end].type == "terminate":
        return "terminated"
    return "completed"


def _expectations(
    expect: dict[str, Any], status: str, end: str | None, visited: list[str]
) -> list[dict[str, Any]]:
    checks = []
    if "status" in expect:
        checks.append(
            {
                "what": "status",
                "expected": expect["status"],
                "actual": status,
                "ok": expect["status"] == status,
            }
        )
    if "end" in expect:
        checks.append(
            {"what": "end", "expected": expect["end"], "actual": end, "ok": expect["end"] == end}
        )
    if "visits" in expect:
        wanted = [str(node) for node in expect["visits"]]
        seen = [node for node in wanted if node in visited]
        checks.append({"what": "visits", "expected": wanted, "actual": seen, "ok": seen == wanted})
    return checks


def simulate(
    workflow: WorkflowDef,
    data: dict[str, Any],
    steps: Sequence[SavedTestStep],
    now: datetime,
    *,
    expect: dict[str, Any] | None = None,
    language: str = "vi",
) -> dict[str, Any]:
    """Run ``workflow`` over ``data`` at ``now`` and complete ``steps`` in order.

    The answer: ``ok`` (no error and every expectation met), ``status`` (running,
    completed, terminated, or failed when an error stopped it), ``path`` (nodes entered),
    ``tasks`` (every task opened, with its assignee, due time and the action taken),
    ``waiting`` (nodes still waiting), ``effects`` (what would have been sent),
    ``errors`` and ``expectations``.
    """
    run = _Run(workflow, language)
    state: State | None = None
    try:
        state, effects = engine.start(workflow, data, now, actor=SUBMITTER)
        run.take(effects)
    except WorkflowError as error:
        run.fail(error.code, error.message, None)
    if state is not None:
        for index, step in enumerate(steps[:MAX_STEPS]):
            task_id = _open_task(state, step.node)
            if task_id is None:
                run.fail(
                    "task_not_open",
                    f"step {index + 1}: no task of {step.node!r} is open",
                    index,
                )
                break
            node = workflow.nodes[step.node]
            actions = [str(a.get("key")) for a in node.config.get("actions", [])]
            if step.action not in actions:
                run.fail(
                    "unknown_action",
                    f"step {index + 1}: task {step.node!r} has no action {step.action!r}",
                    index,
                )
                break
            event = ev.complete_task(task_id, step.action, dict(step.data), _step_actor(index))
            try:
                state, effects = engine.handle(workflow, state, event, now)
            except WorkflowError as error:
                run.fail(error.code, f"step {index + 1}: {error.message}", index)
                break
            run.take(effects)
    visited = [str(node_id) for node_id in state["path"]] if state else []
    end = _end_node(workflow, state) if state else None
    status = "failed" if run.errors or state is None else _status(workflow, state, end)
    checks = _expectations(expect or {}, status, end, visited)
    waiting = [str(token["node"]) for token in state["tokens"]] if state else []
    return {
        "ok": not run.errors and all(check["ok"] for check in checks),
        "status": status,
        "path": [
            {
                "node": node_id,
                "type": workflow.nodes[node_id].type if node_id in workflow.nodes else "",
                "label": _text(workflow.nodes[node_id].label, language)
                if node_id in workflow.nodes
                else node_id,
            }
            for node_id in visited
        ],
        "tasks": list(run.tasks.values()),
        "waiting": waiting,
        "effects": run.effects,
        "errors": run.errors,
        "expectations": checks,
    }


def run_test(
    app: AppDef, test: SavedTest, now: datetime, *, language: str = "vi"
) -> dict[str, Any]:
    """``simulate`` a saved test of ``app`` (an unknown workflow is an error)."""
    workflow = app.workflows.get(test.workflow)
    if workflow is None:
        return {
            "ok": False,
            "status": "failed",
            "path": [],
            "tasks": [],
            "waiting": [],
            "effects": [],
            "errors": [
                {
                    "code": "unknown_workflow",
                    "message": f"workflow {test.workflow!r} does not exist",
                    "step": None,
                }
            ],
            "expectations": [],
        }
    return simulate(workflow, test.data, test.steps, now, expect=test.expect, language=language)
