"""Multi-instance task: one task per item of a list — e.g. one review per agency that
must give its opinion on a permit — running at the same time.

Config: everything a human task has, plus::

    "items": <rule giving a list>            # e.g. {"var": "reviewing_agencies"}
    "completion": "all" | "any" | {"count": 2} | {"rule": <rule over _results>}

Each task sees its item as ``_item`` (``"assignment": {"agency_rule": {"var": "_item"},
"role": "officer"}``). When the completion condition holds, the remaining tasks are
cancelled and the way out is chosen like a decision, over the record's data plus
``_results`` = ``{"total": 3, "done": 2, "counts": {"approve": 2}}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import Finding, WorkflowRuntimeError
from ._common import LABEL, RULE, assignment_rules, task_properties
from .decision import conditional_branch_findings
from .human_task import finish_task
from .registry import CONDITION, Move, NodeType, Stay, Step, Wait, register

if TYPE_CHECKING:
    from ..definition import NodeDef, WorkflowDef
    from ..engine import Context, Token


def results(ctx: Context, task_ids: list[str]) -> dict[str, Any]:
    """The tally of this round's tasks (a loop may enter the node again)."""
    tasks = [ctx.state["tasks"][task_id] for task_id in task_ids]
    counts: dict[str, int] = {}
    for task in tasks:
        if task["status"] == "completed":
            counts[task["action"]] = counts.get(task["action"], 0) + 1
    return {"total": len(tasks), "done": sum(counts.values()), "counts": counts}


class MultiTask(NodeType):
    name = "multi_task"
    label: ClassVar[dict[str, str]] = {"vi": "Công việc nhiều người", "en": "Multi-instance task"}
    description: ClassVar[dict[str, str]] = {
        "vi": "Giao cùng một việc cho nhiều cơ quan hoặc người, rồi tổng hợp kết quả.",
        "en": "Gives the same task to several agencies or people, then tallies the results.",
    }
    group = "task"
    waits = True
    transition_keys = frozenset({CONDITION})
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["label", "items", "assignment", "actions"],
        "additionalProperties": False,
        "properties": {
            "label": LABEL,
            "items": RULE,
            "completion": {
                "oneOf": [
                    {"enum": ["all", "any"]},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["count"],
                        "properties": {"count": {"type": "integer", "minimum": 1}},
                    },
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["rule"],
                        "properties": {"rule": RULE},
                    },
                ]
            },
            **task_properties(),
        },
    }

    def enter(self, ctx: Context, node: NodeDef, token: Token) -> Step:
        items = ctx.evaluate(node.config["items"], node)
        if not isinstance(items, list):
            raise WorkflowRuntimeError(
                f"the items of {node.id!r} are not a list: {items!r}",
                code="items_not_a_list",
                node=node.id,
            )
        if not items:
            return Move(ctx.choose(node, {"_results": results(ctx, [])}))
        task_ids = [ctx.create_task(node, token, item=item, has_item=True) for item in items]
        return Wait("multi", {"tasks": task_ids})

    def _complete(self, ctx: Context, node: NodeDef, summary: dict[str, Any]) -> bool:
        rule = node.config.get("completion", "all")
        if rule == "all":
            return bool(summary["done"] >= summary["total"])
        if rule == "any":
            return bool(summary["done"] >= 1)
        if "count" in rule:
            return bool(summary["done"] >= min(rule["count"], summary["total"]))
        if summary["done"] >= summary["total"]:
            return True
        return ctx.truthy(rule["rule"], node, {"_results": summary})

    def on_task(
        self, ctx: Context, node: NodeDef, token: Token, task: dict[str, Any], action: str
    ) -> Step:
        finish_task(ctx, node, task, action, item=task.get("item"))
        summary = results(ctx, token["wait"]["tasks"])
        if not self._complete(ctx, node, summary):
            return Stay()
        for task_id in ctx.open_tasks(token["id"]):
            ctx.close_task(task_id, action=None)
        ctx.log("reviews_completed", node, results=summary)
        return Move(ctx.choose(node, {"_results": summary}))

    def leave(self, ctx: Context, node: NodeDef, token: Token) -> None:
        for task_id in ctx.open_tasks(token["id"]):
            ctx.close_task(task_id, action=None)

    def check(self, node: NodeDef, workflow: WorkflowDef, path: str) -> list[Finding]:
        outgoing = workflow.outgoing(node.id)
        if len(outgoing) == 1 and outgoing[0].condition is None:
            return []
        return conditional_branch_findings(node, workflow, path)

    def rules(self, node: NodeDef) -> list[tuple[str, Any]]:
        found = [("items", node.config.get("items")), *assignment_rules(node.config)]
        completion = node.config.get("completion")
        if isinstance(completion, dict) and "rule" in completion:
            found.append(("completion/rule", completion["rule"]))
        return [(where, rule) for where, rule in found if rule is not None]

    def edited_fields(self, node: NodeDef) -> list[str]:
        return list(node.config.get("form", {}).get("fields", []))


register(MultiTask())
