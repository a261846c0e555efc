"""Parallel split: every outgoing branch starts at once. A ``join`` downstream waits for
the branches that were started."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Finding
from .registry import Fork, NodeType, Step, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


class Parallel(NodeType):
    name = "parallel"
    label: ClassVar[dict[str, str]] = {"vi": "Song song", "en": "Parallel split"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Chia hồ sơ thành các nhánh chạy song song.",
        "en": "Splits the case into branches that run at the same time.",
    }
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        targets = tuple(t.target for t in ctx.definition.outgoing(node.id))
        ctx.log("branches_started", node, targets=list(targets))
        return Fork(targets)

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        if len(workflow.outgoing(node.id)) < 2:
            return [
                Finding(
                    code="split_branches",
                    message=f"parallel split {node.id!r} needs at least two branches",
                    path=path,
                    params={"node": node.id},
                )
            ]
        return []


register(Parallel())
