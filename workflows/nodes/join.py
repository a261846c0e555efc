"""Join: waits until every branch started by the split it closes has arrived (branches
that ended on the way are not waited for), then one token goes on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Finding
from .registry import Move, NodeType, Step, Wait, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


class Join(NodeType):
    name = "join"
    label: ClassVar[dict[str, str]] = {"vi": "Hợp nhánh", "en": "Join"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Chờ mọi nhánh song song tới rồi mới đi tiếp.",
        "en": "Waits for every parallel branch to arrive, then goes on.",
    }
    waits = True
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        if not token["forks"]:
            return Move(ctx.follow(node))
        fork_id = token["forks"][-1]
        fork = ctx.state["forks"][fork_id]
        fork["arrived"].append(token["id"])
        if len(fork["arrived"]) < fork["expected"]:
            return Wait("join", {"fork": fork_id})
        from ..engine import merge_fork

        merge_fork(ctx, fork_id, token)
        return Move(ctx.follow(node))

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        if len(workflow.outgoing(node.id)) != 1:
            return [
                Finding(
                    code="join_branches",
                    message=f"join {node.id!r} must have exactly one way out",
                    path=path,
                    params={"node": node.id},
                )
            ]
        return []


register(Join())
