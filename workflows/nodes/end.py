"""End: the token stops here; when no other token is running the case closes with the
node's ``outcome`` (e.g. "resolved", "rejected"). Inside parallel branches, an end only
ends its branch: the join stops waiting for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ._common import KEY
from .registry import Finish, NodeType, Step, register

if TYPE_CHECKING:
    from ..definition import NodeDef
    from ..engine import Context, Token


class End(NodeType):
    name = "end"
    label: ClassVar[dict[str, str]] = {"vi": "Kết thúc", "en": "End"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Kết thúc nhánh này; hồ sơ đóng khi không còn nhánh nào chạy.",
        "en": "Ends this branch; the case closes when no branch is left.",
    }
    terminal = True
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["outcome"],
        "additionalProperties": False,
        "properties": {"outcome": KEY},
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        return Finish()


register(End())
