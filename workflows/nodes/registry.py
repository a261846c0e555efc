"""The registry of node types.

A node type is one module in this package that defines a :class:`NodeType` subclass and
registers an instance with :func:`register`. The builder's palette and the schema
validation both read from here, so a new node type needs no other change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token
    from ..errors import Finding


@dataclass(frozen=True)
class Move:
    """Leave the node along the transition to ``target``."""

    target: str


@dataclass(frozen=True)
class Wait:
    """Park the token here until an event moves it on."""


@dataclass(frozen=True)
class Finish:
    """Consume the token; the case may end."""


Step = Move | Wait | Finish


class NodeType:
    """Behaviour and configuration of one kind of node."""

    name: ClassVar[str]
    label: ClassVar[dict[str, str]]
    #: JSON Schema of the node's own keys (besides id, type, label).
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}
    #: Whether transitions leaving it carry an ``action`` (human tasks).
    uses_actions: ClassVar[bool] = False
    #: Whether transitions leaving it carry a ``condition``/``default`` (decisions).
    uses_conditions: ClassVar[bool] = False
    #: Whether the node may have no outgoing transition.
    terminal: ClassVar[bool] = False

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        raise NotImplementedError

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        """Structural problems of this node within ``workflow``."""
        return []

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.name,
            "label": self.label,
            "config_schema": self.config_schema,
            "terminal": self.terminal,
        }


_REGISTRY: dict[str, NodeType] = {}


def register(node_type: NodeType) -> NodeType:
    if node_type.name in _REGISTRY:
        raise ValueError(f"node type {node_type.name!r} is registered twice")
    _REGISTRY[node_type.name] = node_type
    return node_type


def get(name: str) -> NodeType | None:
    return _REGISTRY.get(name)


def names() -> list[str]:
    return sorted(_REGISTRY)


def registry() -> dict[str, NodeType]:
    return dict(_REGISTRY)
