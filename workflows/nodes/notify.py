"""Send a notification: ``"channel": "email"|"sms"|"in_app"``, ``"to": {...}``,
``"subject"``, ``"body"`` — bilingual templates with ``{{field}}`` and ``{{tracking_code}}``
placeholders filled by the runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ._automatic import Automatic
from ._common import LABEL, NOTIFY
from .registry import Move, Step, register

if TYPE_CHECKING:
    from ..definition import NodeDef
    from ..engine import Context, Token


class NotifyStep(Automatic):
    name = "notify"
    label: ClassVar[dict[str, str]] = {"vi": "Gửi thông báo", "en": "Send a notification"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Gửi thông báo (trong ứng dụng, email hoặc SMS) rồi đi tiếp.",
        "en": "Sends a notification (in the app, email or SMS) and goes on.",
    }
    config_schema: ClassVar[dict[str, Any]] = {
        **NOTIFY,
        "required": ["channel", "to", "body"],
        "properties": {**NOTIFY["properties"], "label": LABEL},
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        from ..engine import notify_effect

        notify_effect(ctx, node.config, name=node.id)
        return Move(ctx.follow(node))


register(NotifyStep())
