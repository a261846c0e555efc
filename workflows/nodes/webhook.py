"""Call a webhook: ``"endpoint"`` (a name the installation maps to a URL in its settings,
so a bundle moves between installations unchanged) or a literal ``"url"``; ``"method"``;
``"payload": {"key": <rule>}``. The runtime signs it with HMAC and a timestamp and retries
until it is delivered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..effects import CallWebhook
from ._automatic import Automatic
from ._common import KEY, MAPPING
from .registry import Move, Step, register
from .subprocess import evaluate_mapping

if TYPE_CHECKING:
    from ..definition import NodeDef
    from ..engine import Context, Token


class Webhook(Automatic):
    name = "webhook"
    label: ClassVar[dict[str, str]] = {"vi": "Gọi hệ thống khác", "en": "Call a webhook"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Gửi dữ liệu hồ sơ tới một hệ thống khác.",
        "en": "Sends the case's data to another system.",
    }
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "oneOf": [{"required": ["url"]}, {"required": ["endpoint"]}],
        "properties": {
            "url": {"type": "string", "pattern": "^https?://", "maxLength": 2000},
            "endpoint": KEY,
            "method": {"enum": ["POST", "PUT"]},
            "payload": MAPPING,
        },
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        payload = evaluate_mapping(ctx, node, node.config.get("payload", {}))
        call_id = ctx.new_id()
        ctx.emit(
            CallWebhook(
                call=call_id,
                url=node.config.get("url", ""),
                method=node.config.get("method", "POST"),
                payload=payload,
                endpoint=node.config.get("endpoint"),
            )
        )
        target = node.config.get("url") or node.config.get("endpoint")
        ctx.log("webhook_requested", node, call=call_id, target=target)
        return Move(ctx.follow(node))

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        return [(f"payload/{k}", r) for k, r in node.config.get("payload", {}).items()]


register(Webhook())
