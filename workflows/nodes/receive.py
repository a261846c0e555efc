"""Wait for an external event: a message (a callback from another system, a payment
confirmation...) named ``message`` whose correlation key equals the value of the
``correlation`` rule when the token arrived. With ``timeout``, the transition marked
``"timeout": true`` is taken when no message came in time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Finding
from ._common import DURATION, KEY, RULE
from .registry import TIMEOUT, Move, NodeType, Step, Wait, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


class Receive(NodeType):
    name = "receive"
    label: ClassVar[dict[str, str]] = {"vi": "Chờ sự kiện", "en": "Wait for a message"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Chờ một tin nhắn từ hệ thống khác (ví dụ: đã nộp phí), có thể có hạn chờ.",
        "en": "Waits for a message from another system (e.g. fee paid), optionally with a "
        "time limit.",
    }
    group = "event"
    waits = True
    transition_keys = frozenset({TIMEOUT})
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["message", "correlation"],
        "additionalProperties": False,
        "properties": {
            "message": KEY,
            "correlation": RULE,
            "timeout": {
                "type": "object",
                "additionalProperties": False,
                "required": ["duration"],
                "properties": {"duration": DURATION, "working_days": {"type": "boolean"}},
            },
            "store": {
                "type": "array",
                "items": KEY,
                "description": "Fields of the message's data copied into the record.",
            },
        },
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        key = ctx.evaluate(node.config["correlation"], node)
        timeout = node.config.get("timeout")
        if timeout:
            working = bool(timeout.get("working_days", False))
            due = ctx.due_after(timeout["duration"], working=working)
            ctx.schedule("receive_timeout", due, token=token["id"], working=working)
        ctx.log("waiting_for_message", node, message=node.config["message"], key=key)
        return Wait("message", {"name": node.config["message"], "key": key})

    def on_message(self, ctx: Context, node: NodeDef, token: Token, event: dict[str, Any]) -> Step:
        data = event.get("data") or {}
        stored = {k: data[k] for k in node.config.get("store", []) if k in data}
        changed = ctx.update_data(stored)
        ctx.log(
            "message_received",
            node,
            message=event.get("name"),
            key=event.get("key"),
            changes=changed,
        )
        return Move(ctx.follow(node))

    def on_timer(self, ctx: Context, node: NodeDef, token: Token, timer: dict[str, Any]) -> Step:
        ctx.log("message_timed_out", node, message=node.config["message"])
        return Move(ctx.follow(node, timeout=True))

    def leave(self, ctx: Context, node: NodeDef, token: Token) -> None:
        ctx.cancel_timers(lambda timer: timer["token"] == token["id"])

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        outgoing = workflow.outgoing(node.id)
        plain = [t for t in outgoing if not t.timeout]
        timeouts = [t for t in outgoing if t.timeout]
        findings = []
        if len(plain) != 1:
            findings.append(
                Finding(
                    code="receive_branches",
                    path=path,
                    params={"node": node.id},
                    message=f"{node.id!r} needs exactly one way out for the message",
                )
            )
        if bool(node.config.get("timeout")) != (len(timeouts) == 1) or len(timeouts) > 1:
            findings.append(
                Finding(
                    code="timeout_branch",
                    path=path,
                    params={"node": node.id},
                    message=f"{node.id!r} needs one timeout way out exactly when it has a timeout",
                )
            )
        return findings

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        return [("correlation", node.config["correlation"])]

    def edited_fields(self, node: NodeDef) -> list[str]:
        return list(node.config.get("store", []))


register(Receive())
