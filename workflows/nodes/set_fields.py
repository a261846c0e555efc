"""Set fields: ``"set": {"field": <rule>}`` computes values into the record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ._automatic import Automatic
from ._common import MAPPING
from .registry import Move, Step, register
from .subprocess import evaluate_mapping

if TYPE_CHECKING:
    from ..definition import NodeDef
    from ..engine import Context, Token


class SetFields(Automatic):
    name = "set_fields"
    label: ClassVar[dict[str, str]] = {"vi": "Gán giá trị", "en": "Set fields"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Tính và gán giá trị cho các trường của hồ sơ.",
        "en": "Computes values into the record's fields.",
    }
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["set"],
        "additionalProperties": False,
        "properties": {"set": {**MAPPING, "minProperties": 1}},
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        changed = ctx.update_data(evaluate_mapping(ctx, node, node.config["set"]))
        ctx.log("fields_set", node, changes=changed)
        return Move(ctx.follow(node))

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        return [(f"set/{k}", r) for k, r in node.config["set"].items()]

    def edited_fields(self, node: NodeDef) -> list[str]:
        return list(node.config["set"])


register(SetFields())
