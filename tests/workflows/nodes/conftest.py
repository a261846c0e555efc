"""Helpers for the per-node-type engine tests: build a small entity + workflow document,
check it with ``validate_bundle`` and parse it; start a case and drive it event by event.

The tests import these directly (``from tests.workflows.nodes.conftest import ...``)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from workflows import engine
from workflows import events as ev
from workflows.calendar import calendar_named
from workflows.definition import WorkflowDef, parse_workflow, validate_bundle
from workflows.effects import Effect, RecordEvent

#: A Monday, 08:30 UTC (15:30 in Vietnam: inside afternoon office hours).
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)

CITIZEN = {"kind": "citizen", "id": "c-1", "name": "Nguyễn Thị Mai"}
OFFICER = {"kind": "user", "id": "u-1", "name": "Trần Văn Cán"}
LEADER = {"kind": "user", "id": "u-2", "name": "Lê Thị Lãnh"}
CLERK = {"kind": "user", "id": "u-3", "name": "Phạm Văn Thư"}
SYSTEM = dict(ev.SYSTEM_ACTOR)

ENTITY_FIELDS: list[dict[str, Any]] = [
    {"key": "title", "type": "text"},
    {
        "key": "category",
        "type": "choice",
        "options": [
            {"value": v, "label": {"vi": v}} for v in ("flooding", "pothole", "garbage", "other")
        ],
    },
    {"key": "district", "type": "agency", "agency_kind": "district"},
    {"key": "severity", "type": "number"},
    {"key": "amount", "type": "number"},
    {"key": "note", "type": "long_text"},
    {"key": "officer", "type": "text"},
    {
        "key": "reviewers",
        "type": "multi_choice",
        "options": [{"value": v, "label": {"vi": v}} for v in ("sxd", "stnmt", "sgtvt", "pccc")],
    },
    {"key": "visit_at", "type": "text"},
    {"key": "visit_date", "type": "date"},
    {"key": "application_no", "type": "text"},
    {"key": "paid_amount", "type": "number"},
    {"key": "receipt_no", "type": "text"},
    {"key": "permit_no", "type": "text"},
    {"key": "result", "type": "text"},
    {"key": "flag", "type": "boolean"},
    {"key": "counter", "type": "number"},
]


# ----------------------------------------------------------------------------- documents


def label(text: str) -> dict[str, str]:
    return {"vi": text, "en": text}


def step(node_id: str, node_type: str, **config: Any) -> dict[str, Any]:
    """Any node: ``step("route", "decision")``."""
    return {"id": node_id, "type": node_type, **config}


START = step("start", "start")


def end(node_id: str, outcome: str | None = None) -> dict[str, Any]:
    return step(node_id, "end", outcome=outcome or node_id)


def terminate(node_id: str, outcome: str | None = None) -> dict[str, Any]:
    return step(node_id, "terminate", outcome=outcome or node_id)


def actions(*keys: str) -> list[dict[str, Any]]:
    return [{"key": key, "label": label(key)} for key in keys]


def task(
    node_id: str,
    *keys: str,
    assignment: dict[str, Any] | None = None,
    **config: Any,
) -> dict[str, Any]:
    """A human task with actions ``keys`` (default "done"), for the officers of "ioc"."""
    return {
        "id": node_id,
        "type": "human_task",
        "label": label(node_id),
        "assignment": assignment or {"agency": "ioc", "role": "officer"},
        "actions": actions(*(keys or ("done",))),
        **config,
    }


def multi(
    node_id: str,
    *keys: str,
    items: Any = None,
    assignment: dict[str, Any] | None = None,
    **config: Any,
) -> dict[str, Any]:
    """A multi-instance task, one task per agency in ``reviewers`` by default."""
    return {
        "id": node_id,
        "type": "multi_task",
        "label": label(node_id),
        "items": items if items is not None else {"var": "reviewers"},
        "assignment": assignment or {"agency_rule": {"var": "_item"}, "role": "reviewer"},
        "actions": actions(*(keys or ("approve", "reject"))),
        **config,
    }


def arrow(source: str, target: str, **keys: Any) -> dict[str, Any]:
    """A transition; ``keys`` are action=, condition=, default=, timeout=."""
    return {"from": source, "to": target, **keys}


def chain(*ids: str, **keys: Any) -> list[dict[str, Any]]:
    """Plain transitions a → b → c ..."""
    return [arrow(a, b, **keys) for a, b in zip(ids, ids[1:], strict=False)]


def entity_document(extra_fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    fields = [{**f, "label": label(f["key"])} for f in ENTITY_FIELDS + (extra_fields or [])]
    return {"schema_version": 1, "key": "case", "label": label("Hồ sơ"), "fields": fields}


def workflow_document(
    nodes: list[dict[str, Any]],
    transitions: list[dict[str, Any]],
    *,
    key: str = "flow",
    calendar: str | None = "none",
    deadline: dict[str, Any] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": 1,
        "key": key,
        "entity": "case",
        "label": label(key),
        "nodes": copy.deepcopy(nodes),
        "transitions": copy.deepcopy(transitions),
    }
    if calendar is not None:
        document["calendar"] = calendar
    if deadline is not None:
        document["deadline"] = deadline
    return document


def bundle_of(*workflows: dict[str, Any], extra_fields: list[dict[str, Any]] | None = None):
    return {
        "format_version": 1,
        "app": {"key": "test_app", "label": label("Thử nghiệm")},
        "entities": [entity_document(extra_fields)],
        "forms": [],
        "workflows": list(workflows),
    }


def findings_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f.as_dict() for f in validate_bundle(bundle_of(document))]


def build(
    nodes: list[dict[str, Any]],
    transitions: list[dict[str, Any]],
    *,
    calendar: str | None = "none",
    deadline: dict[str, Any] | None = None,
    key: str = "flow",
    check: bool = True,
) -> WorkflowDef:
    """The parsed workflow; with ``check`` the document must pass ``validate_bundle``."""
    document = workflow_document(nodes, transitions, key=key, calendar=calendar, deadline=deadline)
    if check:
        findings = findings_of(document)
        assert findings == [], findings
    return parse_workflow(document)


# ----------------------------------------------------------------------------- driving


def of_type(effects: list[Effect], kind: type[Effect]) -> list[Any]:
    return [e for e in effects if isinstance(e, kind)]


def logged(effects: list[Effect], event: str) -> list[RecordEvent]:
    return [e for e in effects if isinstance(e, RecordEvent) and e.event == event]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Case:
    """One running instance: ``state`` and the ``effects`` of the last event; every
    event goes through :func:`workflows.engine.handle` with the case's ``now``."""

    def __init__(
        self,
        definition: WorkflowDef,
        data: dict[str, Any] | None = None,
        *,
        actor: dict[str, Any] | None = None,
        now: datetime = NOW,
    ) -> None:
        self.definition = definition
        self.now = now
        self.state, self.effects = engine.start(definition, data or {}, now, actor or CITIZEN)
        self.all_effects: list[Effect] = list(self.effects)

    # -- events ------------------------------------------------------------------------
    def send(self, event: dict[str, Any]) -> list[Effect]:
        self.state, self.effects = engine.handle(self.definition, self.state, event, self.now)
        self.all_effects += self.effects
        return self.effects

    def later(self, **delta: float) -> Case:
        self.now += timedelta(**delta)
        return self

    def complete(
        self,
        where: str,
        action: str,
        data: dict[str, Any] | None = None,
        actor: dict[str, Any] | None = None,
    ) -> list[Effect]:
        """Complete the one open task at node ``where`` (or the task with that id)."""
        task_id = where if where in self.state["tasks"] else self.task(where)
        return self.send(ev.complete_task(task_id, action, data, actor or OFFICER))

    def fire(self, purpose: str, *, task: str | None = None) -> list[Effect]:
        """Move the clock to the one running timer with ``purpose`` and fire it."""
        timer_id = self.timer(purpose, task=task)
        self.now = max(self.now, datetime.fromisoformat(self.state["timers"][timer_id]["due"]))
        return self.send(ev.timer_fired(timer_id))

    # -- queries -----------------------------------------------------------------------
    @property
    def status(self) -> str:
        return str(self.state["status"])

    @property
    def outcome(self) -> str | None:
        return self.state["outcome"]

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.state["data"])

    def waiting(self) -> list[str]:
        """The nodes tokens wait at, sorted."""
        return sorted(token["node"] for token in self.state["tokens"])

    def open_tasks(self, node: str | None = None) -> list[str]:
        return [
            task_id
            for task_id, task in self.state["tasks"].items()
            if task["status"] == "open" and (node is None or task["node"] == node)
        ]

    def task(self, node: str) -> str:
        found = self.open_tasks(node)
        assert len(found) == 1, f"expected one open task at {node!r}, found {found}"
        return found[0]

    def timers(self, purpose: str | None = None, *, task: str | None = None) -> list[str]:
        return [
            timer_id
            for timer_id, timer in self.state["timers"].items()
            if (purpose is None or timer["purpose"] == purpose)
            and (task is None or timer["task"] == task)
        ]

    def timer(self, purpose: str, *, task: str | None = None) -> str:
        found = self.timers(purpose, task=task)
        assert len(found) == 1, f"expected one {purpose} timer, found {found}"
        return found[0]

    def due(self, timer_id: str) -> datetime:
        return datetime.fromisoformat(self.state["timers"][timer_id]["due"])

    def left(self, timer_id: str) -> timedelta | None:
        """The time a timer held by the paused clock had left when it stopped (office time
        for a working timer); None while it runs."""
        timer = self.state["timers"][timer_id]
        if timer["held_since"] is None:
            return None
        since = datetime.fromisoformat(timer["held_since"])
        if timer["working"]:
            calendar = calendar_named(self.definition.calendar)
            return calendar.working_time_between(since, self.due(timer_id))
        return max(timedelta(0), self.due(timer_id) - since)

    def last(self, kind: type[Effect]) -> list[Any]:
        """Effects of ``kind`` produced by the last event."""
        return of_type(self.effects, kind)
