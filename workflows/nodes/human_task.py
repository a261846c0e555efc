"""Human task: work for officials — of an agency in a role, a named user, or the agency
a JSON Logic rule computes from the record — or for the citizen who submitted the case.

Config::

    "assignment": {"agency": "drainage_co", "role": "officer"}
                | {"agency_rule": <rule giving an agency code>, "role": "officer"}
                | {"user": "username"} | {"user_rule": <rule>} | {"submitter": true}
    "actions": [{"key": "approve", "label": {...}}, {"key": "return", ...}, ...]
    "form": {"fields": ["severity", "note"]}      # fields the task may change
    "guards": {"not_submitter": true, "not_actors_of": ["check"]}
    "deadline": {"duration": "P3D", "working_days": true, "reminders": ["P1D"],
                 "escalation": {"reassign_role": "leader", "notify": {...}, "action": "approve"}}
    "pauses_clock": true                          # the case clock stops while it is open
    "public_label": {...}                         # what the citizen sees

Each action leads along the outgoing transition carrying that ``action``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Finding, InvalidEvent
from ._common import LABEL, assignment_rules, task_properties
from .registry import ACTION, Move, NodeType, Step, Wait, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


def action_findings(node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
    """Every way out names one of the task's actions, and every action leads somewhere."""
    findings = []
    action_keys = [a["key"] for a in node.config.get("actions", [])]
    for transition in workflow.outgoing(node.id):
        if transition.timeout:
            continue
        if transition.action is None:
            findings.append(
                Finding(
                    code="task_transition_action",
                    message=f"every way out of task {node.id!r} must name one of its "
                    f"actions ({', '.join(action_keys)})",
                    path=path,
                    params={"node": node.id},
                )
            )
        elif transition.action not in action_keys:
            findings.append(
                Finding(
                    code="unknown_action",
                    message=f"task {node.id!r} has no action {transition.action!r}",
                    path=path,
                    params={"node": node.id, "action": transition.action},
                )
            )
    led = {t.action for t in workflow.outgoing(node.id)}
    for key in action_keys:
        if key not in led:
            findings.append(
                Finding(
                    code="action_without_transition",
                    message=f"action {key!r} of task {node.id!r} leads nowhere",
                    path=path,
                    params={"node": node.id, "action": key},
                )
            )
    escalation = node.config.get("deadline", {}).get("escalation", {})
    assignment = node.config.get("assignment", {})
    if escalation.get("reassign_role") and not (
        "agency" in assignment or "agency_rule" in assignment
    ):
        findings.append(
            Finding(
                code="escalation_without_agency",
                message=f"task {node.id!r} is assigned to a person, so its escalation cannot "
                "hand it to a role of an agency; notify someone instead",
                path=path,
                params={"node": node.id},
            )
        )
    if escalation.get("action") and escalation["action"] not in action_keys:
        findings.append(
            Finding(
                code="unknown_action",
                message=f"the escalation of task {node.id!r} takes action "
                f"{escalation['action']!r}, which the task does not have",
                path=path,
                params={"node": node.id, "action": escalation["action"]},
            )
        )
    return findings


def check_action(node: NodeDef, action: str) -> None:
    allowed = [a["key"] for a in node.config["actions"]]
    if action not in allowed:
        raise InvalidEvent(
            f"{action!r} is not an action of task {node.id!r}",
            code="unknown_action",
            action=action,
            allowed=allowed,
        )


def finish_task(
    ctx: Context, node: NodeDef, task: dict[str, Any], action: str, **detail: Any
) -> None:
    """What completing any task does: check the action, take the task's edits, close it,
    remember who acted (for guards) and log it."""
    from ..engine import apply_task_data, remember_actor

    check_action(node, action)
    changed = apply_task_data(ctx, node, task["data"])
    ctx.close_task(task["id"], action=action)
    remember_actor(ctx, node)
    ctx.log(
        "task_completed",
        node,
        public=bool(node.config.get("public", True)),
        task=task["id"],
        action=action,
        changes=changed,
        **detail,
    )


class HumanTask(NodeType):
    name = "human_task"
    label: ClassVar[dict[str, str]] = {"vi": "Công việc", "en": "Human task"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Giao việc cho cán bộ (theo cơ quan và vai trò, hoặc một người) hoặc cho "
        "người dân; mỗi thao tác dẫn tới một bước.",
        "en": "Gives work to officials (by agency and role, or a named person) or to the "
        "citizen; each action leads to a step.",
    }
    group = "task"
    waits = True
    transition_keys = frozenset({ACTION})
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["label", "assignment", "actions"],
        "additionalProperties": False,
        "properties": {"label": LABEL, **task_properties()},
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        task_id = ctx.create_task(node, token)
        return Wait("task", {"task": task_id})

    def on_task(
        self, ctx: Context, node: NodeDef, token: Token, task: dict[str, Any], action: str
    ) -> Step:
        finish_task(ctx, node, task, action)
        return Move(ctx.follow(node, action=action))

    def leave(self, ctx: Context, node: NodeDef, token: Token) -> None:
        for task_id in ctx.open_tasks(token["id"]):
            ctx.close_task(task_id, action=None)

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        return action_findings(node, workflow, path)

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        return assignment_rules(node.config)

    def edited_fields(self, node: NodeDef) -> list[str]:
        return list(node.config.get("form", {}).get("fields", []))


register(HumanTask())
