"""Definitions: validation against the JSON Schemas, cross-checks, and parsing into
frozen dataclasses the engine and the Django apps work with.

Every document carries ``schema_version`` (bundles: ``format_version``); :func:`upgrade`
brings older documents to the current version before anything else reads them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import nodes, rules
from . import schema as schemas
from .errors import DefinitionInvalid, Finding

SCHEMA_VERSION = 1
BUNDLE_FORMAT_VERSION = 1
Label = dict[str, str]
DOCUMENT_KINDS = ("entity", "form", "workflow", "test")
#: Names rules may read besides the entity's fields: the item of a multi-instance task,
#: the tally of its results, a sub-process's outcome and data.
KEY_PATTERN = "^[a-z][a-z0-9_]{0,62}$"
CONTEXT_VARIABLES = frozenset({"_item", "_results", "_outcome", "_child"})
#: Rows a ``group`` field takes when its definition does not say (``max_items``).
GROUP_MAX_ITEMS = 10
PLURAL = {"entity": "entities", "form": "forms", "workflow": "workflows", "test": "tests"}
#: Kinds a bundle may leave out (an empty list is the same as none).
OPTIONAL_KINDS = frozenset({"test"})


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Option:
    value: str
    label: Label


@dataclass(frozen=True)
class FieldDef:
    key: str
    type: str
    label: Label
    required: bool = False
    help: Label | None = None
    options: tuple[Option, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)
    #: The fields of one row of a ``group`` field (simple types only); () otherwise.
    fields: tuple[FieldDef, ...] = ()

    def option_values(self) -> list[str]:
        return [option.value for option in self.options]

    def subfield(self, key: str) -> FieldDef | None:
        """The sub-field ``key`` of a group field (None if it has none of that name)."""
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        return None

    @property
    def min_items(self) -> int:
        """A group's fewest rows: ``min_items``, else 1 when required, else 0."""
        return int(self.config.get("min_items", 1 if self.required else 0))

    @property
    def max_items(self) -> int:
        """A group's most rows: ``max_items``, else 10."""
        return int(self.config.get("max_items", GROUP_MAX_ITEMS))


@dataclass(frozen=True)
class EntityDef:
    key: str
    label: Label
    fields: tuple[FieldDef, ...]
    title_field: str | None = None

    def field(self, key: str) -> FieldDef | None:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        return None


@dataclass(frozen=True)
class Validation:
    rule: Any
    message: Label


@dataclass(frozen=True)
class FormFieldDef:
    field: str
    label: Label | None = None
    help: Label | None = None
    widget: str | None = None
    required: bool | None = None
    visible_if: Any = None
    required_if: Any = None
    validations: tuple[Validation, ...] = ()


@dataclass(frozen=True)
class StepDef:
    key: str
    label: Label
    fields: tuple[FormFieldDef, ...]


@dataclass(frozen=True)
class FormDef:
    key: str
    entity: str
    label: Label
    steps: tuple[StepDef, ...]
    audience: str = "public"
    workflow: str | None = None
    description: Label | None = None

    def form_fields(self) -> list[FormFieldDef]:
        return [form_field for step in self.steps for form_field in step.fields]


@dataclass(frozen=True)
class NodeDef:
    id: str
    type: str
    label: Label
    config: dict[str, Any]


@dataclass(frozen=True)
class TransitionDef:
    source: str
    target: str
    action: str | None = None
    condition: Any = None
    default: bool = False
    timeout: bool = False


@dataclass(frozen=True)
class WorkflowDef:
    key: str
    entity: str
    label: Label
    nodes: dict[str, NodeDef]
    transitions: tuple[TransitionDef, ...]
    calendar: str = "vn"
    deadline: dict[str, Any] | None = None
    _outgoing: dict[str, list[TransitionDef]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for transition in self.transitions:
            self._outgoing.setdefault(transition.source, []).append(transition)

    def outgoing(self, node_id: str) -> list[TransitionDef]:
        return self._outgoing.get(node_id, [])

    def incoming(self, node_id: str) -> list[TransitionDef]:
        return [t for t in self.transitions if t.target == node_id]

    def start_node(self) -> NodeDef:
        for node in self.nodes.values():
            if node.type == "start":
                return node
        raise KeyError("workflow has no start node")


@dataclass(frozen=True)
class SavedTestStep:
    """Complete the open task of ``node`` with ``action`` (``data``: fields it changes)."""

    node: str
    action: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SavedTest:
    """A saved test case: start ``workflow`` over ``data``, complete ``steps`` in order,
    then check ``expect`` (``status``, ``end``, ``visits``; each optional)."""

    key: str
    label: Label
    workflow: str
    data: dict[str, Any]
    steps: tuple[SavedTestStep, ...]
    expect: dict[str, Any] = field(default_factory=dict)
    description: Label | None = None


@dataclass(frozen=True)
class AppDef:
    key: str
    label: Label
    entities: dict[str, EntityDef]
    forms: dict[str, FormDef]
    workflows: dict[str, WorkflowDef]
    description: Label | None = None
    tests: dict[str, SavedTest] = field(default_factory=dict)


# --------------------------------------------------------------------------- validation


def _pointer(error: ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path)


def _schema_findings(kind: str, document: Any, prefix: str) -> list[Finding]:
    findings = []
    validator = schemas.validator(kind)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(p for p in (prefix, _pointer(error)) if p)
        findings.append(
            Finding(code="schema", message=_schema_message(error), path=where, params={})
        )
    return findings


def _schema_message(error: ValidationError) -> str:
    """A shorter, plainer message than jsonschema's for the common cases."""
    validator = error.validator
    expected: Any = error.validator_value
    if validator == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        missing = [name for name in expected if name not in present]
        return f"missing required key(s): {', '.join(missing)}"
    if validator == "additionalProperties":
        return error.message.replace("Additional properties", "unknown key(s)")
    if validator == "pattern":
        if expected == KEY_PATTERN:
            return f"{error.instance!r} is not a valid name (lower-case letters, digits, _)"
        if str(expected).startswith("^P"):
            return (
                f"{error.instance!r} is not a duration in weeks, days, hours or minutes "
                "(e.g. P3D, PT4H)"
            )
        return f"{error.instance!r} does not have the expected form"
    if validator == "enum":
        allowed = ", ".join(repr(v) for v in expected)
        return f"{error.instance!r} is not one of {allowed}"
    if validator == "not" and isinstance(expected, dict):
        keys = expected.get("required", [])
        if keys:
            return f"{', '.join(keys)} is not allowed here"
    if validator == "const":
        return f"must be {expected!r}"
    return error.message


@cache
def _node_validator(type_name: str) -> Draft202012Validator:
    node_type = nodes.get(type_name)
    assert node_type is not None
    config_schema = node_type.config_schema
    return schemas.validator_for(
        {
            **config_schema,
            "properties": {
                "id": True,
                "type": True,
                "label": True,
                **config_schema.get("properties", {}),
            },
        }
    )


def _node_findings(document: dict[str, Any], prefix: str) -> list[Finding]:
    findings: list[Finding] = []
    for index, node in enumerate(document.get("nodes", [])):
        if not isinstance(node, dict):
            continue
        node_type = nodes.get(str(node.get("type")))
        where = "/".join(p for p in (prefix, "nodes", str(node.get("id", index))) if p)
        if node_type is None:
            findings.append(
                Finding(
                    code="unknown_node_type",
                    message=f"unknown node type {node.get('type')!r}; known: "
                    + ", ".join(nodes.names()),
                    path=where,
                )
            )
            continue
        for error in _node_validator(node_type.name).iter_errors(node):
            pointer = _pointer(error)
            findings.append(
                Finding(
                    code="schema",
                    message=_schema_message(error),
                    path=f"{where}/{pointer}" if pointer else where,
                )
            )
    return findings


def validate_document(kind: str, document: Any, *, prefix: str = "") -> list[Finding]:
    """Schema problems of one entity/form/workflow document ([] when valid)."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown definition kind {kind!r}")
    findings = _schema_findings(kind, document, prefix)
    if kind == "workflow" and isinstance(document, dict):
        findings.extend(_node_findings(document, prefix))
    return findings


def _duplicates(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dupes: list[str] = []
    for key in keys:
        if key in seen and key not in dupes:
            dupes.append(key)
        seen.add(key)
    return dupes


def _rule_findings(rule: Any, where: str, known_fields: set[str] | None) -> list[Finding]:
    findings = [
        Finding(code="rule_invalid", message=problem.message, path=where)
        for problem in rules.check(rule)
    ]
    if findings or known_fields is None:
        return findings
    for path in rules.compile(rule).reads():
        top = path.split(".", 1)[0]
        if top and top not in known_fields and top not in CONTEXT_VARIABLES:
            findings.append(
                Finding(
                    code="unknown_field",
                    message=f"the rule reads {path!r}, which is not a field of the entity",
                    path=where,
                    params={"field": path},
                )
            )
    return findings


def validate_bundle(bundle: Any) -> list[Finding]:
    """Every problem of an app bundle: schemas first, then cross-references.

    Returns [] when the bundle can be parsed and executed.
    """
    findings = _schema_findings("bundle", bundle, "")
    if findings:
        return findings
    for kind in DOCUMENT_KINDS:
        for document in bundle.get(PLURAL[kind], []):
            prefix = f"{PLURAL[kind]}/{document['key']}"
            if kind == "workflow":
                findings.extend(_node_findings(document, prefix))
        keys = [d["key"] for d in bundle.get(PLURAL[kind], [])]
        for key in _duplicates(keys):
            findings.append(
                Finding(code="duplicate_key", message=f"two {kind} definitions named {key!r}")
            )
    if findings:
        return findings
    entities = {e["key"]: e for e in bundle["entities"]}
    workflow_keys = {w["key"] for w in bundle["workflows"]}
    for entity in bundle["entities"]:
        findings.extend(_entity_findings(entity))
    for form in bundle["forms"]:
        findings.extend(_form_findings(form, entities, workflow_keys))
    for workflow in bundle["workflows"]:
        findings.extend(_workflow_findings(workflow, entities))
    workflows = {w["key"]: w for w in bundle["workflows"]}
    for test in bundle.get("tests", []):
        findings.extend(saved_test_findings(test, workflows, entities))
    return findings


def _is_task(node_type: nodes.NodeType | None) -> bool:
    """Whether a node of this type waits for a person to complete a task."""
    return node_type is not None and type(node_type).on_task is not nodes.NodeType.on_task


def saved_test_findings(
    test: dict[str, Any], workflows: dict[str, Any], entities: dict[str, Any]
) -> list[Finding]:
    """Cross-checks of a (schema-valid) test document against the app's workflows: the
    workflow exists, its data names fields of the entity, every step names a task node of
    that workflow and one of its actions. Paths read ``tests[<key>].steps[<index>]``."""
    prefix = f"tests[{test['key']}]"
    workflow = workflows.get(test["workflow"])
    if workflow is None:
        return [
            Finding(
                code="unknown_workflow",
                message=f"the test runs workflow {test['workflow']!r}, which does not exist",
                path=f"{prefix}.workflow",
                params={"test": test["key"], "workflow": test["workflow"]},
            )
        ]
    findings: list[Finding] = []
    entity = entities.get(workflow.get("entity"))
    if entity is not None:
        field_keys = {f["key"] for f in entity["fields"]}
        for name in test.get("data", {}):
            if name not in field_keys:
                findings.append(
                    Finding(
                        code="unknown_field",
                        message=f"the test's data sets {name!r}, which is not a field of "
                        f"entity {entity['key']!r}",
                        path=f"{prefix}.data.{name}",
                        params={"test": test["key"], "field": name},
                    )
                )
    by_id = {n.get("id"): n for n in workflow["nodes"] if isinstance(n, dict)}
    for index, step in enumerate(test["steps"]):
        where = f"{prefix}.steps[{index}]"
        node = by_id.get(step["node"])
        params = {"test": test["key"], "step": index, "node": step["node"]}
        if node is None:
            findings.append(
                Finding(
                    code="unknown_node",
                    message=f"step {index + 1} names node {step['node']!r}, which is not in "
                    f"workflow {test['workflow']!r}",
                    path=where,
                    params=params,
                )
            )
            continue
        if not _is_task(nodes.get(str(node.get("type")))):
            findings.append(
                Finding(
                    code="not_a_task",
                    message=f"step {index + 1} names node {step['node']!r}, which is not a "
                    "task (only tasks are completed by a step)",
                    path=where,
                    params=params,
                )
            )
            continue
        actions = [a.get("key") for a in node.get("actions", []) if isinstance(a, dict)]
        if step["action"] not in actions:
            findings.append(
                Finding(
                    code="unknown_action",
                    message=f"step {index + 1}: task {step['node']!r} has no action "
                    f"{step['action']!r} (it has {', '.join(map(str, actions))})",
                    path=f"{where}.action",
                    params={**params, "action": step["action"]},
                )
            )
    return findings


def _entity_findings(entity: dict[str, Any]) -> list[Finding]:
    prefix = f"entities/{entity['key']}"
    findings = [
        Finding(code="duplicate_key", message=f"two fields named {key!r}", path=prefix)
        for key in _duplicates(f["key"] for f in entity["fields"])
    ]
    for group in entity["fields"]:
        if group.get("type") == "group":
            findings.extend(_group_findings(group, f"{prefix}/fields/{group['key']}"))
    title = entity.get("title_field")
    if title and title not in {f["key"] for f in entity["fields"]}:
        findings.append(
            Finding(
                code="unknown_field",
                message=f"title field {title!r} is not a field of the entity",
                path=prefix,
            )
        )
    return findings


def _group_findings(group: dict[str, Any], where: str) -> list[Finding]:
    """A group field's own checks: distinct sub-field keys, a sane row range."""
    findings = [
        Finding(code="duplicate_key", message=f"two fields named {key!r} in the group", path=where)
        for key in _duplicates(f["key"] for f in group["fields"])
    ]
    minimum = group.get("min_items", 1 if group.get("required") else 0)
    maximum = group.get("max_items", GROUP_MAX_ITEMS)
    if minimum > maximum:
        findings.append(
            Finding(
                code="group_items",
                message=f"min_items ({minimum}) is more than max_items ({maximum})",
                path=where,
                params={"min_items": minimum, "max_items": maximum},
            )
        )
    if group.get("required") and group.get("min_items") == 0:
        findings.append(
            Finding(
                code="group_items",
                message="a required group needs at least one row: min_items must be 1 or more",
                path=where,
                params={"min_items": 0},
            )
        )
    return findings


def _form_findings(
    form: dict[str, Any], entities: dict[str, Any], workflow_keys: set[str]
) -> list[Finding]:
    prefix = f"forms/{form['key']}"
    entity = entities.get(form["entity"])
    if entity is None:
        return [
            Finding(
                code="unknown_entity",
                message=f"the form fills in entity {form['entity']!r}, which does not exist",
                path=prefix,
            )
        ]
    findings = []
    if form.get("workflow") and form["workflow"] not in workflow_keys:
        findings.append(
            Finding(
                code="unknown_workflow",
                message=f"the form starts workflow {form['workflow']!r}, which does not exist",
                path=prefix,
            )
        )
    field_keys = {f["key"] for f in entity["fields"]}
    used = [ff["field"] for step in form["steps"] for ff in step["fields"]]
    for key in _duplicates(used):
        findings.append(
            Finding(code="duplicate_key", message=f"field {key!r} appears twice", path=prefix)
        )
    for key in _duplicates(step["key"] for step in form["steps"]):
        findings.append(
            Finding(code="duplicate_key", message=f"two steps named {key!r}", path=prefix)
        )
    for step in form["steps"]:
        for form_field in step["fields"]:
            where = f"{prefix}/steps/{step['key']}/{form_field['field']}"
            if form_field["field"] not in field_keys:
                findings.append(
                    Finding(
                        code="unknown_field",
                        message=f"{form_field['field']!r} is not a field of entity "
                        f"{entity['key']!r}",
                        path=where,
                    )
                )
            for name in ("visible_if", "required_if"):
                if name in form_field:
                    findings.extend(_rule_findings(form_field[name], f"{where}/{name}", field_keys))
            for index, validation in enumerate(form_field.get("validations", [])):
                findings.extend(
                    _rule_findings(validation["rule"], f"{where}/validations/{index}", field_keys)
                )
    return findings


def _workflow_findings(workflow: dict[str, Any], entities: dict[str, Any]) -> list[Finding]:
    prefix = f"workflows/{workflow['key']}"
    entity = entities.get(workflow["entity"])
    if entity is None:
        return [
            Finding(
                code="unknown_entity",
                message=f"the workflow runs on entity {workflow['entity']!r}, which does not exist",
                path=prefix,
            )
        ]
    field_keys = {f["key"] for f in entity["fields"]}
    findings = [
        Finding(code="duplicate_key", message=f"two nodes named {key!r}", path=prefix)
        for key in _duplicates(n["id"] for n in workflow["nodes"])
    ]
    if findings:
        return findings
    parsed = parse_workflow(workflow)
    starts = [n for n in parsed.nodes.values() if n.type == "start"]
    if len(starts) != 1:
        findings.append(
            Finding(
                code="start_count",
                message=f"a workflow needs exactly one start node, this one has {len(starts)}",
                path=prefix,
            )
        )
    for index, transition in enumerate(parsed.transitions):
        for end in (transition.source, transition.target):
            if end not in parsed.nodes:
                findings.append(
                    Finding(
                        code="unknown_node",
                        message=f"transition {index + 1} refers to node {end!r}, "
                        "which does not exist",
                        path=f"{prefix}/transitions/{index}",
                    )
                )
        if transition.condition is not None:
            findings.extend(
                _rule_findings(
                    transition.condition, f"{prefix}/transitions/{index}/condition", field_keys
                )
            )
    if findings:
        return findings
    for node in parsed.nodes.values():
        node_type = nodes.get(node.type)
        assert node_type is not None  # checked by _node_findings
        where = f"{prefix}/nodes/{node.id}"
        findings.extend(node_type.check(node, parsed, where))
        findings.extend(_transition_key_findings(node, node_type, parsed, where))
        for rule_where, rule in node_type.rules(node):
            findings.extend(_rule_findings(rule, f"{where}/{rule_where}", field_keys))
        for edited in node_type.edited_fields(node):
            if edited not in field_keys:
                findings.append(
                    Finding(
                        code="unknown_field",
                        message=f"{node.id!r} writes {edited!r}, which is not a field of "
                        f"entity {entity['key']!r}",
                        path=where,
                        params={"node": node.id, "field": edited},
                    )
                )
    return findings


def _transition_key_findings(
    node: NodeDef, node_type: nodes.NodeType, workflow: WorkflowDef, where: str
) -> list[Finding]:
    findings = []
    outgoing = workflow.outgoing(node.id)
    if not outgoing and not node_type.terminal:
        findings.append(
            Finding(
                code="dead_end",
                message=f"node {node.id!r} has no way out",
                path=where,
                params={"node": node.id},
            )
        )
    if node_type.terminal and outgoing:
        findings.append(
            Finding(
                code="transition_from_end",
                message=f"node {node.id!r} ends the case and cannot lead anywhere",
                path=where,
                params={"node": node.id},
            )
        )
    allowed = node_type.transition_keys
    for transition in outgoing:
        used = {
            "action": transition.action is not None,
            "condition": transition.condition is not None or transition.default,
            "timeout": transition.timeout,
        }
        for key, present in used.items():
            if present and key not in allowed:
                findings.append(
                    Finding(
                        code=f"unexpected_{key}",
                        message=f"a way out of {node.id!r} ({node.type}) cannot have "
                        f"{'a ' if key != 'action' else 'an '}{key}",
                        path=where,
                        params={"node": node.id, "key": key},
                    )
                )
    return findings


def ensure_valid_bundle(bundle: Any) -> AppDef:
    """Parse ``bundle`` or raise :class:`DefinitionInvalid` with every finding."""
    bundle = upgrade_bundle(bundle)
    findings = validate_bundle(bundle)
    if findings:
        raise DefinitionInvalid(findings)
    return parse_bundle(bundle)


# --------------------------------------------------------------------------- upgrades


def upgrade_bundle(bundle: Any) -> Any:
    """Bring an older bundle to the current format (v1 is the first; nothing to do yet).

    Later format versions add a step here, e.g. ``if version == 1: bundle = _v1_to_v2(...)``.
    """
    return bundle


# --------------------------------------------------------------------------- parsing


def _label(value: Any) -> Label:
    return dict(value) if isinstance(value, dict) else {"vi": str(value)}


def _parse_field(raw: dict[str, Any]) -> FieldDef:
    config = {
        k: v
        for k, v in raw.items()
        if k not in {"key", "type", "label", "required", "help", "options", "fields"}
    }
    return FieldDef(
        key=raw["key"],
        type=raw["type"],
        label=_label(raw["label"]),
        required=bool(raw.get("required", False)),
        help=_label(raw["help"]) if "help" in raw else None,
        options=tuple(
            Option(value=o["value"], label=_label(o["label"])) for o in raw.get("options", [])
        ),
        config=config,
        fields=tuple(_parse_field(sub) for sub in raw.get("fields", [])),
    )


def parse_entity(document: dict[str, Any]) -> EntityDef:
    fields = [_parse_field(raw) for raw in document["fields"]]
    return EntityDef(
        key=document["key"],
        label=_label(document["label"]),
        fields=tuple(fields),
        title_field=document.get("title_field"),
    )


def parse_form(document: dict[str, Any]) -> FormDef:
    steps = []
    for step in document["steps"]:
        form_fields = []
        for raw in step["fields"]:
            form_fields.append(
                FormFieldDef(
                    field=raw["field"],
                    label=_label(raw["label"]) if "label" in raw else None,
                    help=_label(raw["help"]) if "help" in raw else None,
                    widget=raw.get("widget"),
                    required=raw.get("required"),
                    visible_if=raw.get("visible_if"),
                    required_if=raw.get("required_if"),
                    validations=tuple(
                        Validation(rule=v["rule"], message=_label(v["message"]))
                        for v in raw.get("validations", [])
                    ),
                )
            )
        steps.append(
            StepDef(key=step["key"], label=_label(step["label"]), fields=tuple(form_fields))
        )
    return FormDef(
        key=document["key"],
        entity=document["entity"],
        label=_label(document["label"]),
        steps=tuple(steps),
        audience=document.get("audience", "public"),
        workflow=document.get("workflow"),
        description=_label(document["description"]) if "description" in document else None,
    )


def parse_workflow(document: dict[str, Any]) -> WorkflowDef:
    parsed_nodes = {}
    for raw in document["nodes"]:
        config = {k: v for k, v in raw.items() if k not in {"id", "type", "label"}}
        parsed_nodes[raw["id"]] = NodeDef(
            id=raw["id"],
            type=raw["type"],
            label=_label(raw.get("label", {"vi": raw["id"]})),
            config=config,
        )
    transitions = tuple(
        TransitionDef(
            source=raw["from"],
            target=raw["to"],
            action=raw.get("action"),
            condition=raw.get("condition"),
            default=bool(raw.get("default", False)),
            timeout=bool(raw.get("timeout", False)),
        )
        for raw in document["transitions"]
    )
    return WorkflowDef(
        key=document["key"],
        entity=document["entity"],
        label=_label(document["label"]),
        nodes=parsed_nodes,
        transitions=transitions,
        calendar=document.get("calendar", "vn"),
        deadline=document.get("deadline"),
    )


def parse_test(document: dict[str, Any]) -> SavedTest:
    return SavedTest(
        key=document["key"],
        label=_label(document["label"]),
        workflow=document["workflow"],
        data=dict(document.get("data", {})),
        steps=tuple(
            SavedTestStep(node=s["node"], action=s["action"], data=dict(s.get("data", {})))
            for s in document["steps"]
        ),
        expect=dict(document.get("expect", {})),
        description=_label(document["description"]) if "description" in document else None,
    )


def parse_bundle(bundle: dict[str, Any]) -> AppDef:
    app = bundle["app"]
    return AppDef(
        key=app["key"],
        label=_label(app["label"]),
        description=_label(app["description"]) if "description" in app else None,
        entities={e["key"]: parse_entity(e) for e in bundle["entities"]},
        forms={f["key"]: parse_form(f) for f in bundle["forms"]},
        workflows={w["key"]: parse_workflow(w) for w in bundle["workflows"]},
        tests={t["key"]: parse_test(t) for t in bundle.get("tests", [])},
    )


def content_hash(document: Any) -> str:
    """SHA-256 of the canonical JSON of ``document`` (key order and spacing ignored)."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
