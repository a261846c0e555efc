"""Create a record in this or another app: ``"entity"``, optional ``"app"`` and
``"workflow"`` (started for it), ``"data": {"field": <rule>}``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..effects import CreateRecord
from ._automatic import Automatic
from ._common import KEY, MAPPING
from .registry import Move, Step, register
from .subprocess import evaluate_mapping

if TYPE_CHECKING:
    from ..definition import NodeDef
    from ..engine import Context, Token


class CreateRecordStep(Automatic):
    name = "create_record"
    label: ClassVar[dict[str, str]] = {"vi": "Tạo hồ sơ khác", "en": "Create a record"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Tạo một hồ sơ mới (trong ứng dụng này hoặc ứng dụng khác) từ dữ liệu của hồ sơ.",
        "en": "Creates a new record (in this app or another) from the case's data.",
    }
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["entity", "data"],
        "additionalProperties": False,
        "properties": {"app": KEY, "entity": KEY, "workflow": KEY, "data": MAPPING},
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        data = evaluate_mapping(ctx, node, node.config["data"])
        request = ctx.new_id()
        ctx.emit(
            CreateRecord(
                request=request,
                app=node.config.get("app"),
                entity=node.config["entity"],
                data=data,
                workflow=node.config.get("workflow"),
            )
        )
        ctx.log("record_requested", node, request=request, entity=node.config["entity"])
        return Move(ctx.follow(node))

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        return [(f"data/{k}", r) for k, r in node.config["data"].items()]


register(CreateRecordStep())
