"""Decision (exclusive): the first outgoing transition whose ``condition`` holds over the
record's data is taken, in the order written; otherwise the ``default`` one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Finding
from .registry import CONDITION, Move, NodeType, Step, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


def conditional_branch_findings(node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
    """Exactly one default; every other branch has a condition."""
    findings = []
    outgoing = [t for t in workflow.outgoing(node.id) if not t.timeout]
    defaults = [t for t in outgoing if t.default]
    if len(defaults) != 1:
        findings.append(
            Finding(
                code="decision_default",
                message=f"{node.id!r} needs exactly one default branch (it has {len(defaults)})",
                path=path,
                params={"node": node.id},
            )
        )
    for transition in outgoing:
        if not transition.default and transition.condition is None:
            findings.append(
                Finding(
                    code="decision_condition",
                    message=f"the branch from {node.id!r} to {transition.target!r} "
                    "needs a condition or must be the default",
                    path=path,
                    params={"node": node.id},
                )
            )
    return findings


class Decision(NodeType):
    name = "decision"
    label: ClassVar[dict[str, str]] = {"vi": "Rẽ nhánh", "en": "Decision"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Đi theo nhánh đầu tiên có điều kiện đúng, nếu không thì theo nhánh mặc định.",
        "en": "Follows the first way out whose condition holds, else the default one.",
    }
    transition_keys = frozenset({CONDITION})
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        return Move(ctx.choose(node))

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        return conditional_branch_findings(node, workflow, path)


register(Decision())
