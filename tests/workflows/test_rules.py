"""Server-side tests of workflows.rules (JSON Logic). Browser parity: test_rules_parity.py."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows import rules
from workflows.rules import (
    DEFAULT_BUDGET,
    CompiledRule,
    Problem,
    RuleBudgetExceeded,
    RuleError,
    RuleEvaluationError,
    RuleSyntaxError,
)

REPO = Path(__file__).resolve().parents[2]
CORPUS = json.loads((Path(__file__).with_name("rules_corpus.json")).read_text(encoding="utf-8"))


def normalise(value: Any) -> Any:
    """JSON value with whole floats turned into ints (2.0 -> 2), recursively.

    The server keeps a float that came in as 2.0 a float; the browser has one number type and
    prints 2. Both are the same JSON number, so results are compared after this. Booleans stay
    booleans (``True`` is not ``1`` here), everything else compares exactly.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items()}
    return value


def same_json(left: Any, right: Any) -> bool:
    dump = json.dumps
    return dump(normalise(left), sort_keys=True) == dump(normalise(right), sort_keys=True)


# --------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("case", CORPUS["cases"], ids=[c["name"] for c in CORPUS["cases"]])
def test_corpus_case(case: dict[str, Any]) -> None:
    result = rules.evaluate(case["rule"], case["data"])
    assert same_json(result, case["expected"]), (result, case["expected"])


@pytest.mark.parametrize("case", CORPUS["errors"], ids=[c["name"] for c in CORPUS["errors"]])
def test_corpus_error_case(case: dict[str, Any]) -> None:
    with pytest.raises(RuleError) as caught:
        rules.evaluate(case["rule"], case["data"])
    assert caught.value.code == case["server_error"]
    assert caught.value.message


def test_corpus_is_large_and_names_are_unique() -> None:
    names = [
        entry["name"]
        for section in ("cases", "errors", "known_differences")
        for entry in CORPUS[section]
    ]
    assert len(names) == len(set(names))
    assert len(CORPUS["cases"]) >= 120
    operators: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                operators.add(key)
                collect(value)

    for case in CORPUS["cases"]:
        collect(case["rule"])
    assert operators >= rules.SUPPORTED_OPERATORS


# --------------------------------------------------------------------------- results


def test_integers_stay_ints_and_floats_stay_floats() -> None:
    assert type(rules.evaluate({"+": [1, 2]}, {})) is int
    assert type(rules.evaluate({"/": [3, 2]}, {})) is float
    assert type(rules.evaluate({"var": "x"}, {"x": 12.5})) is float
    assert type(rules.evaluate({"var": "x"}, {"x": 7})) is int
    assert rules.evaluate({"var": "x"}, {"x": 10**15}) == 10**15


def test_plain_values_pass_through() -> None:
    assert rules.evaluate(5, {}) == 5
    assert rules.evaluate("flooding", {}) == "flooding"
    assert rules.evaluate(None, {}) is None
    assert rules.evaluate([1, {"var": "a"}, [{"+": [1, 1]}]], {"a": "x"}) == [1, "x", [2]]


def test_strings_are_values_not_json_text() -> None:
    # datalogic-py reads a str rule or data as JSON text; this module must not.
    assert rules.evaluate('{"var": "a"}', {"a": 1}) == '{"var": "a"}'
    assert rules.evaluate({"var": ""}, "[1, 2]") == "[1, 2]"
    assert rules.evaluate({"cat": [{"var": ""}, "!"]}, "xin chào") == "xin chào!"


def test_data_that_is_not_json_is_an_evaluation_error() -> None:
    for data in ({"x": object()}, {"x": math.nan}, {"x": {1, 2}}):
        with pytest.raises(RuleEvaluationError) as caught:
            rules.evaluate({"var": "x"}, data)
        assert caught.value.code == "rule_failed"
        assert "not valid JSON" in caught.value.message


def test_evaluation_errors_are_readable() -> None:
    with pytest.raises(RuleEvaluationError) as caught:
        rules.evaluate({"/": [{"var": "total"}, {"var": "count"}]}, {"total": 10, "count": 0})
    error = caught.value
    assert type(error) is RuleEvaluationError
    assert error.code == "rule_failed"
    assert error.operator == "/"
    assert "'/'" in error.message and "division by zero" in error.message
    assert str(error) == error.message


def test_tuple_data_is_a_list() -> None:
    assert rules.evaluate({"in": ["Q1", {"var": "districts"}]}, {"districts": ("Q1", "Q3")})


# --------------------------------------------------------------------------- compile


def test_compile_returns_compiled_rule_with_original_json() -> None:
    rule = {"and": [{"==": [{"var": "category"}, "flooding"]}, {">=": [{"var": "severity"}, 3]}]}
    compiled = rules.compile(rule)
    assert isinstance(compiled, CompiledRule)
    assert compiled.rule == rule
    assert compiled.evaluate({"category": "flooding", "severity": 3}) is True
    assert "CompiledRule(" in repr(compiled)


def test_compile_is_cached_by_canonical_json() -> None:
    rule = {"if": [{"var": "a"}, {"cat": ["x", {"var": "b"}]}, None]}
    first = rules.compile(rule)
    again = rules.compile(json.loads(json.dumps(rule)))
    assert again is first
    assert rules.compile({"var": "a"}) is not rules.compile({"var": "b"})


def test_compile_cache_makes_repeats_cheap() -> None:
    rule = {"map": [{"var": "xs"}, {"*": [{"var": ""}, 2]}]}
    rules.compile(rule)
    info_before = rules._compile_canonical.cache_info()
    for _ in range(100):
        rules.compile(rule)
    info_after = rules._compile_canonical.cache_info()
    assert info_after.hits - info_before.hits == 100
    assert info_after.misses == info_before.misses


def test_compile_rejects_unknown_operator_with_readable_message() -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        rules.compile({"if": [True, {"bogus": [1]}, 2]})
    error = caught.value
    assert error.code == "rule_invalid"
    assert "Unknown operator 'bogus'" in error.message
    assert error.problems == (Problem("unknown_operator", error.problems[0].message, "/if/1"),)


@pytest.mark.parametrize(
    "rule",
    [
        {"upper": "abc"},  # datalogic only
        {"??": [None, 1]},  # both know it, jsonlogic.com does not
        {"val": "a"},
        {"?:": [True, 1, 2]},
        {"log": "debug"},
        {"preserve": {"a": 1}},
    ],
    ids=lambda rule: next(iter(rule)),
)
def test_compile_rejects_operators_outside_jsonlogic_com(rule: dict[str, Any]) -> None:
    with pytest.raises(RuleSyntaxError):
        rules.compile(rule)
    assert [problem.code for problem in rules.check(rule)] == ["unknown_operator"]


def test_compile_rejects_rules_that_are_not_json() -> None:
    for rule in ({"var": object()}, {"+": [math.inf, 1]}, {"+": [math.nan]}):
        with pytest.raises(RuleSyntaxError) as caught:
            rules.compile(rule)
        assert "not valid JSON" in caught.value.message


def test_compile_rejects_deep_nesting() -> None:
    rule: Any = 1
    for _ in range(rules.MAX_NESTING + 5):
        rule = {"!": [rule]}
    problems = rules.check(rule)
    assert [problem.code for problem in problems] == ["too_deep"]
    very_deep: Any = 1
    for _ in range(100_000):
        very_deep = [very_deep]
    with pytest.raises(RuleSyntaxError):
        rules.compile(very_deep)


# --------------------------------------------------------------------------- check


def test_check_valid_rule_has_no_problems() -> None:
    assert rules.check({"and": [{"==": [{"var": "a"}, 1]}, {"missing": ["b"]}]}) == []
    assert rules.check(42) == []
    assert rules.check({}) == []


def test_check_unknown_operator() -> None:
    problems = rules.check({"or": [{"var": "a"}, {"frobnicate": 1}]})
    assert len(problems) == 1
    problem = problems[0]
    assert problem.code == "unknown_operator"
    assert problem.pointer == "/or/1"
    assert "'frobnicate'" in problem.message and "Supported operators" in problem.message


def test_check_object_with_two_keys() -> None:
    problems = rules.check({"var": "a", "extra": 1})
    assert [(p.code, p.pointer) for p in problems] == [("not_an_operator", "")]
    assert "exactly one key" in problems[0].message


def test_check_wrong_argument_count() -> None:
    problems = rules.check({"if": [True, {"map": [[1, 2]]}, 0]})
    assert [(p.code, p.pointer) for p in problems] == [("argument_count", "/if/1")]
    assert problems[0].message == "'map' takes exactly 2 arguments, not 1."


def test_check_reports_every_problem_with_escaped_pointers() -> None:
    problems = rules.check({"/": [{"nope": 1}, {"var": "x", "y": 2}]})
    assert [(p.code, p.pointer) for p in problems] == [
        ("unknown_operator", "/~1/0"),
        ("not_an_operator", "/~1/1"),
    ]


def test_check_rejects_parent_scope_paths() -> None:
    rule = {"map": [{"var": "xs"}, {"+": [{"var": ""}, {"var": "../../k"}]}]}
    problems = rules.check(rule)
    assert [(p.code, p.pointer) for p in problems] == [("unsupported_parent_scope", "/map/1/+/1")]
    assert rules.check({"var": ["../a", 1]})[0].code == "unsupported_parent_scope"


def test_check_never_raises() -> None:
    weird: list[Any] = [object(), {"var": {1, 2}}, math.nan, {"a": 1, 2: 3}, b"bytes"]
    for rule in weird:
        problems = rules.check(rule)
        assert problems and all(isinstance(p, Problem) for p in problems)
        assert all(p.code and p.message for p in problems)


def test_check_agrees_with_compile() -> None:
    for rule in ({"var": "a"}, {"bogus": 1}, {"map": [1]}, {"a": 1, "b": 2}, [{"x": 1}]):
        problems = rules.check(rule)
        try:
            rules.compile(rule)
        except RuleSyntaxError as error:
            assert problems == list(error.problems)
        else:
            assert problems == []


# --------------------------------------------------------------------------- budget


def _runaway_rule() -> dict[str, Any]:
    thousand = {"merge": [list(range(100))] * 10}
    return {
        "reduce": [
            {"map": [thousand, {"map": [thousand, {"+": [{"var": ""}, 1]}]}]},
            {"+": [{"var": "accumulator"}, 1]},
            0,
        ]
    }


def test_budget_overrun_raises_readable_error() -> None:
    with pytest.raises(RuleBudgetExceeded) as caught:
        rules.evaluate(_runaway_rule(), {})
    error = caught.value
    assert isinstance(error, RuleEvaluationError)
    assert error.code == "rule_budget_exceeded"
    assert error.budget == DEFAULT_BUDGET
    assert f"more than {DEFAULT_BUDGET} operations" in error.message


def test_budget_counts_data_size() -> None:
    rule = {"map": [{"var": "xs"}, {"*": [{"var": ""}, 2]}]}
    assert rules.evaluate(rule, {"xs": list(range(100))}, budget=1_000)[-1] == 198
    with pytest.raises(RuleBudgetExceeded) as caught:
        rules.evaluate(rule, {"xs": list(range(100))}, budget=50)
    assert "more than 50 operations" in str(caught.value)


def test_budget_stops_string_doubling() -> None:
    rule = {
        "reduce": [list(range(64)), {"cat": [{"var": "accumulator"}, {"var": "accumulator"}]}, "x"]
    }
    with pytest.raises(RuleBudgetExceeded):
        rules.evaluate(rule, {})


def test_budget_must_be_a_positive_int() -> None:
    compiled = rules.compile({"var": "a"})
    for budget in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="budget"):
            compiled.evaluate({}, budget=budget)  # type: ignore[arg-type]
    assert compiled.evaluate({"a": 1}, budget=1) == 1
    assert compiled.evaluate({"a": 1}, budget=2**80) == 1


def test_default_budget_is_enough_for_product_rules() -> None:
    rule = {"filter": [{"var": "reports"}, {"==": [{"var": "status"}, "open"]}]}
    reports = [{"status": "open" if i % 2 else "closed"} for i in range(500)]
    assert len(rules.evaluate(rule, {"reports": reports})) == 250


# --------------------------------------------------------------------------- reads


def test_reads_lists_dotted_paths_sorted_and_unique() -> None:
    rule = {
        "and": [
            {"==": [{"var": "category"}, "flooding"]},
            {"<=": [10.7, {"var": "location.lat"}, 10.9]},
            {"!": {"missing": ["category", "reporter.phone"]}},
            {"map": [{"var": "photos"}, {"var": "url"}]},
        ]
    }
    assert rules.compile(rule).reads() == [
        "category",
        "location.lat",
        "photos",
        "reporter.phone",
    ]


def test_reads_whole_data_and_defaults() -> None:
    assert rules.compile({"var": ""}).reads() == [""]
    assert rules.compile({"var": ["a.b", 3]}).reads() == ["a.b"]
    assert rules.compile({"+": [1, 2]}).reads() == []
    compiled = rules.compile({"var": "x"})
    compiled.reads().append("mutated")
    assert compiled.reads() == ["x"]


# --------------------------------------------------------------------------- truthiness


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (True, True),
        (0, False),
        (0.0, False),
        (-0.0, False),
        (math.nan, False),
        (1, True),
        (-1, True),
        (0.5, True),
        ("", False),
        ("0", True),
        ("false", True),
        (" ", True),
        ([], False),
        ([0], True),
        ([[]], True),
        ({}, False),
        ({"a": None}, True),
    ],
)
def test_is_truthy(value: Any, expected: bool) -> None:
    assert rules.is_truthy(value) is expected
    if not (isinstance(value, float) and math.isnan(value)):
        # The same answer as the engine's own `!!`.
        assert rules.evaluate({"!!": [{"var": "v"}]}, {"v": value}) is expected


def test_compiled_rule_truthy() -> None:
    compiled = rules.compile({"var": "photos"})
    assert compiled.truthy({"photos": ["a.jpg"]}) is True
    assert compiled.truthy({"photos": []}) is False
    assert compiled.truthy({}) is False
    assert rules.compile({"missing": ["a"]}).truthy({}) is True


# --------------------------------------------------------------------------- errors


def test_errors_carry_stable_codes() -> None:
    assert issubclass(RuleSyntaxError, RuleError)
    assert issubclass(RuleEvaluationError, RuleError)
    assert issubclass(RuleBudgetExceeded, RuleEvaluationError)
    assert RuleError.code == "rule_error"
    assert RuleSyntaxError.code == "rule_invalid"
    assert RuleEvaluationError.code == "rule_failed"
    assert RuleBudgetExceeded.code == "rule_budget_exceeded"
    error = RuleSyntaxError("broken")
    assert (error.code, error.message, str(error), error.problems) == (
        "rule_invalid",
        "broken",
        "broken",
        (),
    )


def test_rules_module_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "import workflows.rules\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'apps', 'lcnc'})\n"
        "assert not bad, bad\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr


# --------------------------------------------------------------------------- property tests

_NAMES = ["a", "b", "c", "a.b", "b.0", "missing"]
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
_DATA_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "0"]), inner, max_size=3)
    ),
    max_leaves=8,
)
_DATA = st.dictionaries(st.sampled_from(["a", "b", "c"]), _DATA_VALUES, max_size=3) | _DATA_VALUES
_OPERATORS = [
    "+", "-", "*", "/", "%", "max", "min",
    "==", "===", "!=", "!==", "<", "<=", ">", ">=",
    "!", "!!", "and", "or", "if",
]  # fmt: skip
_LEAVES = _SCALARS | st.builds(lambda name: {"var": name}, st.sampled_from(_NAMES))
_RULES = st.recursive(
    _LEAVES,
    lambda inner: st.builds(
        lambda operator, args: {operator: args},
        st.sampled_from(_OPERATORS),
        st.lists(inner, max_size=4) | inner,
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=_RULES, data=_DATA)
def test_random_rules_only_raise_rule_errors(rule: Any, data: Any) -> None:
    try:
        result = rules.evaluate(rule, data)
    except RuleError as error:
        assert error.code in {"rule_invalid", "rule_failed", "rule_budget_exceeded"}
        assert error.message
        if isinstance(error, RuleSyntaxError):
            assert rules.check(rule) != []
        return
    json.dumps(result, allow_nan=False)  # the result is plain JSON
    assert rules.check(rule) == []
    assert rules.compile(rule).truthy(data) is rules.is_truthy(result)


@settings(max_examples=200, deadline=None)
@given(value=_DATA_VALUES)
def test_is_truthy_matches_engine(value: Any) -> None:
    assert rules.evaluate({"!!": [{"var": "v"}]}, {"v": value}) is rules.is_truthy(value)
