"""Sub-process / hand-off: start another workflow — of this app or of another app, often
owned by another agency — and wait for its outcome. This is how inter-agency coordination
rules are modelled: the lead agency's case hands a part of the work to a partner agency's
process and goes on when it reports back.

Config::

    "workflow": "partner_handling",   "app": "coordination"   # app: optional, default this app
    "input":  {"child_field": <rule over this case's data>}
    "output": {"my_field": <rule over {"_child": child's data, "_outcome": outcome}>}

The way out is chosen like a decision over the data plus ``_outcome`` (a single
unconditional transition is also fine).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..effects import CancelSubprocess, StartSubprocess
from ..errors import Finding
from ._common import KEY, MAPPING
from .decision import conditional_branch_findings
from .registry import CONDITION, Move, NodeType, Step, Wait, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


def evaluate_mapping(
    ctx: Context, node: NodeDef, mapping: dict[str, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {key: ctx.evaluate(rule, node, extra) for key, rule in mapping.items()}


class Subprocess(NodeType):
    name = "subprocess"
    label: ClassVar[dict[str, str]] = {"vi": "Quy trình con", "en": "Sub-process"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Chạy một quy trình con (có thể ở ứng dụng khác) và chờ kết quả.",
        "en": "Runs a sub-process (possibly of another app) and waits for its outcome.",
    }
    group = "task"
    waits = True
    transition_keys = frozenset({CONDITION})
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["workflow"],
        "additionalProperties": False,
        "properties": {
            "workflow": KEY,
            "app": KEY,
            "input": MAPPING,
            "output": MAPPING,
        },
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        child_id = ctx.new_id()
        data = evaluate_mapping(ctx, node, node.config.get("input", {}))
        ctx.state["children"][child_id] = {
            "token": token["id"],
            "app": node.config.get("app"),
            "workflow": node.config["workflow"],
            "status": "running",
            "outcome": None,
        }
        ctx.emit(
            StartSubprocess(
                child=child_id,
                app=node.config.get("app"),
                workflow=node.config["workflow"],
                data=data,
                wait=True,
            )
        )
        ctx.log(
            "subprocess_started",
            node,
            public=True,
            child=child_id,
            workflow=node.config["workflow"],
            app=node.config.get("app"),
        )
        return Wait("subprocess", {"child": child_id})

    def on_subprocess(
        self, ctx: Context, node: NodeDef, token: Token, event: dict[str, Any]
    ) -> Step:
        extra = {"_child": event.get("data") or {}, "_outcome": event.get("outcome")}
        changed = ctx.update_data(evaluate_mapping(ctx, node, node.config.get("output", {}), extra))
        ctx.log(
            "subprocess_completed",
            node,
            public=True,
            child=event.get("child"),
            outcome=event.get("outcome"),
            changes=changed,
        )
        return Move(ctx.choose(node, extra))

    def leave(self, ctx: Context, node: NodeDef, token: Token) -> None:
        for child_id, child in ctx.state["children"].items():
            if child["token"] == token["id"] and child["status"] == "running":
                child["status"] = "cancelled"
                ctx.emit(CancelSubprocess(child=child_id))

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        outgoing = workflow.outgoing(node.id)
        if len(outgoing) == 1 and outgoing[0].condition is None:
            return []
        return conditional_branch_findings(node, workflow, path)

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        return [(f"input/{k}", r) for k, r in node.config.get("input", {}).items()] + [
            (f"output/{k}", r) for k, r in node.config.get("output", {}).items()
        ]

    def edited_fields(self, node: NodeDef) -> list[str]:
        return list(node.config.get("output", {}))


register(Subprocess())
