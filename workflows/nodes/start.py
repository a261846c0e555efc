"""Start: where every case begins; exactly one per workflow, one way out."""

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
    description: ClassVar[dict[str, str]] = {
        "vi": "Nơi quy trình bắt đầu khi hồ sơ được nộp.",
        "en": "Where the workflow begins when the case is submitted.",
    }
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        ctx.log("case_started", node, public=True, label={"vi": "Đã tiếp nhận", "en": "Received"})
        return Move(ctx.follow(node))

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        if len(workflow.outgoing(node.id)) != 1:
            return [
                Finding(
                    code="start_branches",
                    message="the start node must have exactly one way out",
                    path=path,
                    params={"node": node.id},
                )
            ]
        return []


register(Start())
