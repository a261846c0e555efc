"""The registry of node types.

A node type is one module in this package that defines a :class:`NodeType` subclass and
registers an instance with :func:`register`. The builder's palette, schema validation and
static analysis all read from here, so a new node type needs no other change.

A node type reacts to a token entering it (:meth:`NodeType.enter`) and, while a token
waits in it, to events addressed to that token (task completed, timer fired, message
received, sub-process finished). Each reaction returns a :data:`Step`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """Park the token here until an event moves it on; ``kind`` says what it waits for."""

    kind: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stay:
    """An event was handled but the token keeps waiting (e.g. one review of many done)."""


@dataclass(frozen=True)
class Finish:
    """Consume the token; the case ends when no token is left."""


@dataclass(frozen=True)
class Fork:
    """Consume the token and start one token per target (parallel or inclusive split)."""

    targets: tuple[str, ...]


@dataclass(frozen=True)
class Terminate:
    """End the whole case now: every other token, task and timer is cancelled."""


Step = Move | Wait | Stay | Finish | Fork | Terminate

#: Transition keys a node type's outgoing transitions may use.
ACTION = "action"
CONDITION = "condition"
TIMEOUT = "timeout"


class NodeType:
    """Behaviour and configuration of one kind of node."""

    name: ClassVar[str]
    label: ClassVar[dict[str, str]]
    #: What the node does, in a sentence for the builder's palette ({"vi", "en"}).
    description: ClassVar[dict[str, str]] = {}
    #: Palette group: "flow", "task", "automatic", "event".
    group: ClassVar[str] = "flow"
    #: JSON Schema of the node's own keys (besides id, type, label).
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}
    #: Which transition keys its outgoing transitions may carry.
    transition_keys: ClassVar[frozenset[str]] = frozenset()
    #: Whether the node may (must) have no outgoing transition.
    terminal: ClassVar[bool] = False
    #: Whether a token may wait here (human tasks, timers, joins...): a cycle through such
    #: a node cannot spin forever.
    waits: ClassVar[bool] = False

    # -- behaviour --------------------------------------------------------------------
    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        raise NotImplementedError

    def on_task(
        self, ctx: Context, node: NodeDef, token: Token, task: dict[str, Any], action: str
    ) -> Step:
        raise NotImplementedError

    def on_timer(self, ctx: Context, node: NodeDef, token: Token, timer: dict[str, Any]) -> Step:
        raise NotImplementedError

    def on_message(self, ctx: Context, node: NodeDef, token: Token, event: dict[str, Any]) -> Step:
        raise NotImplementedError

    def on_subprocess(
        self, ctx: Context, node: NodeDef, token: Token, event: dict[str, Any]
    ) -> Step:
        raise NotImplementedError

    def leave(self, ctx: Context, node: NodeDef, token: Token) -> None:
        """Clean up when the token leaves or is cancelled (tasks, timers)."""

    # -- definition checks ------------------------------------------------------------
    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        """Structural problems of this node within ``workflow``."""
        return []

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        """(where, rule) of every JSON Logic rule in the node's config, for validation."""
        return []

    def edited_fields(self, node: NodeDef) -> list[str]:
        """Entity fields the node writes (task forms, set_fields)."""
        return []

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.name,
            "label": self.label,
            "description": dict(self.description),
            "group": self.group,
            "config_schema": self.config_schema,
            "transition_keys": sorted(self.transition_keys),
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
