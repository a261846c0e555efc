"""Terminate: end the whole case now with ``outcome``, whatever else is still running:
every open task, timer and sub-process is cancelled."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ._common import KEY
from .registry import NodeType, Step, Terminate, register

if TYPE_CHECKING:
    from ..definition import NodeDef
    from ..engine import Context, Token


class TerminateEnd(NodeType):
    name = "terminate"
    label: ClassVar[dict[str, str]] = {"vi": "Kết thúc toàn bộ", "en": "Terminate"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Kết thúc toàn bộ hồ sơ ngay, hủy mọi việc còn mở.",
        "en": "Ends the whole case at once, cancelling all open work.",
    }
    terminal = True
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["outcome"],
        "additionalProperties": False,
        "properties": {"outcome": KEY},
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        return Terminate()


register(TerminateEnd())
