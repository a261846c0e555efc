"""Start another workflow and do not wait for it: ``"workflow"``, optional ``"app"``,
``"input": {"field": <rule>}`` (use ``subprocess`` to wait for its outcome)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..effects import StartSubprocess
from ._automatic import Automatic
from ._common import KEY, MAPPING
from .registry import Move, Step, register
from .subprocess import evaluate_mapping

if TYPE_CHECKING:
    from ..definition import NodeDef
    from ..engine import Context, Token


class StartWorkflow(Automatic):
    name = "start_workflow"
    label: ClassVar[dict[str, str]] = {"vi": "Khởi động quy trình", "en": "Start a workflow"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Khởi động một quy trình khác và đi tiếp ngay, không chờ.",
        "en": "Starts another workflow and goes on at once, without waiting.",
    }
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["workflow"],
        "additionalProperties": False,
        "properties": {"app": KEY, "workflow": KEY, "input": MAPPING},
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        child = ctx.new_id()
        data = evaluate_mapping(ctx, node, node.config.get("input", {}))
        ctx.emit(
            StartSubprocess(
                child=child,
                app=node.config.get("app"),
                workflow=node.config["workflow"],
                data=data,
                wait=False,
            )
        )
        ctx.log("workflow_started", node, child=child, workflow=node.config["workflow"])
        return Move(ctx.follow(node))

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        return [(f"input/{k}", r) for k, r in node.config.get("input", {}).items()]


register(StartWorkflow())
