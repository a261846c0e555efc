"""Every JSON Logic rule of the sample apps gives the same answer on the server and in the portal.

The rules are collected from ``fixtures/apps/*.json``: form fields' ``visible_if``,
``required_if`` and ``validations``, transition conditions, and every rule a node type
declares (``NodeType.rules``: assignment rules, ``set``/``input``/``output``/``payload``/
``data`` mappings, ``items``, ``correlation``, ``until``...). A second, blind walk over the
fixtures checks that no JSON Logic object was missed.

Each rule is evaluated with a few realistic data samples built from its entity's fields
(every option of a choice, numbers at and around their bounds, missing fields...) on the
server (``workflows.rules.evaluate``) and by the portal's own evaluator
(``frontend/src/portal/rules.js`` through ``frontend/scripts/portal-rules-eval.mjs``, one node
run for everything). Results must be equal, truthiness too, and a rule that fails must fail
on both sides. Never skips: without node or ``npm ci`` in frontend/ it fails.
"""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.workflows.test_rules_parity import (
    normalise,
    run_node_script,
    same_json,
    server_outcome,
)
from workflows import nodes, rules
from workflows.definition import parse_workflow

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
SCRIPT = FRONTEND / "scripts" / "portal-rules-eval.mjs"
ENGINE_PACKAGE = FRONTEND / "node_modules" / "json-logic-engine"
FIXTURES = sorted((REPO / "fixtures" / "apps").glob("*.json"))
MAX_SAMPLES_PER_RULE = 300

#: Realistic values of text-like fields: names, Vietnamese text, phone numbers, e-mails, ids.
TEXT_SAMPLES = (
    "Nguyễn Văn An",
    "0901234567",
    "+84901234567",
    "901234567",
    "dan@example.vn",
    "079123456789",
    "Hà Nội",
)
AGENCY_SAMPLES = ("ninh_kieu", "cai_rang", "sxd")
DATE_SAMPLES = ("2026-01-05", "2026-12-31")
FILE_SAMPLE = [{"id": "f1", "name": "anh.png", "content_type": "image/png", "size": 2048}]
LOCATION_SAMPLES = (
    {"lat": 10.0286, "lng": 105.7703},
    {"lat": 10.0286, "lng": 105.7703, "address": "Bến Ninh Kiều, Cần Thơ"},
)
#: Values the engine adds to a case's data while it runs (see workflows/engine.py).
CONTEXT_SAMPLES: dict[str, tuple[Any, ...]] = {
    "_item": ("sxd", "stnmt"),
    "_outcome": ("done", "rejected", "cancelled"),
    "_child": ({"result": "Đã xử lý"}, {}),
}
OTHER_SAMPLES: tuple[Any, ...] = ("x", 1, True)


@dataclass(frozen=True)
class FixtureRule:
    where: str  # fixture file / place in the definition
    rule: Any
    entity: str
    #: A field that is always answered when the rule runs (a validation's own field).
    answered: str | None = None


# ---------------------------------------------------------------- collecting rules


def collect_rules(path: Path) -> list[FixtureRule]:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    found: list[FixtureRule] = []
    for form in bundle.get("forms", []):
        for step in form["steps"]:
            for form_field in step["fields"]:
                where = f"{path.name}:forms/{form['key']}/{form_field['field']}"
                for name in ("visible_if", "required_if"):
                    if name in form_field:
                        found.append(
                            FixtureRule(f"{where}/{name}", form_field[name], form["entity"])
                        )
                for index, validation in enumerate(form_field.get("validations", [])):
                    found.append(
                        FixtureRule(
                            f"{where}/validations/{index}",
                            validation["rule"],
                            form["entity"],
                            answered=form_field["field"],
                        )
                    )
    for document in bundle.get("workflows", []):
        workflow = parse_workflow(document)
        where = f"{path.name}:workflows/{document['key']}"
        for index, transition in enumerate(workflow.transitions):
            if transition.condition is not None:
                found.append(
                    FixtureRule(
                        f"{where}/transitions/{index}/condition",
                        transition.condition,
                        document["entity"],
                    )
                )
        for node in workflow.nodes.values():
            node_type = nodes.get(node.type)
            assert node_type is not None, f"{where}: unknown node type {node.type!r}"
            for rule_where, rule in node_type.rules(node):
                found.append(
                    FixtureRule(f"{where}/nodes/{node.id}/{rule_where}", rule, document["entity"])
                )
    return found


def operator_objects(value: Any) -> list[Any]:
    """Outermost JSON Logic operator objects anywhere in ``value`` (a blind walk)."""
    if isinstance(value, list):
        return [found for item in value for found in operator_objects(item)]
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in rules.SUPPORTED_OPERATORS:
            return [value]
        return [found for item in value.values() for found in operator_objects(item)]
    return []


def subtrees(value: Any) -> list[Any]:
    out = [value]
    if isinstance(value, list):
        out.extend(sub for item in value for sub in subtrees(item))
    elif isinstance(value, dict):
        out.extend(sub for item in value.values() for sub in subtrees(item))
    return out


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------- data samples


def entity_fields(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    return {
        entity["key"]: {field["key"]: field for field in entity["fields"]}
        for entity in bundle.get("entities", [])
    }


def field_samples(spec: dict[str, Any]) -> list[Any]:
    """Realistic values of one field, as the server stores them (clean, never blank)."""
    config = {**spec.get("config", {}), **spec}
    kind = spec["type"]
    if kind in ("choice",):
        return [option["value"] for option in spec.get("options", [])]
    if kind == "multi_choice":
        values = [option["value"] for option in spec.get("options", [])]
        return [values[:1], values[-1:], values] if values else [[]]
    if kind == "number":
        low, high = config.get("min"), config.get("max")
        numbers: list[Any] = [0, 1, 3, 100, 2.5]
        for bound in (low, high):
            if bound is not None:
                numbers.extend([bound, bound - 1, bound + 1])
        if config.get("integer"):
            numbers = [int(n) for n in numbers if float(n).is_integer()]
        return sorted(set(numbers), key=float)
    if kind == "boolean":
        return [True, False]
    if kind == "date":
        return list(DATE_SAMPLES)
    if kind in ("file", "photo"):
        return [FILE_SAMPLE]
    if kind == "location":
        return list(LOCATION_SAMPLES)
    if kind == "agency":
        return list(AGENCY_SAMPLES)
    if kind == "group":  # a list of rows; each row a sample of every sub-field
        subs = spec.get("fields", [])
        first = {sub["key"]: field_samples(sub)[0] for sub in subs}
        last = {sub["key"]: field_samples(sub)[-1] for sub in subs}
        return [[first], [first, last], [last, last, first]]
    return list(TEXT_SAMPLES)


MISSING = object()


def samples_for(item: FixtureRule, fields: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Data samples for one rule: a full record, an empty one, and every combination of
    the values (and absence) of the fields it reads (one field at a time when too many)."""
    try:
        reads = sorted({path.split(".", 1)[0] for path in rules.compile(item.rule).reads()})
    except rules.RuleSyntaxError:
        reads = []
    reads = [read for read in reads if read]

    def values_of(key: str) -> list[Any]:
        if key in fields:
            values = field_samples(fields[key])
        else:
            values = list(CONTEXT_SAMPLES.get(key, OTHER_SAMPLES))
        return values if key == item.answered else [*values, MISSING]

    base = {key: field_samples(spec)[0] for key, spec in fields.items()}
    samples: list[dict[str, Any]] = [base]
    if item.answered is None:
        samples.append({})
    choices = [values_of(key) for key in reads]
    combos = 1
    for values in choices:
        combos *= len(values)
    if combos <= MAX_SAMPLES_PER_RULE:
        for combo in itertools.product(*choices):
            data = dict(base)
            for key, value in zip(reads, combo, strict=True):
                if value is MISSING:
                    data.pop(key, None)
                else:
                    data[key] = value
            samples.append(data)
    else:
        for key, values in zip(reads, choices, strict=True):
            for value in values:
                data = dict(base)
                if value is MISSING:
                    data.pop(key, None)
                else:
                    data[key] = value
                samples.append(data)
    unique = {canonical(sample): sample for sample in samples}
    return list(unique.values())


# ---------------------------------------------------------------- the portal's side


def run_portal(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evaluate ``[{rule, data}, ...]`` with the portal's evaluator; fails (never skips)."""
    return run_node_script(SCRIPT, items, side="portal")


@functools.cache
def all_rules() -> list[FixtureRule]:
    return [item for path in FIXTURES for item in collect_rules(path)]


@functools.cache
def evaluations() -> list[tuple[FixtureRule, dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(rule, data, server outcome, portal outcome) of every rule and sample."""
    fields_by_file = {path.name: entity_fields(path) for path in FIXTURES}
    cases = []
    for item in all_rules():
        fields = fields_by_file[item.where.split(":", 1)[0]].get(item.entity, {})
        for data in samples_for(item, fields):
            cases.append((item, data))
    portal = run_portal([{"rule": item.rule, "data": data} for item, data in cases])
    return [
        (item, data, server_outcome(item.rule, data), client)
        for (item, data), client in zip(cases, portal, strict=True)
    ]


# ---------------------------------------------------------------- tests


def test_fixtures_exist_and_hold_rules() -> None:
    assert len(FIXTURES) >= 3, "fixtures/apps/*.json: the sample apps are missing"
    places = {item.where.rsplit("/", 1)[-1] for item in all_rules()}
    # Each kind of place the brief lists is represented in the sample apps.
    for expected in ("visible_if", "required_if", "condition", "agency_rule", "items"):
        assert any(expected in item.where for item in all_rules()), (expected, places)


def test_every_rule_of_the_fixtures_is_collected() -> None:
    """A blind walk finds no JSON Logic object outside the collected rules."""
    for path in FIXTURES:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        collected = {canonical(sub) for item in collect_rules(path) for sub in subtrees(item.rule)}
        missed = [
            rule
            for part in ("forms", "workflows")
            for rule in operator_objects(bundle.get(part, []))
            if canonical(rule) not in collected
        ]
        assert not missed, f"{path.name}: rules not collected: {missed}"


def test_every_fixture_rule_compiles() -> None:
    broken = [
        (item.where, problems) for item in all_rules() if (problems := rules.check(item.rule))
    ]
    assert not broken, broken


def test_server_and_portal_agree_on_every_fixture_rule() -> None:
    results = evaluations()
    assert len(results) >= 10 * len(all_rules()) // 2, "too few samples were generated"
    mismatches = []
    for item, data, server, client in results:
        if server["ok"] != client["ok"]:
            agree = False
        elif not server["ok"]:
            agree = True  # fails on both sides
        else:
            agree = same_json(server["result"], client["result"]) and (
                rules.is_truthy(server["result"]) == client["truthy"]
            )
        if not agree:
            mismatches.append(
                f"- {item.where}: rule={json.dumps(item.rule, ensure_ascii=False)} "
                f"data={json.dumps(data, ensure_ascii=False)} "
                f"server={json.dumps(server, ensure_ascii=False)} "
                f"portal={json.dumps(client, ensure_ascii=False)}"
            )
    assert not mismatches, f"{len(mismatches)} evaluation(s) disagree:\n" + "\n".join(
        mismatches[:50]
    )


def test_samples_cover_each_choice_option_and_missing_fields() -> None:
    """The category rules are tried with every category and with none."""
    results = evaluations()
    seen = {
        json.dumps(normalise(data.get("category")))
        for item, data, _, _ in results
        if item.where.endswith("other_category/visible_if")
    }
    assert {'"flooding"', '"pothole"', '"garbage"', '"streetlight"', '"other"', "null"} <= seen
