"""Shared base of automatic steps (service tasks): the engine does them at once, or asks
the runtime to with an effect, and the token moves straight on along the single way out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Finding
from .registry import NodeType

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef


class Automatic(NodeType):
    """One way out; no waiting."""

    group = "automatic"

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        if len(workflow.outgoing(node.id)) != 1:
            return [
                Finding(
                    code="automatic_branches",
                    message=f"automatic step {node.id!r} must have exactly one way out",
                    path=path,
                    params={"node": node.id},
                )
            ]
        return []
