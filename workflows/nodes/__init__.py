"""Node types: one module each, registered in :mod:`workflows.nodes.registry`."""

from . import decision, end, human_task, start  # noqa: F401  (registration side effect)
from .registry import NodeType, get, names, registry

__all__ = ["NodeType", "get", "names", "registry"]
