"""Inclusive split: every branch whose ``condition`` holds starts; when none holds, the
``default`` branch. A ``join`` downstream waits for exactly the branches that started."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Finding
from .decision import conditional_branch_findings
from .registry import CONDITION, Fork, NodeType, Step, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


class Inclusive(NodeType):
    name = "inclusive"
    label: ClassVar[dict[str, str]] = {"vi": "Rẽ nhiều nhánh", "en": "Inclusive split"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Đi theo mọi nhánh có điều kiện đúng cùng lúc.",
        "en": "Follows every way out whose condition holds, at the same time.",
    }
    transition_keys = frozenset({CONDITION})
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        outgoing = ctx.definition.outgoing(node.id)
        targets = [
            t.target
            for t in outgoing
            if not t.default and t.condition is not None and ctx.truthy(t.condition, node)
        ]
        if not targets:
            targets = [t.target for t in outgoing if t.default]
        ctx.log("branches_started", node, targets=targets)
        return Fork(tuple(targets))

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        return conditional_branch_findings(node, workflow, path)


register(Inclusive())
