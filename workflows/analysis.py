"""Static analysis of a workflow before it is published.

:func:`validate_bundle` (in :mod:`workflows.definition`) answers "can this be parsed and
executed at all?". This module answers "will it behave the way the official who drew it
expects?": steps nobody reaches, branches that never come back, joins that wait forever,
rules comparing a number with text, durations in months... It works on parsed definitions
(:class:`~workflows.definition.WorkflowDef`), also on drafts that ``validate_bundle`` would
refuse, and never raises on a workflow ``validate_bundle`` accepts.

Public API::

    analyze(workflow, entity, *, known_workflows=None, known_apps=None,
            known_entities=None, app_key=None) -> list[Finding]
    analyze_app(app, *, known_apps=None) -> list[Finding]
    ANALYSIS_CODES: dict[str, str]          # code -> one-line English description

Every :class:`~workflows.errors.Finding` has a stable ``code`` (a key of
:data:`ANALYSIS_CODES`), ``severity`` "error" (the workflow will misbehave: do not publish)
or "warning" (probably a mistake, or cannot be checked here), a ``path`` —
``workflows/<key>/nodes/<id>`` for a step, ``workflows/<key>/transitions/<index>/condition``
for the condition of a way out, ``workflows/<key>/deadline`` or ``.../calendar`` for the
workflow's own settings — and ``params["nodes"]``, the ids of the steps concerned (the first
one is where the problem is; the builder highlights all of them). Messages are plain English
for officials and name each step by its Vietnamese label and its id. Findings are sorted by
path, then code.

What is checked
===============

The graph is the nodes and the transitions between known nodes. *Terminal* nodes are the
node types with ``terminal = True`` (``end``, ``terminate``); *splits* are ``parallel`` and
``inclusive``; *waiting* nodes are the node types with ``waits = True``.

``start_count``
    Not exactly one start node (``validate_bundle`` refuses it too). With none, the checks
    that walk from the start are skipped; with several, all of them are starting points.
``unreachable``
    A node no path from the start leads to (one finding per node).
``no_way_to_end``
    A node that is reachable but from which no terminal node is reachable, whatever the
    conditions say (a dead end, or a loop without a way out). Unreachable nodes are not
    reported twice.
``join_deadlock`` and ``join_without_split`` — see *Forks and joins* below.
``cycle_without_wait``
    A loop (a strongly connected set of reachable nodes, or a node leading to itself) in the
    graph *without* its waiting nodes — i.e. a cycle no token can stop in. A join counts as
    waiting unless it is only ever reached outside any fork (it lets tokens through), or
    closes a fork that can complete without anything waiting: every branch (one branch,
    for an inclusive split) can reach the join or an end without passing a waiting node
    or a nested fork that cannot complete so (the join is released within the same
    event).
    An error, unless a ``set_fields`` step in the loop writes a field that a condition on a
    way out of a step of the loop reads: then the loop may be a bounded counter loop, and it
    is a warning (the engine stops a case after ``MAX_STEPS`` steps without waiting).
``decision_without_default``
    A ``decision`` or ``inclusive`` split, or a ``multi_task`` / ``subprocess`` with
    conditional ways out (anything but one unconditional way out), whose ways out (ignoring
    timeouts) do not have exactly one marked ``default``.
``task_without_assignment``
    A ``human_task`` / ``multi_task`` whose ``assignment`` is missing, empty, or none of:
    agency + role, agency rule + role, user, user rule, ``submitter: true`` (with non-empty
    values).
``rule_invalid``, ``unknown_field``, ``type_mismatch``, ``unknown_option``
    Every rule of the workflow (transition conditions and each node type's
    :meth:`~workflows.nodes.registry.NodeType.rules`): a rule ``rules.check`` refuses is
    ``rule_invalid``; a rule reading a field the entity does not have (top-level name of
    each path ``rules.compile(rule).reads()`` lists; the context variables ``_item``,
    ``_results``, ``_outcome``, ``_child`` are allowed) is ``unknown_field``, and so are
    fields a step writes (:meth:`~workflows.nodes.registry.NodeType.edited_fields`) or sends
    messages to (``email_field`` / ``phone_field`` of a notification) that do not exist.
    Then each comparison (``==``, ``===``, ``!=``, ``!==``, ``<``, ``<=``, ``>``, ``>=``,
    ``in``) whose arguments are a ``var`` of a field and a literal — or two fields — is
    checked against the field's kind: text, long_text, choice, agency and date are text;
    number is a number; boolean is true/false; multi_choice, file and photo are lists;
    location is an object. A literal of another kind, an order comparison (``<``...) on a
    choice, agency, yes/no, list or place, a date compared with text that is not
    ``YYYY-MM-DD``, ``==`` on a list or a place, are ``type_mismatch`` (warning: the two
    rule engines do not even agree on such comparisons). A choice (or multi_choice, with
    ``in``) compared with a text that is none of its options is ``unknown_option`` (error:
    the condition can never hold). ``null`` literals are never flagged (testing for
    "empty" is fine); reads inside the bodies of ``map``/``filter``/``reduce``/``all``/
    ``some``/``none`` refer to the current item and are skipped. Literal values that
    ``set_fields`` / ``subprocess`` outputs write into a field are checked the same way.
``invalid_duration``, ``zero_duration``, ``reminder_too_long``
    ``deadline.duration`` and ``deadline.reminders`` of tasks and of the workflow,
    ``timer.duration``, ``receive.timeout.duration`` must be accepted by
    :meth:`workflows.calendar.Duration.parse` (which refuses months and years). A zero
    duration is a warning. A reminder at least as long as its deadline (calendar time) or
    longer than it (working time, where the reminder of an N-day deadline given N days
    before still falls on the day of receipt) is never sent: a warning. Mixed units (days
    against hours) in working time are not compared.
``unknown_workflow``, ``unverified_workflow``, ``starts_itself``, ``unknown_entity``
    ``subprocess``, ``start_workflow`` and ``create_record`` name a workflow (and
    ``create_record`` an entity). Without ``app`` (or with ``app == app_key``) it must be
    in ``known_workflows`` (not checked when that is ``None``) and the entity in
    ``known_entities``. With another ``app``, the workflow must be in
    ``known_apps[app]``; when ``known_apps`` is ``None`` this is ``unverified_workflow``, a
    warning. A step starting its own workflow is ``starts_itself`` (warning: every case
    starts another case).
``unknown_calendar``
    The workflow's ``calendar`` is not known to :func:`workflows.calendar.calendar_named`.
``escalation_action_unknown``, ``guard_unknown_task``
    A task's deadline escalation takes an action the task does not have; a task's guard
    ``not_actors_of`` names something that is not a task of this workflow (the
    "four eyes" guard would silently do nothing).
``analysis_incomplete``
    The fork analysis below gave up on a pathologically intricate workflow (warning).

Forks and joins (``join_deadlock``, ``join_without_split``)
===========================================================

This follows the engine exactly. A token carries a stack of the forks it belongs to. A
split pushes a new fork and starts one token per branch (an inclusive split: the branches
whose condition holds — here every branch may start). A token entering a join arrives in
the *innermost* fork on its stack; when every branch of that fork that can still arrive
has arrived, one token goes on with the fork popped. A token entering a join with an
empty stack goes straight through. A token reaching an ``end`` stops, and the fork on top
of its stack stops waiting for it; when every branch of a fork has ended, the branch of the
enclosing fork that started it has ended too. ``terminate`` ends everything.

The analysis runs that semantics abstractly: a *state* is (node, stack of split node ids),
explored from (start, empty) along every transition, pushing at splits and popping at
joins. It is exact for the shape of the workflow (all conditions may be true or false) and
linear in practice (one stack per node in any sensible workflow; it gives up with
``analysis_incomplete`` beyond ``20000 + 50 * nodes`` states). On the states:

1. *Mixed arrivals* (``join_deadlock``): a join entered with stacks whose tops differ —
   branches of two different splits, or branches of a split and a path that was never
   forked (e.g. a way into the join that bypasses the split, or a loop from after the join
   back into a branch). Such a join waits for the wrong tokens, lets some through without
   waiting, or waits forever.
2. *Different joins* (``join_deadlock``): the branches of one split arrive at more than
   one join. Each join waits for every branch of the split, so the first one waits for
   branches that went to the other, and the steps after one of them are skipped.
3. *Back to the split* (``join_deadlock``): a branch leads back to its own split before
   its fork is joined (a stack would contain the split twice): each round starts the
   branches again inside the old fork.
4. *Branches that never arrive* (``join_deadlock``): for every fork level (a stack σ with a
   top split S whose branches some join J closes), every state with stack σ must be able
   to reach — along states, i.e. passing nested splits only through their joins — a join
   with stack σ (the branch arrives), or *end* its branch: reach an ``end`` with stack σ
   (the join stops waiting for it), any ``terminate``, or a nested split at stack σ whose
   branches can all end (one of them, for an inclusive split) — the engine then counts the
   enclosing branch as ended. Otherwise J can wait forever: the branch loops without a way
   out. ("Can reach" means some path: a branch that *may* end elsewhere, through a
   decision, is fine. A nested parallel split with one branch that can never arrive at its
   own join is reported at that inner join, not again at the outer one.)
5. *Join without a split* (``join_without_split``, warning): a reachable join only ever
   entered with an empty stack waits for nothing; every token goes through it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from . import nodes, rules
from .calendar import Duration, DurationError, calendar_named
from .definition import (
    CONTEXT_VARIABLES,
    AppDef,
    EntityDef,
    FieldDef,
    NodeDef,
    WorkflowDef,
)
from .engine import MAX_STEPS
from .errors import Finding

__all__ = ["ANALYSIS_CODES", "analyze", "analyze_app"]

ANALYSIS_CODES: dict[str, str] = {
    "start_count": "The workflow does not have exactly one start.",
    "unreachable": "A step that no path from the start leads to.",
    "no_way_to_end": "A step from which the case can never reach an end.",
    "join_deadlock": "A join that can wait forever, or that merges branches it should not.",
    "join_without_split": "A join with no parallel or inclusive split before it: it waits "
    "for nothing.",
    "cycle_without_wait": "A loop in which nothing waits for a person, a timer or a message, "
    "so a case can go round it forever.",
    "decision_without_default": "A step that chooses its way out by conditions but does not "
    "have exactly one default way out.",
    "task_without_assignment": "A task that is not assigned to anyone.",
    "rule_invalid": "A rule (a condition or a computed value) that cannot be read.",
    "unknown_field": "A rule or a step refers to a field the record does not have.",
    "group_path": "A rule reads a sub-field of a repeating group without saying which row.",
    "type_mismatch": "A rule compares a field with a value of another kind (e.g. a number "
    "with text).",
    "unknown_option": "A rule compares a choice field with a value that is not one of its options.",
    "invalid_duration": "A duration that is not valid, or that is in months or years.",
    "zero_duration": "A duration of zero: the time is up at once.",
    "reminder_too_long": "A reminder at least as long as its deadline, so it is never sent.",
    "unknown_workflow": "A step starts a workflow (or uses an app) that does not exist.",
    "unverified_workflow": "A step starts a workflow of another app, which cannot be checked here.",
    "starts_itself": "A step starts another case of its own workflow.",
    "unknown_entity": "A step creates a record of a kind the app does not have.",
    "unknown_calendar": "The workflow uses a working-day calendar that does not exist.",
    "escalation_action_unknown": "A task's deadline escalation takes an action the task does "
    "not have.",
    "guard_unknown_task": "A task's guard refers to a step that is not a task.",
    "analysis_incomplete": "The workflow is too intricate for the join check to finish.",
}

ERROR = "error"
WARNING = "warning"

SPLIT_TYPES = frozenset({"parallel", "inclusive"})
JOIN_TYPES = frozenset({"join"})
TASK_TYPES = frozenset({"human_task", "multi_task"})
#: Node types that choose their way out like a decision when they have conditional branches.
CHOOSING_TYPES = frozenset({"multi_task", "subprocess"})
DECISION_TYPES = frozenset({"decision", "inclusive"})
STARTING_TYPES = frozenset({"subprocess", "start_workflow", "create_record"})

#: Field type -> kind of value, for comparisons.
FIELD_KINDS: dict[str, str] = {
    "text": "string",
    "long_text": "string",
    "choice": "string",
    "agency": "string",
    "date": "string",
    "number": "number",
    "boolean": "boolean",
    "multi_choice": "list",
    "file": "list",
    "photo": "list",
    "location": "object",
    "group": "list",
}
_FIELD_WORDS: dict[str, str] = {
    "text": "a text",
    "long_text": "a text",
    "choice": "a choice",
    "agency": "an agency",
    "date": "a date",
    "number": "a number",
    "boolean": "a yes/no field",
    "multi_choice": "a multiple choice (a list of values)",
    "file": "a list of files",
    "photo": "a list of photos",
    "location": "a place on the map",
    "group": "a list of rows",
}
_EQUALITY = frozenset({"==", "===", "!=", "!=="})
_ORDER = frozenset({"<", "<=", ">", ">="})
#: Operators whose later arguments are evaluated per item (their ``var``s read the item).
_ITEM_SCOPES = frozenset({"map", "filter", "all", "some", "none", "reduce"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?")


# --------------------------------------------------------------------------- public API


def analyze(
    workflow: WorkflowDef,
    entity: EntityDef,
    *,
    known_workflows: set[str] | None = None,
    known_apps: dict[str, set[str]] | None = None,
    known_entities: set[str] | None = None,
    app_key: str | None = None,
) -> list[Finding]:
    """Every finding of the static analysis of ``workflow`` over ``entity``, sorted.

    ``known_workflows``: workflow keys of the same app (sub-processes without ``app`` are
    checked against it when given). ``known_apps``: app key -> its workflow keys, for
    sub-processes of other apps (without it they are reported as unverified).
    ``known_entities``: entity keys of the same app, for ``create_record``. ``app_key``:
    the key of the workflow's own app (an ``app`` naming it counts as the same app).
    """
    return _Analysis(
        workflow,
        entity,
        known_workflows=known_workflows,
        known_apps=known_apps,
        known_entities=known_entities,
        app_key=app_key,
    ).run()


def analyze_app(app: AppDef, *, known_apps: dict[str, set[str]] | None = None) -> list[Finding]:
    """:func:`analyze` of every workflow of ``app`` (its own workflows and entities are
    known), sorted by path then code."""
    findings: list[Finding] = []
    for workflow in app.workflows.values():
        entity = app.entities.get(workflow.entity)
        if entity is None:
            findings.append(
                Finding(
                    code="unknown_entity",
                    message=f"The workflow {workflow.key!r} works on records of kind "
                    f"{workflow.entity!r}, which this app does not have. Choose one of: "
                    f"{', '.join(sorted(app.entities)) or '(none)'}.",
                    path=f"workflows/{workflow.key}",
                    severity=ERROR,
                    params={"nodes": [], "entity": workflow.entity},
                )
            )
        findings.extend(
            _Analysis(
                workflow,
                entity,
                known_workflows=set(app.workflows),
                known_apps=known_apps,
                known_entities=set(app.entities),
                app_key=app.key,
            ).run()
        )
    return _sorted(findings)


# --------------------------------------------------------------------------- helpers


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    unique: dict[tuple[str, str, str, str], Finding] = {}
    for finding in findings:
        unique.setdefault((finding.path, finding.code, finding.severity, finding.message), finding)
    return sorted(unique.values(), key=lambda f: (f.path, f.code, f.severity, f.message))


def _label_text(label: Any, fallback: str) -> str:
    if isinstance(label, dict):
        for key in ("vi", "en"):
            value = label.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        for value in label.values():
            if isinstance(value, str) and value.strip():
                return value.strip()
    return fallback


def _node_name(node: NodeDef) -> str:
    label = _label_text(node.label, node.id)
    return f"'{node.id}'" if label == node.id else f"'{label}' ({node.id})"


def _field_name(field_def: FieldDef) -> str:
    label = _label_text(field_def.label, field_def.key)
    return f"'{field_def.key}'" if label == field_def.key else f"'{label}' ({field_def.key})"


def _names(names: list[str], limit: int = 4) -> str:
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else ""


def _literal_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _describe_literal(value: Any) -> str:
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f'the text "{value}"'


def _is_literal(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _var_path(value: Any) -> str | None:
    """The path of ``{"var": "path"}`` / ``{"var": ["path", default]}``, else None."""
    if not isinstance(value, dict) or len(value) != 1 or "var" not in value:
        return None
    path = value["var"]
    if isinstance(path, list):
        path = path[0] if path else ""
    return path if isinstance(path, str) else None


def _comparisons(rule: Any) -> Iterator[tuple[str, list[Any]]]:
    """(operator, arguments) of every comparison in ``rule``, outside per-item bodies."""
    pending = [rule]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
            continue
        if not isinstance(item, dict) or len(item) != 1:
            continue
        ((operator, args),) = item.items()
        if not isinstance(operator, str) or operator == "var":
            continue
        arguments = args if isinstance(args, list) else [args]
        if operator in _ITEM_SCOPES:
            # The list is read from the record; the bodies read the current item.
            pending.append(arguments[0] if arguments else None)
            if operator == "reduce" and len(arguments) > 2:
                pending.append(arguments[2])
            continue
        if operator in _EQUALITY or operator in _ORDER or operator == "in":
            yield operator, arguments
        pending.extend(arguments)


def _duration_seconds(duration: Duration, day_seconds: int) -> int:
    return duration.days * day_seconds + duration.time_seconds()


def _office_seconds(calendar_name: str) -> int:
    """Seconds of office time in a working day of the calendar (8 hours if unknown)."""
    try:
        calendar = calendar_named(calendar_name)
    except (KeyError, ValueError):
        return 8 * 3600
    total = 0
    for start, end in calendar.hours:
        end_seconds = 86400 if end == time(0) else end.hour * 3600 + end.minute * 60 + end.second
        total += end_seconds - (start.hour * 3600 + start.minute * 60 + start.second)
    return total if total > 0 else 8 * 3600


# --------------------------------------------------------------------------- fork stacks


@dataclass
class _Stacks:
    """Interned stacks of split node ids: 0 is the empty stack."""

    parent: list[int] = field(default_factory=lambda: [-1])
    top: list[str | None] = field(default_factory=lambda: [None])
    depth: list[int] = field(default_factory=lambda: [0])
    _pushed: dict[tuple[int, str], int] = field(default_factory=dict)

    def push(self, stack: int, split: str) -> int:
        key = (stack, split)
        found = self._pushed.get(key)
        if found is None:
            found = len(self.parent)
            self.parent.append(stack)
            self.top.append(split)
            self.depth.append(self.depth[stack] + 1)
            self._pushed[key] = found
        return found

    def pop(self, stack: int) -> int:
        return self.parent[stack] if stack else 0

    def contains(self, stack: int, split: str) -> bool:
        while stack > 0:
            if self.top[stack] == split:
                return True
            stack = self.parent[stack]
        return False


State = tuple[str, int]


@dataclass
class _Forks:
    """What the abstract run of forks and joins found."""

    complete: bool = True
    stacks: _Stacks = field(default_factory=_Stacks)
    states: list[State] = field(default_factory=list)
    successors: dict[State, list[State]] = field(default_factory=dict)
    #: join -> top of the arriving stack (None: not forked) -> nodes it came from.
    arrivals: dict[str, dict[str | None, dict[str, None]]] = field(default_factory=dict)
    #: split -> joins that close its forks.
    consumers: dict[str, dict[str, None]] = field(default_factory=dict)
    #: split -> nodes from which a branch leads back into it.
    reentries: dict[str, dict[str, None]] = field(default_factory=dict)
    #: states that stop the exploration (a split re-entered): not reported again.
    stops: set[State] = field(default_factory=set)


# --------------------------------------------------------------------------- the analysis


class _Analysis:
    def __init__(
        self,
        workflow: WorkflowDef,
        entity: EntityDef | None,
        *,
        known_workflows: set[str] | None,
        known_apps: dict[str, set[str]] | None,
        known_entities: set[str] | None,
        app_key: str | None,
    ) -> None:
        self.workflow = workflow
        self.entity = entity
        self.known_workflows = known_workflows
        self.known_apps = known_apps
        self.known_entities = known_entities
        self.app_key = app_key
        self.prefix = f"workflows/{workflow.key}"
        self.findings: list[Finding] = []
        self.fields: dict[str, FieldDef] = (
            {f.key: f for f in entity.fields} if entity is not None else {}
        )
        self.types: dict[str, nodes.NodeType | None] = {
            node_id: nodes.get(node.type) for node_id, node in workflow.nodes.items()
        }
        self.succ: dict[str, list[str]] = {node_id: [] for node_id in workflow.nodes}
        self.pred: dict[str, list[str]] = {node_id: [] for node_id in workflow.nodes}
        seen_edges: set[tuple[str, str]] = set()
        for transition in workflow.transitions:
            edge = (transition.source, transition.target)
            if edge in seen_edges or not all(end in workflow.nodes for end in edge):
                continue
            seen_edges.add(edge)
            self.succ[transition.source].append(transition.target)
            self.pred[transition.target].append(transition.source)
        self.kinds = {node_id: self._kind(node_id) for node_id in workflow.nodes}
        self.starts = [n for n in workflow.nodes.values() if n.type == "start"]
        self.reachable: set[str] = set()
        self.forks = _Forks()
        #: split states whose fork can complete without anything waiting.
        self.wait_free: set[State] = set()
        #: joins that do not stop a token for long: never forked, or closing a fork that
        #: can complete without anything waiting.
        self.passing_joins: set[str] = set()

    # -- plumbing -----------------------------------------------------------------------
    def add(
        self,
        code: str,
        message: str,
        node_ids: Iterable[str] = (),
        *,
        path: str | None = None,
        severity: str = ERROR,
        **params: Any,
    ) -> None:
        ids = list(dict.fromkeys(node_ids))
        if path is None:
            path = f"{self.prefix}/nodes/{ids[0]}" if ids else self.prefix
        self.findings.append(
            Finding(
                code=code,
                message=message,
                path=path,
                severity=severity,
                params={"nodes": ids, **params},
            )
        )

    def name(self, node_id: str) -> str:
        node = self.workflow.nodes.get(node_id)
        return _node_name(node) if node is not None else f"'{node_id}'"

    def kind(self, node_id: str) -> str:
        return self.kinds[node_id]

    def _kind(self, node_id: str) -> str:
        node_type = self.types.get(node_id)
        type_name = self.workflow.nodes[node_id].type
        if type_name in SPLIT_TYPES:
            return "split"
        if type_name in JOIN_TYPES:
            return "join"
        if node_type is not None and node_type.terminal:
            return "terminate" if type_name == "terminate" else "end"
        return "step"

    def run(self) -> list[Finding]:
        self.check_start()
        self.check_reachability()
        self.check_forks()
        self.check_cycles()
        for node in self.workflow.nodes.values():
            self.check_node(node)
        self.check_rules()
        self.check_workflow_settings()
        return _sorted(self.findings)

    # -- 1, 2: start, reachability ------------------------------------------------------
    def check_start(self) -> None:
        if len(self.starts) == 1:
            return
        self.add(
            "start_count",
            "The workflow has no start step: add one, connected to the first step."
            if not self.starts
            else f"The workflow has {len(self.starts)} start steps "
            f"({_names([_node_name(n) for n in self.starts])}): keep exactly one.",
            [n.id for n in self.starts],
            path=self.prefix,
        )

    def check_reachability(self) -> None:
        if not self.starts:
            return
        reachable = {n.id for n in self.starts}
        queue = deque(reachable)
        while queue:
            for target in self.succ[queue.popleft()]:
                if target not in reachable:
                    reachable.add(target)
                    queue.append(target)
        self.reachable = reachable
        ends = [n for n in self.workflow.nodes if self.kind(n) in ("end", "terminate")]
        finishing = set(ends)
        queue = deque(ends)
        while queue:
            for source in self.pred[queue.popleft()]:
                if source not in finishing:
                    finishing.add(source)
                    queue.append(source)
        for node_id in self.workflow.nodes:
            if node_id not in reachable:
                self.add(
                    "unreachable",
                    f"No path from the start leads to {self.name(node_id)}, so it never "
                    "happens. Connect a way into it, or delete it.",
                    [node_id],
                )
            elif node_id not in finishing:
                if not self.succ[node_id]:
                    message = (
                        f"{self.name(node_id)} has no way out, so a case that gets there "
                        "can never finish. Connect it to the next step or to an end."
                    )
                else:
                    message = (
                        f"From {self.name(node_id)} the case can never reach an end: every "
                        "way from there goes round in circles or stops. Add a way out "
                        "that leads to an end."
                    )
                self.add("no_way_to_end", message, [node_id])

    # -- 3: forks and joins -------------------------------------------------------------
    def check_forks(self) -> None:
        if not self.starts:
            return
        forks = self.forks
        self.explore_forks(forks)
        if not forks.complete:
            self.add(
                "analysis_incomplete",
                "This workflow has too many intertwined parallel branches for the join "
                "check to finish; the joins were not checked. Simplify the branches.",
                path=self.prefix,
                severity=WARNING,
            )
            return
        self.report_reentries(forks)
        self.report_arrivals(forks)
        self.report_consumers(forks)
        self.check_fork_levels(forks)

    def explore_forks(self, forks: _Forks) -> None:
        stacks = forks.stacks
        limit = 20000 + 50 * len(self.workflow.nodes)
        seen: set[State] = set()
        queue: deque[State] = deque()
        for start in self.starts:
            state = (start.id, 0)
            seen.add(state)
            queue.append(state)
        while queue:
            state = queue.popleft()
            forks.states.append(state)
            node_id, stack = state
            kind = self.kind(node_id)
            if kind in ("end", "terminate") or state in forks.stops:
                next_stack = None
            elif kind == "split":
                next_stack = stacks.push(stack, node_id)
            elif kind == "join":
                top = stacks.top[stack]
                if top is not None:
                    forks.consumers.setdefault(top, {})[node_id] = None
                next_stack = stacks.pop(stack)
            else:
                next_stack = stack
            successors: list[State] = []
            if next_stack is not None:
                for target in self.succ[node_id]:
                    target_kind = self.kind(target)
                    if target_kind == "join":
                        by_top = forks.arrivals.setdefault(target, {})
                        by_top.setdefault(stacks.top[next_stack], {})[node_id] = None
                    successor = (target, next_stack)
                    if target_kind == "split" and stacks.contains(next_stack, target):
                        forks.reentries.setdefault(target, {})[node_id] = None
                        forks.stops.add(successor)
                    successors.append(successor)
                    if successor not in seen:
                        if len(seen) >= limit:
                            forks.complete = False
                            return
                        seen.add(successor)
                        queue.append(successor)
            forks.successors[state] = successors

    def report_reentries(self, forks: _Forks) -> None:
        for split, sources in forks.reentries.items():
            self.add(
                "join_deadlock",
                f"A branch started by {self.name(split)} leads back to it (from "
                f"{_names([self.name(s) for s in sources])}) before the branches are "
                "joined: every time round, all the branches start again while the old ones "
                "are still waiting. Join the branches first, then loop back.",
                [split, *sources],
                reason="back_to_split",
            )

    def report_arrivals(self, forks: _Forks) -> None:
        for join, by_top in forks.arrivals.items():
            if join not in self.reachable:
                continue
            if set(by_top) == {None}:
                self.add(
                    "join_without_split",
                    f"{self.name(join)} joins branches, but no parallel or inclusive split "
                    "comes before it, so it waits for nothing and every case just goes "
                    "through. Delete it, or add the split whose branches it should join.",
                    [join],
                    severity=WARNING,
                )
                continue
            if len(by_top) < 2:
                continue
            parts = []
            involved: list[str] = [join]
            for top, sources in by_top.items():
                source_names = _names([self.name(s) for s in sources])
                if top is None:
                    parts.append(f"a path from {source_names} that no split started")
                else:
                    parts.append(f"the branches of {self.name(top)} (from {source_names})")
                    involved.append(top)
                involved.extend(sources)
            unforked = None in by_top
            advice = (
                "A join may only be reached by the branches of one split: route the other "
                "way in after the join, or through the split."
                if unforked
                else "Give each split its own join, and join the inner branches before "
                "joining the outer ones."
            )
            self.add(
                "join_deadlock",
                f"{self.name(join)} is reached by {_names(parts)}. It cannot tell which "
                "branches to wait for, so it may wait forever or let a branch through "
                f"without waiting. {advice}",
                involved,
                reason="unforked_arrival" if unforked else "several_splits",
            )

    def report_consumers(self, forks: _Forks) -> None:
        for split, joins in forks.consumers.items():
            if len(joins) < 2:
                continue
            join_names = _names([self.name(j) for j in joins])
            self.add(
                "join_deadlock",
                f"The branches started by {self.name(split)} meet at different joins "
                f"({join_names}). Each join waits for every branch of the split, so one "
                "waits for branches that went to the other, and the steps after one of "
                "them never happen. Bring all the branches to one join (a branch may also "
                "end on its own).",
                [split, *joins],
                reason="several_joins",
            )

    def check_fork_levels(self, forks: _Forks) -> None:
        stacks = forks.stacks
        by_stack: dict[int, list[State]] = {}
        # Predecessors within a level. A nested fork is summarised by its split: the split
        # state leads to wherever the joins of its fork lead (the survivor goes on there),
        # so each level is walked once and the whole check is linear.
        local_predecessors: dict[State, list[State]] = {}
        summary_predecessors: dict[State, list[State]] = {}
        for state in forks.states:
            by_stack.setdefault(state[1], []).append(state)
            stack = state[1]
            for successor in forks.successors.get(state, []):
                if successor[1] == stack:
                    local_predecessors.setdefault(successor, []).append(state)
                elif stack and successor[1] == stacks.parent[stack]:
                    opener = (stacks.top[stack] or "", successor[1])
                    summary_predecessors.setdefault(successor, []).append(opener)

        def closure(targets: Iterable[State], *, wait_free: bool = False) -> set[State]:
            """States of the level that can reach ``targets``; with ``wait_free``, without
            passing a node that waits, nor a nested fork that cannot complete without."""
            found = set(targets)
            queue = deque(found)
            while queue:
                state = queue.popleft()
                for previous in local_predecessors.get(state, []):
                    if previous not in found and not (wait_free and self.real_wait(previous)):
                        found.add(previous)
                        queue.append(previous)
                for previous in summary_predecessors.get(state, []):
                    if previous not in found and (not wait_free or previous in self.wait_free):
                        found.add(previous)
                        queue.append(previous)
            return found

        # Deepest fork levels first: whether a nested split's branches can all end is
        # known before the level of the split itself is looked at.
        ending: set[State] = set()  # can end its part in the fork of its own level
        arriving: set[State] = set()  # can end it, or arrive at a join of that fork
        terminating: set[State] = set()  # splits from whose branches a terminate is reachable
        quick_ending: set[State] = set()  # can end its part without anything waiting
        for stack in sorted(by_stack, key=lambda s: -stacks.depth[s]):
            if stack == 0:
                continue
            level = by_stack[stack]
            if any(self.kind(s[0]) == "terminate" or s in terminating for s in level):
                terminating.add((stacks.top[stack] or "", stacks.parent[stack]))
            ends = [
                s
                for s in level
                if self.kind(s[0]) in ("end", "terminate")
                or s in forks.stops
                or s in terminating
                or self.branches_end(s, forks, ending)
            ]
            ending |= closure(ends)
            join_states = [s for s in level if self.kind(s[0]) == "join"]
            arriving |= closure([*ends, *join_states])
            # Whether the fork of this level can complete within one event (nothing waits):
            # then its joins do not stop a loop (see check_cycles).
            quick_ends = [
                s
                for s in level
                if self.kind(s[0]) in ("end", "terminate")
                or s in forks.stops
                or self.branches_end(s, forks, quick_ending)
            ]
            quick_ending |= closure(quick_ends, wait_free=True)
            quick = closure([*quick_ends, *join_states], wait_free=True)
            opener = (stacks.top[stack] or "", stacks.parent[stack])
            branches = forks.successors.get(opener, [])
            if branches and self.workflow.nodes[opener[0]].type == "inclusive":
                completes = any(b in quick for b in branches)
            else:
                completes = bool(branches) and all(b in quick for b in branches)
            if completes:
                self.wait_free.add(opener)
                self.passing_joins.update(s[0] for s in join_states)

        stuck: dict[str, dict[str, None]] = {}
        for stack, level in by_stack.items():
            top = stacks.top[stack]
            if top is None or not forks.consumers.get(top):
                continue  # no join waits for this fork
            for state in level:
                if state not in arriving:
                    stuck.setdefault(top, {})[state[0]] = None
        for split, stuck_nodes in stuck.items():
            joins = list(forks.consumers[split])
            join_names = _names([self.name(j) for j in joins])
            first = [n for n in stuck_nodes if split in self.pred[n]] or list(stuck_nodes)
            self.add(
                "join_deadlock",
                f"The branch of {self.name(split)} through "
                f"{_names([self.name(n) for n in first])} can never arrive at {join_names} "
                f"nor end (it goes round without a way out), so {join_names} waits "
                "forever. Give the branch a way to the join or to an end.",
                [*joins, split, *first],
                reason="branch_never_arrives",
            )

    def real_wait(self, state: State) -> bool:
        """Whether a token stops at this state's node until an event (not a join)."""
        node_type = self.types[state[0]]
        return node_type is not None and node_type.waits and self.kind(state[0]) != "join"

    def branches_end(self, state: State, forks: _Forks, ending: set[State]) -> bool:
        """Whether ``state`` is a split whose branches can all end (an inclusive split may
        start one branch alone): then its own branch of the enclosing fork ends too."""
        successors = forks.successors.get(state)
        if self.kind(state[0]) != "split" or not successors:
            return False
        if self.workflow.nodes[state[0]].type == "inclusive":
            return any(s in ending for s in successors)
        return all(s in ending for s in successors)

    # -- 8: cycles without waiting ------------------------------------------------------
    def check_cycles(self) -> None:
        passing_joins = self.passing_joins | {
            join for join, by_top in self.forks.arrivals.items() if set(by_top) == {None}
        }

        def stops_here(node_id: str) -> bool:
            node_type = self.types[node_id]
            if node_id in passing_joins:
                return False
            return node_type is not None and node_type.waits

        candidates = [n for n in self.workflow.nodes if n in self.reachable and not stops_here(n)]
        allowed = set(candidates)
        for component in _strongly_connected(candidates, self.succ, allowed):
            if len(component) == 1 and component[0] not in self.succ[component[0]]:
                continue
            members = set(component)
            ordered = [n for n in self.workflow.nodes if n in members]
            written: set[str] = set()
            for node_id in ordered:
                written.update(self.node_rules(node_id)[1])
            read: set[str] = set()
            for transition in self.workflow.transitions:
                if transition.source in members and transition.condition is not None:
                    read.update(self.rule_fields(transition.condition))
            loop = _names([self.name(n) for n in ordered], limit=6)
            counters = sorted(written & read)
            if counters:
                self.add(
                    "cycle_without_wait",
                    f"The steps {loop} form a loop in which nothing waits for a person, a "
                    "timer or a message. It only stops if the changes to "
                    f"{', '.join(repr(c) for c in counters)} eventually lead out of it; "
                    f"the engine stops a case after {MAX_STEPS} steps without waiting. "
                    "Make sure the loop ends, or add a task or a timer to it.",
                    ordered,
                    severity=WARNING,
                )
            else:
                self.add(
                    "cycle_without_wait",
                    f"The steps {loop} form a loop in which nothing waits for a person, a "
                    "timer or a message, and nothing in it changes the conditions: a case "
                    "that enters it goes round forever. Add a task or a timer to the loop, "
                    "or a way out of it.",
                    ordered,
                )

    def node_rules(self, node_id: str) -> tuple[list[tuple[str, Any]], list[str]]:
        """The node type's rules and edited fields of a node ([] for a broken draft)."""
        node_type = self.types[node_id]
        node = self.workflow.nodes[node_id]
        if node_type is None:
            return [], []
        try:
            return list(node_type.rules(node)), list(node_type.edited_fields(node))
        except (KeyError, TypeError, AttributeError, IndexError):
            return [], []  # a draft with a broken config: validate_bundle reports it

    def rule_fields(self, rule: Any) -> set[str]:
        if rules.check(rule):
            return set()
        return {path.split(".", 1)[0] for path in rules.compile(rule).reads() if path}

    # -- per node: 4, 5, 7, 9, 11 -------------------------------------------------------
    def check_node(self, node: NodeDef) -> None:
        config = node.config
        if node.type in DECISION_TYPES or node.type in CHOOSING_TYPES:
            self.check_default(node)
        if node.type in TASK_TYPES:
            self.check_assignment(node)
            self.check_task_extras(node)
            deadline = config.get("deadline")
            if deadline is not None:
                self.check_deadline(deadline, [node.id], f"{self.prefix}/nodes/{node.id}", node)
        if node.type == "timer" and "duration" in config:
            self.check_duration(config["duration"], "the waiting time", node)
        if node.type == "receive":
            timeout = config.get("timeout")
            if isinstance(timeout, dict) and "duration" in timeout:
                self.check_duration(timeout["duration"], "the time to wait for the message", node)
        if node.type in STARTING_TYPES:
            self.check_started_workflow(node)
        if node.type == "notify":
            self.check_recipient(config.get("to"), node, "its recipient")

    def check_default(self, node: NodeDef) -> None:
        outgoing = [
            t
            for t in self.workflow.outgoing(node.id)
            if not t.timeout and t.action is None and t.target in self.workflow.nodes
        ]
        if node.type in CHOOSING_TYPES and (
            not outgoing or (len(outgoing) == 1 and outgoing[0].condition is None)
        ):
            return
        defaults = [t for t in outgoing if t.default]
        if len(defaults) == 1:
            return
        if not defaults:
            message = (
                f"{self.name(node.id)} chooses its way out by conditions but has no default "
                "way out: when no condition holds, the case stops with an error. Mark one "
                "way out as the default."
            )
        else:
            message = (
                f"{self.name(node.id)} has {len(defaults)} default ways out "
                f"(to {_names([self.name(t.target) for t in defaults])}); only one can be "
                "the default."
            )
        self.add(
            "decision_without_default",
            message,
            [node.id, *(t.target for t in defaults)],
            defaults=len(defaults),
        )

    def check_assignment(self, node: NodeDef) -> None:
        assignment = node.config.get("assignment")

        def present(key: str) -> bool:
            value = assignment.get(key) if isinstance(assignment, dict) else None
            if isinstance(value, str):
                return bool(value.strip())
            return value is not None and value != {} and value is not False

        if isinstance(assignment, dict):
            has_role = present("role")
            if (
                (present("agency") and has_role)
                or (present("agency_rule") and has_role)
                or present("user")
                or present("user_rule")
                or assignment.get("submitter") is True
            ):
                return
            if (present("agency") or present("agency_rule")) and not has_role:
                self.add(
                    "task_without_assignment",
                    f"The task {self.name(node.id)} names an agency but no role: choose the "
                    "role (e.g. officer, leader) of the people in that agency who do it.",
                    [node.id],
                )
                return
        self.add(
            "task_without_assignment",
            f"The task {self.name(node.id)} is not assigned to anyone. Choose an agency and "
            "a role, a person, or the citizen who submitted the case.",
            [node.id],
        )

    def check_task_extras(self, node: NodeDef) -> None:
        actions = node.config.get("actions")
        action_keys = []
        if isinstance(actions, list):
            action_keys = [a.get("key") for a in actions if isinstance(a, dict)]
        deadline = node.config.get("deadline")
        escalation = deadline.get("escalation") if isinstance(deadline, dict) else None
        if isinstance(escalation, dict):
            action = escalation.get("action")
            if action is not None and action not in action_keys:
                self.add(
                    "escalation_action_unknown",
                    f"When the deadline of {self.name(node.id)} passes, the task is to be "
                    f"completed with the action {action!r}, which the task does not have "
                    f"(its actions: {', '.join(str(k) for k in action_keys) or 'none'}). "
                    "Choose one of its actions.",
                    [node.id],
                    action=action,
                )
            notify = escalation.get("notify")
            if isinstance(notify, dict):
                self.check_recipient(
                    notify.get("to"), node, "the notification sent when it is overdue"
                )
        if isinstance(deadline, dict) and isinstance(deadline.get("reminder_notify"), dict):
            self.check_recipient(
                deadline["reminder_notify"].get("to"), node, "its reminder notification"
            )
        guards = node.config.get("guards")
        earlier = guards.get("not_actors_of") if isinstance(guards, dict) else None
        if isinstance(earlier, list):
            for other in earlier:
                target = self.workflow.nodes.get(other) if isinstance(other, str) else None
                if target is None or target.type not in TASK_TYPES:
                    self.add(
                        "guard_unknown_task",
                        f"The task {self.name(node.id)} may not be done by whoever did "
                        f"{other!r}, but {other!r} is not a task of this workflow, so this "
                        "rule does nothing. Choose one of the tasks.",
                        [node.id],
                        guard=other,
                    )

    def check_recipient(self, recipient: Any, node: NodeDef | None, what: str) -> None:
        if not isinstance(recipient, dict) or self.entity is None:
            return
        for key in ("email_field", "phone_field"):
            field_key = recipient.get(key)
            if not isinstance(field_key, str):
                continue
            where = f"{what} of {self.name(node.id)}" if node else f"{what} of the workflow"
            where = where[:1].upper() + where[1:]
            field_def = self.fields.get(field_key)
            if field_def is None:
                self.add(
                    "unknown_field",
                    f"{where} is sent to the "
                    f"{'e-mail address' if key == 'email_field' else 'phone number'} in "
                    f"the field {field_key!r}, which the record does not have.",
                    [node.id] if node else [],
                    path=None if node else f"{self.prefix}/deadline",
                    field=field_key,
                )
            elif FIELD_KINDS.get(field_def.type) != "string":
                self.add(
                    "type_mismatch",
                    f"{where} is sent to the field {_field_name(field_def)}, which is "
                    f"{_FIELD_WORDS.get(field_def.type, 'not a text')}, not a text holding "
                    "an address or a phone number.",
                    [node.id] if node else [],
                    path=None if node else f"{self.prefix}/deadline",
                    severity=WARNING,
                    field=field_key,
                )

    def check_started_workflow(self, node: NodeDef) -> None:
        config = node.config
        workflow_key = config.get("workflow")
        app = config.get("app")
        same_app = app is None or (self.app_key is not None and app == self.app_key)
        if node.type == "create_record" and same_app and self.known_entities is not None:
            entity_key = config.get("entity")
            if isinstance(entity_key, str) and entity_key not in self.known_entities:
                self.add(
                    "unknown_entity",
                    f"{self.name(node.id)} creates a record of kind {entity_key!r}, which "
                    "this app does not have. Choose one of: "
                    f"{', '.join(sorted(self.known_entities)) or '(none)'}.",
                    [node.id],
                    entity=entity_key,
                )
        if not isinstance(workflow_key, str) or not (app is None or isinstance(app, str)):
            return  # a broken draft: validate_bundle reports it
        if same_app:
            if workflow_key == self.workflow.key:
                self.add(
                    "starts_itself",
                    f"{self.name(node.id)} starts another case of this same workflow, which "
                    "will do the same again: make sure this only happens under a condition.",
                    [node.id],
                    severity=WARNING,
                    workflow=workflow_key,
                )
            elif self.known_workflows is not None and workflow_key not in self.known_workflows:
                self.add(
                    "unknown_workflow",
                    f"{self.name(node.id)} starts the workflow {workflow_key!r}, which this "
                    "app does not have. Choose one of: "
                    f"{', '.join(sorted(self.known_workflows)) or '(none)'}.",
                    [node.id],
                    workflow=workflow_key,
                )
            return
        if self.known_apps is None:
            self.add(
                "unverified_workflow",
                f"{self.name(node.id)} starts the workflow {workflow_key!r} of the app "
                f"{app!r}, which cannot be checked here. Make sure it exists and is "
                "published before this workflow runs.",
                [node.id],
                severity=WARNING,
                workflow=workflow_key,
                app=app,
            )
        elif app not in self.known_apps:
            self.add(
                "unknown_workflow",
                f"{self.name(node.id)} starts a workflow of the app {app!r}, which does not exist.",
                [node.id],
                workflow=workflow_key,
                app=app,
            )
        elif workflow_key not in self.known_apps[app]:
            self.add(
                "unknown_workflow",
                f"{self.name(node.id)} starts the workflow {workflow_key!r} of the app "
                f"{app!r}, which has no such workflow. Choose one of: "
                f"{', '.join(sorted(self.known_apps[app])) or '(none)'}.",
                [node.id],
                workflow=workflow_key,
                app=app,
            )

    # -- 7: durations -------------------------------------------------------------------
    def parse_duration(
        self, text: Any, what: str, node_ids: list[str], path: str | None
    ) -> Duration | None:
        try:
            duration = Duration.parse(text)
        except ValueError as error:
            reason = error.reason if isinstance(error, DurationError) else str(error)
            self.add(
                "invalid_duration",
                f"{what[:1].upper()}{what[1:]} is {text!r}, which is not a duration LCNC "
                f"can use: {reason}.",
                node_ids,
                path=path,
                duration=text if isinstance(text, str) else repr(text),
            )
            return None
        if duration.total_seconds() == 0:
            self.add(
                "zero_duration",
                f"{what[:1].upper()}{what[1:]} is {text!r}, zero: the time is up at once. "
                "Enter the time it should last.",
                node_ids,
                path=path,
                severity=WARNING,
                duration=text,
            )
        return duration

    def check_duration(self, text: Any, what: str, node: NodeDef) -> None:
        self.parse_duration(text, f"{what} of {self.name(node.id)}", [node.id], None)

    def check_deadline(
        self, deadline: Any, node_ids: list[str], path: str, node: NodeDef | None
    ) -> None:
        owner = f"the deadline of {self.name(node.id)}" if node else "the deadline of the case"
        if not isinstance(deadline, dict):
            return
        explicit_path = None if node else path
        total = self.parse_duration(deadline.get("duration"), owner, node_ids, explicit_path)
        reminders = deadline.get("reminders")
        if not isinstance(reminders, list):
            return
        working = bool(deadline.get("working_days", False))
        day_seconds = _office_seconds(self.workflow.calendar) if working else 86400
        for text in reminders:
            reminder = self.parse_duration(
                text, f"a reminder before {owner}", node_ids, explicit_path
            )
            if reminder is None or total is None:
                continue
            mixed = (reminder.days and total.time_seconds()) or (
                reminder.time_seconds() and total.days
            )
            if working and mixed:
                continue  # a working day is not a fixed number of hours: cannot compare
            before = _duration_seconds(reminder, day_seconds)
            length = _duration_seconds(total, day_seconds)
            if before > length or (before == length and not working):
                self.add(
                    "reminder_too_long",
                    f"The reminder {text!r} before {owner} ({deadline.get('duration')!r}) "
                    "would come before the time even starts, so it is never sent. Use a "
                    "shorter reminder.",
                    node_ids,
                    path=explicit_path,
                    severity=WARNING,
                    reminder=text,
                )

    # -- 10 and the workflow's own settings ---------------------------------------------
    def check_workflow_settings(self) -> None:
        try:
            calendar_named(self.workflow.calendar)
        except (KeyError, ValueError):
            self.add(
                "unknown_calendar",
                f"The workflow counts working days with the calendar "
                f"{self.workflow.calendar!r}, which does not exist. Use 'vn' (Vietnamese "
                "public service hours and holidays) or 'calendar' (every day, round the "
                "clock).",
                path=f"{self.prefix}/calendar",
                calendar=self.workflow.calendar,
            )
        deadline = self.workflow.deadline
        if deadline is not None:
            path = f"{self.prefix}/deadline"
            self.check_deadline(deadline, [], path, None)
            if isinstance(deadline, dict):
                reminder = deadline.get("reminder_notify")
                if isinstance(reminder, dict):
                    self.check_recipient(reminder.get("to"), None, "the reminder notification")
                escalation = deadline.get("escalation")
                if isinstance(escalation, dict) and isinstance(escalation.get("notify"), dict):
                    self.check_recipient(
                        escalation["notify"].get("to"), None, "the overdue notification"
                    )

    # -- 6: rules and fields ------------------------------------------------------------
    def check_rules(self) -> None:
        for index, transition in enumerate(self.workflow.transitions):
            if transition.condition is None:
                continue
            where = (
                f"The condition of the way from {self.name(transition.source)} to "
                f"{self.name(transition.target)}"
            )
            self.check_rule(
                transition.condition,
                where,
                [transition.source, transition.target],
                f"{self.prefix}/transitions/{index}/condition",
                {"transition": index},
            )
        for node in self.workflow.nodes.values():
            node_rules, edited = self.node_rules(node.id)
            for rule_where, rule in node_rules:
                self.check_rule(
                    rule,
                    _rule_place(rule_where, self.name(node.id)),
                    [node.id],
                    None,
                    {"rule": rule_where},
                )
            self.check_edited(node, edited)

    def check_edited(self, node: NodeDef, edited: list[str]) -> None:
        if self.entity is None:
            return
        for key in dict.fromkeys(edited):
            if not isinstance(key, str) or key in self.fields:
                continue
            self.add(
                "unknown_field",
                f"{self.name(node.id)} changes the field {key!r}, which the record does not "
                "have. Choose one of its fields, or add the field to the record.",
                [node.id],
                field=key,
            )
        mapping: Any = None
        if node.type == "set_fields":
            mapping = node.config.get("set")
        elif node.type == "subprocess":
            mapping = node.config.get("output")
        if not isinstance(mapping, dict):
            return
        for key, value in mapping.items():
            field_def = self.fields.get(key)
            if field_def is None or value is None or not _is_literal(value):
                continue
            where = f"{self.name(node.id)} sets {_field_name(field_def)} to"
            self.check_value(field_def, "==", value, where, [node.id], None, setting=True)

    def check_rule(
        self,
        rule: Any,
        where: str,
        node_ids: list[str],
        path: str | None,
        params: dict[str, Any],
    ) -> None:
        problems = rules.check(rule)
        if problems:
            self.add(
                "rule_invalid",
                f"{where} cannot be read: {problems[0].message}",
                node_ids,
                path=path,
                **params,
            )
            return
        if self.entity is None:
            return
        for read in rules.compile(rule).reads():
            top = read.split(".", 1)[0]
            if top and top not in self.fields and top not in CONTEXT_VARIABLES:
                self.add(
                    "unknown_field",
                    f"{where} reads the field {top!r}, which the record does not have. "
                    "Choose one of its fields, or add the field to the record.",
                    node_ids,
                    path=path,
                    field=top,
                    **params,
                )
            group = self.fields.get(top)
            step = read.split(".")[1:2]
            if group is not None and group.type == "group" and step and not step[0].isdigit():
                self.add(
                    "group_path",
                    f"{where} reads {read!r}, but {_field_name(group)} is a list of rows: "
                    f"{read!r} is always empty. Say which rows: e.g. "
                    f'{{"some": [{{"var": "{top}"}}, …]}} over every row, or '
                    f"{top}.0.{step[0]} for the first one.",
                    node_ids,
                    path=path,
                    severity=WARNING,
                    field=top,
                    **params,
                )
        for operator, arguments in _comparisons(rule):
            self.check_comparison(operator, arguments, where, node_ids, path, params)

    def field_of(self, value: Any) -> FieldDef | None:
        path = _var_path(value)
        return self.fields.get(path) if path is not None else None

    def check_comparison(
        self,
        operator: str,
        arguments: list[Any],
        where: str,
        node_ids: list[str],
        path: str | None,
        params: dict[str, Any],
    ) -> None:
        if operator == "in":
            if len(arguments) == 2:
                self.check_in(arguments[0], arguments[1], where, node_ids, path, params)
            return
        if operator in _EQUALITY and len(arguments) != 2:
            return
        if operator in _ORDER and len(arguments) not in (2, 3):
            return
        known = [f for f in (self.field_of(a) for a in arguments) if f is not None]
        literals = [a for a in arguments if a is not None and _is_literal(a)]
        text = f"{where} compares"
        for field_def in known:
            for literal in literals:
                self.check_value(field_def, operator, literal, text, node_ids, path, **params)
        if len(known) == 2 and len(arguments) == 2:
            first, second = known
            kinds = (FIELD_KINDS.get(first.type), FIELD_KINDS.get(second.type))
            if None not in kinds and kinds[0] != kinds[1]:
                self.add(
                    "type_mismatch",
                    f"{text} {_field_name(first)}, which is "
                    f"{_FIELD_WORDS.get(first.type, first.type)}, with {_field_name(second)}, "
                    f"which is {_FIELD_WORDS.get(second.type, second.type)}: they are never "
                    "equal in the way you expect. Compare fields of the same kind.",
                    node_ids,
                    path=path,
                    severity=WARNING,
                    field=first.key,
                    other_field=second.key,
                    **params,
                )

    def check_value(
        self,
        field_def: FieldDef,
        operator: str,
        value: Any,
        text: str,
        node_ids: list[str],
        path: str | None,
        *,
        setting: bool = False,
        **params: Any,
    ) -> None:
        """``value`` (a literal) against ``field_def`` under ``operator``."""
        kind = FIELD_KINDS.get(field_def.type)
        literal_kind = _literal_kind(value)
        if kind is None or literal_kind is None:
            return
        subject = (
            f"{text} {_describe_literal(value)}"
            if setting
            else f"{text} {_field_name(field_def)}, which is "
            f"{_FIELD_WORDS.get(field_def.type, field_def.type)}, with "
            f"{_describe_literal(value)}"
        )
        common = {"field": field_def.key, "value": value, **params}
        problem: str | None = None
        if operator in _ORDER:
            if field_def.type == "number":
                if literal_kind != "number":
                    problem = _fix_hint(value, "number")
            elif field_def.type == "date":
                if literal_kind != "string" or not _ISO_DATE.fullmatch(str(value)):
                    problem = 'Write a date as text in the form YYYY-MM-DD (e.g. "2026-05-01").'
            elif field_def.type in ("text", "long_text"):
                if literal_kind != "string":
                    problem = 'Compare a text with a text (in quotes, e.g. "3").'
            else:
                problem = (
                    f"'{operator}' orders numbers and dates; it has no meaning for "
                    f"{_FIELD_WORDS.get(field_def.type, field_def.type)}. Use == or 'in'."
                )
        elif kind in ("list", "object") and setting:
            problem = f"It holds {_FIELD_WORDS.get(field_def.type, 'a list')}, not one value."
        elif kind in ("list", "object"):
            problem = (
                f"{_FIELD_WORDS.get(field_def.type, 'it').capitalize()} is never equal to "
                "a single value. To test whether it contains a value, use 'in' with the "
                "value first."
                if kind == "list"
                else "A place on the map is never equal to a single value."
            )
        elif literal_kind != kind:
            problem = _fix_hint(value, kind, field_def)
        if problem is not None:
            self.add(
                "type_mismatch",
                f"{subject}. {problem}"
                if setting
                else f"{subject}: they never match the way you expect. {problem}",
                node_ids,
                path=path,
                severity=WARNING,
                **common,
            )
            return
        if field_def.type == "choice" and field_def.options and isinstance(value, str):
            self.check_option(field_def, value, subject, node_ids, path, common)

    def check_option(
        self,
        field_def: FieldDef,
        value: str,
        subject: str,
        node_ids: list[str],
        path: str | None,
        common: dict[str, Any],
    ) -> None:
        options = field_def.option_values()
        if value in options:
            return
        self.add(
            "unknown_option",
            f"{subject}, but {value!r} is not one of the options of "
            f"{_field_name(field_def)} ({', '.join(options)}), so this can never match. "
            "Use one of the options.",
            node_ids,
            path=path,
            options=options,
            **common,
        )

    def check_in(
        self,
        needle: Any,
        haystack: Any,
        where: str,
        node_ids: list[str],
        path: str | None,
        params: dict[str, Any],
    ) -> None:
        needle_field = self.field_of(needle)
        haystack_field = self.field_of(haystack)
        text = f"{where} compares"
        if needle_field is not None and isinstance(haystack, list):
            kind = FIELD_KINDS.get(needle_field.type)
            if kind in ("list", "object"):
                self.add(
                    "type_mismatch",
                    f"{where} looks for {_field_name(needle_field)}, which is "
                    f"{_FIELD_WORDS.get(needle_field.type, needle_field.type)}, in a list of "
                    "values: it is never found. To test whether it contains a value, write "
                    "the value first and the field second.",
                    node_ids,
                    path=path,
                    severity=WARNING,
                    field=needle_field.key,
                    **params,
                )
                return
            for value in haystack:
                if value is not None and _is_literal(value):
                    self.check_value(needle_field, "==", value, text, node_ids, path, **params)
            return
        if haystack_field is None or needle is None or not _is_literal(needle):
            return
        kind = FIELD_KINDS.get(haystack_field.type)
        literal_kind = _literal_kind(needle)
        subject = (
            f"{where} looks for {_describe_literal(needle)} in "
            f"{_field_name(haystack_field)}, which is "
            f"{_FIELD_WORDS.get(haystack_field.type, haystack_field.type)}"
        )
        common = {"field": haystack_field.key, "value": needle, **params}
        if kind == "list" and haystack_field.type == "multi_choice":
            if literal_kind != "string":
                problem = "Its values are texts: write the value in quotes."
            else:
                if haystack_field.options:
                    self.check_option(haystack_field, needle, subject, node_ids, path, common)
                return
        elif kind == "list":
            return  # lists of files: nothing sensible to compare, nothing to say
        elif kind == "string" and haystack_field.type in ("text", "long_text"):
            if literal_kind == "string":
                return
            problem = 'Look for a text in a text (in quotes, e.g. "3").'
        else:
            problem = "'in' looks for a value in a list or a piece of text in a text."
        self.add(
            "type_mismatch",
            f"{subject}: it is never found the way you expect. {problem}",
            node_ids,
            path=path,
            severity=WARNING,
            **common,
        )


def _fix_hint(value: Any, kind: str, field_def: FieldDef | None = None) -> str:
    if kind == "number":
        if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
            return f"Write {value.strip()} without quotes."
        return "Use a number (without quotes)."
    if kind == "boolean":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return f"Write {value.strip().lower()} without quotes."
        return "Use true or false (without quotes)."
    if field_def is not None and field_def.type == "choice" and field_def.options:
        return f"Use one of its options, in quotes: {', '.join(field_def.option_values())}."
    if isinstance(value, bool):
        return f'Write it as text, in quotes: "{str(value).lower()}".'
    return f'Write it as text, in quotes: "{value}".'


def _rule_place(where: str, node_name: str) -> str:
    """Readable name of the rule at ``where`` (from NodeType.rules) in a node."""
    head, _, rest = where.partition("/")
    if where == "assignment/agency_rule":
        return f"The rule choosing the agency of {node_name}"
    if where == "assignment/user_rule":
        return f"The rule choosing the person for {node_name}"
    if where == "items":
        return f"The rule listing the items of {node_name}"
    if where == "completion/rule":
        return f"The completion rule of {node_name}"
    if where == "until":
        return f"The rule giving the end of the wait of {node_name}"
    if where == "correlation":
        return f"The rule matching the message of {node_name}"
    if head == "set" and rest:
        return f"The value {node_name} computes for {rest!r}"
    if head in ("input", "data", "payload") and rest:
        return f"The value of {rest!r} that {node_name} sends"
    if head == "output" and rest:
        return f"The value {node_name} takes back into {rest!r}"
    return f"The rule {where!r} of {node_name}"


def _strongly_connected(
    order: list[str], successors: dict[str, list[str]], allowed: set[str]
) -> Iterator[list[str]]:
    """Tarjan's strongly connected components of the graph restricted to ``allowed``
    (iterative, linear)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    counter = 0
    for root in order:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, position = work[-1]
            targets = successors[node]
            while position < len(targets) and targets[position] not in allowed:
                position += 1
            if position < len(targets):
                work[-1] = (node, position + 1)
                target = targets[position]
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                yield component
