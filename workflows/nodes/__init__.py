"""Node types: one module each (automatic steps share one), registered in
:mod:`workflows.nodes.registry` when imported here."""

from . import (  # noqa: F401  (registration side effect)
    create_record,
    decision,
    end,
    human_task,
    inclusive,
    join,
    multi_task,
    notify,
    parallel,
    receive,
    set_fields,
    start,
    start_workflow,
    subprocess,
    terminate,
    timer,
    webhook,
)
from .registry import NodeType, get, names, registry

__all__ = ["NodeType", "get", "names", "registry"]
