"""Start: where every case begins; exactly one per workflow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Finding
from .registry import Move, NodeType, Step, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


class Start(NodeType):
    name = "start"
    label: ClassVar[dict[str, str]] = {"vi": "Bắt đầu", "en": "Start"}
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        ctx.log("case_started", node, public=True, label={"vi": "Đã tiếp nhận", "en": "Received"})
        return Move(ctx.definition.outgoing(node.id)[0].target)

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        if len(workflow.outgoing(node.id)) > 1:
            return [
                Finding(
                    code="start_branches",
                    message="the start node must have exactly one way out",
                    path=path,
                )
            ]
        return []


register(Start())
