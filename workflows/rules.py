"""JSON Logic rules, evaluated on the server the way the browser evaluates them.

Forms and workflows carry small rules written in JSON Logic (https://jsonlogic.com): "show
this field when the category is flooding", "require a photo when severity >= 3", "route to
agency ``HCM-`` + district". The browser evaluates them with the npm package
``json-logic-engine`` (5.0.7, ``LogicEngine``); the server evaluates the same rule with
``datalogic-py`` (5.9.0). This module is the server side. It is pure Python: it never imports
Django.

Public API::

    compile(rule) -> CompiledRule       # validate + compile once (cached), raises RuleSyntaxError
    evaluate(rule, data, budget=...)    # compile + evaluate
    check(rule) -> list[Problem]        # every readable problem, [] when fine; never raises
    is_truthy(value) -> bool            # JSON Logic truthiness
    CompiledRule.evaluate / .truthy / .reads

Evaluation is metered: each run may spend at most ``budget`` operations (default
``DEFAULT_BUDGET``), so a runaway rule (a huge nested ``map``/``reduce``, a ``cat`` that
doubles a string in a ``reduce``) raises ``RuleBudgetExceeded`` instead of tying up a worker.

Supported operators are exactly the ones documented on jsonlogic.com (see
``SUPPORTED_OPERATORS``) except ``log``. Both engines know many more (``upper``, ``split``,
``??``, ``val``...), but they do not agree on them, so ``compile`` rejects them.

Truthiness (``if``, ``and``, ``or``, ``!``, ``!!``, ``filter``, ``some``...): ``false``,
``null``, ``0``, ``""``, ``[]`` and ``{}`` are falsy; everything else is truthy. Note that
``{}`` is *falsy* in both engines here (it was truthy in the old json-logic-js).

What rule authors should avoid -- the two engines give different answers. Every item has an
example in ``known_differences`` of ``tests/workflows/rules_corpus.json``, and the parity test
fails when one stops reproducing, so this list stays honest:

* Loose comparisons across types. ``==``/``!=`` between a string and a number or boolean
  (``"" == 0``, ``true == "1"``), and comparing a missing field with ``""``
  (``{"==": [{"var": "note"}, ""]}`` is true on the server, false in the browser). Compare
  like with like; test an optional field with ``{"!": {"var": "note"}}``. Two strings always
  compare as text (``"10" < "9"``), which is right for ISO dates (``"2026-01-05" <
  "2026-02-01"``) and wrong for numbers typed as text.
* Comparing lists or objects (``==``, ``===``, ``in`` with a list as the needle).
* ``cat`` of anything but text and integers: a whole float (``2.0`` prints ``"2.0"`` on the
  server and ``"2"`` in the browser -- write ``2``, not ``2.0``), very large or small numbers
  (``1e21``, ``1e-7``), lists, objects.
* ``substr`` of anything but text (a number, ``null``, a missing field), non-integer
  positions, and text with emoji (the server counts characters, the browser UTF-16 units).
* ``in`` with a haystack that is not a list or non-empty text (a number, an object, ``""``),
  or a number as the needle of a text haystack.
* ``var`` into text (``"name.length"``, ``"name.0"``), float indexes (``1.0``), and
  json-logic-engine's ``"../"`` parent paths (``check`` rejects them).
* ``map``/``filter``/``reduce``/``all``/``some``/``none`` over something that is not a list;
  ``filter`` over a missing field (``[]`` vs ``null``); ``merge`` with ``null``/missing
  fields (dropped on the server, kept in the browser). Guard optional lists with ``if``.
* ``!``/``!!`` written with a single (non-list) argument that reads a list
  (``{"!!": {"var": "x"}}``): the browser looks at the list's first item only. Write the
  argument as a list (``{"!!": [{"var": "x"}]}``).
* ``reduce`` that sums or multiplies floats from a non-zero (non-one) initial value: the
  browser reorders the arithmetic, so the last digit may differ.
* Integers beyond 2**53 (keep ids as text), float overflow, and text that only JavaScript
  reads as a number (``"0x10"``, ``" 3 "``).

Where the two agree but may surprise: ``missing`` counts only absent keys -- unlike
json-logic-js, a field holding ``null`` or ``""`` is *not* missing; ``max``/``min`` accept
numbers only; ``+``/``*``/``<`` treat ``null`` (a missing field) as 0; division or remainder
by zero, ``null`` or a missing field fails on both sides (datalogic's default would return
1.8e308; this module configures it to fail), so guard the divisor with ``if``.

json-logic-engine is not consistent with itself: ``engine.build()`` and its unoptimised
interpreter (which a long-lived ``LogicEngine`` silently switches to after 500 distinct rule
objects) differ from ``engine.run()`` on a fresh engine on a few rules (3-argument ``<=``
between strings fails; ``var`` defaults for ``null``). The browser must evaluate like
``frontend/scripts/jsonlogic-eval.mjs`` does: ``new LogicEngine().run(rule, data)``.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import datalogic_py

__all__ = [
    "DEFAULT_BUDGET",
    "MAX_NESTING",
    "SUPPORTED_OPERATORS",
    "CompiledRule",
    "Problem",
    "RuleBudgetExceeded",
    "RuleError",
    "RuleEvaluationError",
    "RuleSyntaxError",
    "check",
    "compile",
    "evaluate",
    "is_truthy",
]

DEFAULT_BUDGET: Final[int] = 10_000
"""Operations one evaluation may spend (``map`` over 100 items costs about 300)."""

MAX_NESTING: Final[int] = 64
"""Deepest nesting of lists/objects a rule may have."""

SUPPORTED_OPERATORS: Final[frozenset[str]] = frozenset(
    {
        # data access
        "var",
        "missing",
        "missing_some",
        # logic and boolean
        "if",
        "==",
        "===",
        "!=",
        "!==",
        "!",
        "!!",
        "or",
        "and",
        # numeric
        "<",
        "<=",
        ">",
        ">=",
        "max",
        "min",
        "+",
        "-",
        "*",
        "/",
        "%",
        # array
        "map",
        "filter",
        "reduce",
        "all",
        "some",
        "none",
        "merge",
        "in",
        # string
        "cat",
        "substr",
    }
)

_CACHE_SIZE: Final[int] = 1024
_MAX_BUDGET: Final[int] = 2**63 - 1  # the engine counts operations in a u64
# datalogic's default turns ``x / null`` and ``x % null`` into +-f64::MAX; json-logic-engine
# (like JavaScript) gets NaN and fails. Failing is the safe answer, so the server fails too.
_ENGINE: Final[datalogic_py.Engine] = datalogic_py.Engine(
    config={"division_by_zero": "throw_error"}
)


class RuleError(Exception):
    """Base class of every error this module raises about a rule.

    ``code`` is a stable machine code (for APIs and translations); ``message`` is readable
    English for the person who wrote the rule.
    """

    code: str = "rule_error"

    def __init__(self, message: str, *, operator: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.operator = operator

    def __str__(self) -> str:
        return self.message


class RuleSyntaxError(RuleError):
    """The rule is malformed: not JSON, an unknown operator, wrong number of arguments..."""

    code = "rule_invalid"

    def __init__(
        self,
        message: str,
        *,
        operator: str | None = None,
        problems: tuple[Problem, ...] = (),
    ) -> None:
        super().__init__(message, operator=operator)
        self.problems = problems


class RuleEvaluationError(RuleError):
    """The rule is well-formed but failed while running against some data."""

    code = "rule_failed"


class RuleBudgetExceeded(RuleEvaluationError):
    """The rule spent more operations than its budget allows."""

    code = "rule_budget_exceeded"

    def __init__(self, budget: int, *, operator: str | None = None) -> None:
        super().__init__(
            f"The rule used more than {budget} operations, the most one evaluation may use. "
            "Simplify it or make it work on less data.",
            operator=operator,
        )
        self.budget = budget


@dataclass(frozen=True)
class Problem:
    """One readable problem ``check`` found in a rule.

    ``pointer`` is an RFC 6901 JSON pointer to the offending part of the rule ("" = root).
    """

    code: str
    message: str
    pointer: str


class CompiledRule:
    """A validated, compiled rule. Cheap to evaluate many times; safe to share across threads.

    ``rule`` is the rule as plain JSON (compiled rules are cached and shared: do not mutate
    it).
    """

    __slots__ = ("_compiled", "_reads", "rule")

    def __init__(self, rule: Any, compiled: datalogic_py.Rule) -> None:
        self.rule: Any = rule
        self._compiled = compiled
        self._reads: list[str] | None = None

    def __repr__(self) -> str:
        text = json.dumps(self.rule, ensure_ascii=False)
        if len(text) > 80:
            text = text[:77] + "..."
        return f"CompiledRule({text})"

    def evaluate(self, data: Any, *, budget: int = DEFAULT_BUDGET, trusted: bool = False) -> Any:
        """Run the rule against ``data`` (any JSON value) and return the JSON result.

        ``trusted``: the caller guarantees ``data`` holds only JSON values (no NaN, sets or
        other objects) — the engine's and the forms' data do — which skips a JSON encoding.
        Raises ``RuleEvaluationError`` (or its subclass ``RuleBudgetExceeded``) on failure.
        """
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise ValueError(f"budget must be a positive int, not {budget!r}")
        if trusted and isinstance(data, dict | list):
            # Data known to be JSON-shaped goes to datalogic as it is (about 5x faster than
            # JSON text). Values datalogic cannot take (huge integers) take the text path.
            try:
                result_json, _ops = self._compiled.evaluate_metered(data, min(budget, _MAX_BUDGET))
                return json.loads(result_json)
            except datalogic_py.ParseError:
                pass
            except datalogic_py.DataLogicError as exc:
                raise _translate(exc, budget=budget) from None
        data_json = _data_to_json(data)
        try:
            result_json, _ops = self._compiled.evaluate_metered(data_json, min(budget, _MAX_BUDGET))
        except datalogic_py.DataLogicError as exc:
            raise _translate(exc, budget=budget) from None
        return json.loads(result_json)

    def truthy(self, data: Any, *, budget: int = DEFAULT_BUDGET, trusted: bool = False) -> bool:
        """Whether the rule's result is truthy (what ``{"!!": rule}`` would give)."""
        return is_truthy(self.evaluate(data, budget=budget, trusted=trusted))

    def reads(self) -> list[str]:
        """Dotted paths of the data the rule reads, sorted and unique.

        ``"location.lat"`` for ``{"var": "location.lat"}``; ``""`` when the rule reads the
        whole data (``{"var": ""}``). Reads inside ``map``/``filter``/... bodies refer to the
        current item and are not listed; paths computed at run time
        (``{"var": {"cat": ...}}``) cannot be known and are not listed either.
        """
        if self._reads is None:
            facts = self._compiled.facts()
            self._reads = sorted({".".join(path) for path in facts["reads"]})
        return list(self._reads)


def compile(rule: Any) -> CompiledRule:
    """Validate and compile ``rule``; raises ``RuleSyntaxError`` with a readable message.

    Compiled rules are cached by canonical JSON, so compiling the same rule again is cheap
    (and returns the same object).
    """
    return _compile_canonical(_canonical(rule))


def evaluate(rule: Any, data: Any, *, budget: int = DEFAULT_BUDGET) -> Any:
    """Compile (cached) and evaluate ``rule`` against ``data``."""
    return compile(rule).evaluate(data, budget=budget)


def is_truthy(value: Any) -> bool:
    """JSON Logic truthiness, as both engines define it.

    Falsy: ``None``, ``False``, ``0``, ``0.0``, NaN, ``""``, ``[]``, ``{}``. Everything else
    is truthy (including ``"0"``, ``"false"``, ``[0]`` and ``{"a": null}``).
    """
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return value != 0
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0
    return True


def check(rule: Any) -> list[Problem]:
    """Every readable problem in ``rule``; ``[]`` when ``compile`` would accept it.

    Never raises.
    """
    try:
        compile(rule)
    except RuleSyntaxError as exc:
        if exc.problems:
            return list(exc.problems)
        return [Problem(exc.code, exc.message, "")]
    except Exception as exc:  # noqa: BLE001 - defensive: check() must never raise
        return [Problem("rule_invalid", f"The rule could not be checked: {exc}", "")]
    return []


# --- internals --------------------------------------------------------------------------


def _canonical(rule: Any) -> str:
    try:
        return json.dumps(rule, sort_keys=True, allow_nan=False, separators=(",", ":"))
    except RecursionError:
        raise RuleSyntaxError(
            f"The rule is nested too deeply (more than {MAX_NESTING} levels)."
        ) from None
    except (TypeError, ValueError) as exc:
        raise RuleSyntaxError(f"The rule is not valid JSON: {exc}.") from None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _compile_canonical(canonical: str) -> CompiledRule:
    rule = json.loads(canonical)
    problems = list(_structural_problems(rule))
    if not problems:
        problems = _engine_problems(canonical)
    if problems:
        first = problems[0]
        message = first.message
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem(s))"
        raise RuleSyntaxError(message, problems=tuple(problems))
    try:
        compiled = _ENGINE.compile(canonical)
    except datalogic_py.DataLogicError as exc:
        raise RuleSyntaxError(
            f"The rule is invalid: {_engine_message(exc)}.", operator=exc.operator
        ) from None
    return CompiledRule(rule, compiled)


def _pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _structural_problems(node: Any, pointer: str = "", depth: int = 0) -> Iterator[Problem]:
    """Problems the engines would not report the same way: unknown operators, bad objects."""
    if depth > MAX_NESTING:
        yield Problem(
            "too_deep",
            f"The rule is nested too deeply (more than {MAX_NESTING} levels).",
            pointer,
        )
        return
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _structural_problems(item, f"{pointer}/{index}", depth + 1)
    elif isinstance(node, dict):
        if not node:
            return  # {} is a literal empty object in both engines
        if len(node) > 1:
            keys = ", ".join(repr(key) for key in sorted(node))
            yield Problem(
                "not_an_operator",
                f"An object in a rule must have exactly one key, the operator; this one has "
                f"{len(node)} ({keys}).",
                pointer,
            )
            return
        ((operator, args),) = node.items()
        if operator not in SUPPORTED_OPERATORS:
            yield Problem(
                "unknown_operator",
                f"Unknown operator {operator!r}. Supported operators: "
                f"{', '.join(sorted(SUPPORTED_OPERATORS))}.",
                pointer,
            )
            return
        if operator == "var":
            path = args[0] if isinstance(args, list) and args else args
            if isinstance(path, str) and path.startswith("../"):
                yield Problem(
                    "unsupported_parent_scope",
                    f"The path {path!r} reads outside the current item; '../' paths are not "
                    "supported. Read what you need before the map/filter/reduce instead.",
                    pointer,
                )
        yield from _structural_problems(args, f"{pointer}/{_pointer_token(operator)}", depth + 1)


def _engine_problems(canonical: str) -> list[Problem]:
    try:
        diagnostics = _ENGINE.check(canonical)
    except datalogic_py.DataLogicError as exc:
        return [Problem("rule_invalid", f"The rule is invalid: {_engine_message(exc)}.", "")]
    problems = []
    for diagnostic in diagnostics:
        if diagnostic["severity"] != "error":
            continue
        message = diagnostic["message"].replace("`", "'")
        problems.append(
            Problem(
                _snake_case(diagnostic["code"]),
                message[:1].upper() + message[1:] + ".",
                diagnostic["pointer"],
            )
        )
    return problems


def _snake_case(name: str) -> str:
    out: list[str] = []
    for index, char in enumerate(name):
        if char.isupper() and index:
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def _data_to_json(data: Any) -> str:
    try:
        return json.dumps(data, allow_nan=False, separators=(",", ":"))
    except RecursionError:
        raise RuleEvaluationError("The data is nested too deeply to evaluate.") from None
    except (TypeError, ValueError) as exc:
        raise RuleEvaluationError(f"The data is not valid JSON: {exc}.") from None


def _engine_message(exc: datalogic_py.DataLogicError) -> str:
    text = str(exc)
    suffix = f" (in operator: {exc.operator})"
    if exc.operator and text.endswith(suffix):
        text = text[: -len(suffix)]
    return text


def _translate(exc: datalogic_py.DataLogicError, *, budget: int) -> RuleError:
    error_type = getattr(exc, "error_type", "")
    operator = getattr(exc, "operator", None)
    where = f" in operator {operator!r}" if operator else ""
    if error_type == "BudgetExceeded":
        return RuleBudgetExceeded(budget, operator=operator)
    if error_type == "InvalidOperator":
        return RuleSyntaxError(
            f"The rule uses an unknown operator{where}: {_engine_message(exc)}.",
            operator=operator,
        )
    if error_type == "Thrown" and '"NaN"' in str(exc):
        return RuleEvaluationError(
            f"The rule failed{where}: a value is not a number (or a division by zero).",
            operator=operator,
        )
    if error_type == "InvalidArguments":
        return RuleEvaluationError(
            f"The rule failed{where}: the operator got arguments it cannot use.",
            operator=operator,
        )
    return RuleEvaluationError(
        f"The rule failed{where}: {_engine_message(exc)}.", operator=operator
    )
