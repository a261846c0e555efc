"""Decision (exclusive): the first outgoing transition whose ``condition`` holds over the
record's data is taken, in the order written; otherwise the ``default`` one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .. import rules
from ..errors import Finding, WorkflowRuntimeError
from .registry import Move, NodeType, Step, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


class Decision(NodeType):
    name = "decision"
    label: ClassVar[dict[str, str]] = {"vi": "Rẽ nhánh", "en": "Decision"}
    uses_conditions = True
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        default = None
        for transition in ctx.definition.outgoing(node.id):
            if transition.default:
                default = transition
            elif rules.compile(transition.condition).truthy(ctx.data):
                ctx.log("decision_taken", node, target=transition.target)
                return Move(transition.target)
        if default is None:
            raise WorkflowRuntimeError(
                f"no branch of decision {node.id!r} matched and it has no default",
                code="no_branch",
                node=node.id,
            )
        ctx.log("decision_taken", node, target=default.target, default=True)
        return Move(default.target)

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        findings = []
        outgoing = workflow.outgoing(node.id)
        defaults = [t for t in outgoing if t.default]
        if len(defaults) != 1:
            findings.append(
                Finding(
                    code="decision_default",
                    message=f"decision {node.id!r} needs exactly one default branch "
                    f"(it has {len(defaults)})",
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


register(Decision())
