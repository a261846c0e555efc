"""Human task: work for the officials of one agency in one role.

Config::

    "assignment": {"agency": "drainage_co", "role": "officer"}
                | {"agency_rule": <JSON Logic giving an agency code>, "role": "officer"}
    "actions": [{"key": "resolve", "label": {"vi": "...", "en": "..."}}, ...]
    "form": {"fields": ["category", "severity"]}   # fields the task may change
    "public_label": {"vi": "...", "en": "..."}      # what the citizen sees (default: label)

Each action leads along the outgoing transition carrying that ``action``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .. import rules
from ..effects import CreateTask
from ..errors import Finding, WorkflowRuntimeError
from .registry import NodeType, Step, Wait, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token

AGENCY_CODE = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_\\-]{0,62}$"}


class HumanTask(NodeType):
    name = "human_task"
    label: ClassVar[dict[str, str]] = {"vi": "Công việc", "en": "Human task"}
    uses_actions = True
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["label", "assignment", "actions"],
        "additionalProperties": False,
        "properties": {
            "assignment": {
                "type": "object",
                "additionalProperties": False,
                "required": ["role"],
                "properties": {
                    "agency": AGENCY_CODE,
                    "agency_rule": {"$ref": "common.schema.json#/$defs/rule"},
                    "role": {"$ref": "common.schema.json#/$defs/key"},
                },
                "oneOf": [{"required": ["agency"]}, {"required": ["agency_rule"]}],
            },
            "actions": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["key", "label"],
                    "additionalProperties": False,
                    "properties": {
                        "key": {"$ref": "common.schema.json#/$defs/key"},
                        "label": {"$ref": "common.schema.json#/$defs/label"},
                    },
                },
            },
            "form": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "fields": {
                        "type": "array",
                        "items": {"$ref": "common.schema.json#/$defs/key"},
                    }
                },
            },
            "public_label": {"$ref": "common.schema.json#/$defs/label"},
            "public": {"type": "boolean"},
        },
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        assignment = node.config["assignment"]
        agency = assignment.get("agency")
        if agency is None:
            value = rules.evaluate(assignment["agency_rule"], ctx.data)
            if not isinstance(value, str) or not value:
                raise WorkflowRuntimeError(
                    f"the assignment rule of task {node.id!r} gave {value!r}, not an agency code",
                    code="assignment_failed",
                    node=node.id,
                    value=value,
                )
            agency = value
        ctx.emit(
            CreateTask(
                task=token.id,
                node=node.id,
                label=node.label,
                agency=agency,
                role=assignment.get("role"),
                actions=[dict(a) for a in node.config["actions"]],
                fields=list(node.config.get("form", {}).get("fields", [])),
            )
        )
        ctx.log(
            "task_created",
            node,
            public=bool(node.config.get("public", True)),
            label=node.config.get("public_label", node.label),
            task=token.id,
            agency=agency,
            role=assignment.get("role"),
        )
        return Wait()

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        findings = []
        action_keys = [a["key"] for a in node.config.get("actions", [])]
        for transition in workflow.outgoing(node.id):
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
        return findings


register(HumanTask())
