"""Timer: wait for a duration (``"duration": "P2D"``, optionally in working days) or until
a moment computed from the record (``"until": <rule giving an ISO date or date-time>``)."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import WorkflowRuntimeError
from ._common import DURATION, RULE
from .registry import Move, NodeType, Step, Wait, register

if TYPE_CHECKING:
    from ..definition import NodeDef
    from ..engine import Context, Token


def parse_moment(value: Any, ctx: Context, node: NodeDef) -> datetime:
    """An ISO date ("2026-05-01": start of that day in the calendar's time zone) or an
    ISO date-time with offset."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                from zoneinfo import ZoneInfo

                zone = ZoneInfo(ctx.calendar.timezone)
                if len(value) == 10:
                    moment = datetime.combine(moment.date(), time(0), zone)
                else:
                    moment = moment.replace(tzinfo=zone)
            return moment
    raise WorkflowRuntimeError(
        f"the 'until' rule of {node.id!r} gave {value!r}, not a date",
        code="invalid_moment",
        node=node.id,
    )


class Timer(NodeType):
    name = "timer"
    label: ClassVar[dict[str, str]] = {"vi": "Hẹn giờ", "en": "Timer"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Chờ một khoảng thời gian hoặc tới một thời điểm rồi đi tiếp.",
        "en": "Waits for a while or until a moment, then goes on.",
    }
    group = "event"
    waits = True
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "duration": DURATION,
            "working_days": {"type": "boolean"},
            "until": RULE,
        },
        "oneOf": [{"required": ["duration"]}, {"required": ["until"]}],
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        if "duration" in node.config:
            working = bool(node.config.get("working_days", False))
            due = ctx.due_after(node.config["duration"], working=working)
        else:
            due = parse_moment(ctx.evaluate(node.config["until"], node), ctx, node)
            working = False
        timer_id = ctx.schedule("timer", due, token=token["id"], working=working)
        ctx.log("timer_started", node, timer=timer_id, due=due.isoformat())
        return Wait("timer", {"timer": timer_id})

    def on_timer(self, ctx: Context, node: NodeDef, token: Token, timer: dict[str, Any]) -> Step:
        ctx.log("timer_fired", node, timer=timer["id"])
        return Move(ctx.follow(node))

    def leave(self, ctx: Context, node: NodeDef, token: Token) -> None:
        ctx.cancel_timers(lambda timer: timer["token"] == token["id"])

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        return [("until", node.config["until"])] if "until" in node.config else []


register(Timer())
