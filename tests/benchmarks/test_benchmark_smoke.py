"""The engine benchmark in quick mode: both engines end every case the way the process
says, and the output is one JSON object per line with the expected figures.

Nothing here looks at timings.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest

pytest.importorskip("SpiffWorkflow", reason="SpiffWorkflow (dev extra) is not installed")

from tests.benchmarks import engine as bench  # noqa: E402

QUICK = bench.Settings.quick(cases=12)


@pytest.fixture(scope="module")
def definition() -> bench.WorkflowDef:
    return bench.lcnc_workflow()


@pytest.fixture(scope="module")
def process() -> bench.SpiffProcess:
    return bench.spiff_process()


def test_the_case_mix_is_deterministic_and_takes_both_branches() -> None:
    cases = bench.make_cases(40, seed=7)
    assert cases == bench.make_cases(40, seed=7)
    assert cases != bench.make_cases(40, seed=8)
    handlers = {case.expected.handler for case in cases}
    assert handlers == {"handle_water", "handle_urban"}
    # minor flooding goes to the urban agency: the severity half of the rule matters
    assert any(c.category == "flooding" and c.severity < 3 for c in cases)


@pytest.mark.parametrize("serialize", [False, True], ids=["in_memory", "serialized"])
def test_both_engines_end_every_case_as_the_process_says(
    definition: bench.WorkflowDef, process: bench.SpiffProcess, serialize: bool
) -> None:
    for case in bench.make_cases(QUICK.cases, QUICK.seed):
        want = case.expected
        assert want.outcome == "resolved" and want.tasks == 3
        assert bench.run_lcnc_case(definition, case, serialize=serialize) == want, case
        assert bench.run_spiff_case(process, case, serialize=serialize) == want, case


@pytest.mark.parametrize(
    ("category", "severity", "handler", "agency"),
    [
        ("flooding", 3, "handle_water", "water"),
        ("flooding", 5, "handle_water", "water"),
        ("flooding", 2, "handle_urban", "urban"),
        ("pothole", 5, "handle_urban", "urban"),
        ("other", 1, "handle_urban", "urban"),
    ],
)
def test_routing_at_the_edges(
    definition: bench.WorkflowDef,
    process: bench.SpiffProcess,
    category: str,
    severity: int,
    handler: str,
    agency: str,
) -> None:
    want = bench.Outcome(handler, agency, "resolved", 3)
    case = bench.Case(0, category, severity, bench.expected_outcome(category, severity))
    assert case.expected == want
    assert bench.run_lcnc_case(definition, case) == want
    assert bench.run_spiff_case(process, case) == want


def test_a_wrong_outcome_is_counted_as_a_mismatch(definition: bench.WorkflowDef) -> None:
    [case] = bench.make_cases(1)
    wrong = case._replace(expected=case.expected._replace(agency="nobody"))
    measured = bench.measure_cases(
        lambda c: bench.run_lcnc_case(definition, c), [wrong], min_seconds=0, warmup=0
    )
    assert (measured.cases, measured.mismatches) == (1, 1)
    assert "nobody" in measured.first_mismatch


def test_quick_run_prints_one_json_line_per_figure() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        status = bench.main(["--quick", "--cases", "6"])
    assert status == 0
    lines = [json.loads(text) for text in out.getvalue().splitlines()]
    assert all(isinstance(line, dict) for line in lines)
    keys = [(line["figure"], line.get("engine")) for line in lines]
    assert keys == [
        ("environment", None),
        ("cases_per_second_in_memory", "lcnc"),
        ("cases_per_second_in_memory", "spiffworkflow"),
        ("cases_per_second_in_memory", "ratio_lcnc_over_spiff"),
        ("cases_per_second_serialized", "lcnc"),
        ("cases_per_second_serialized", "spiffworkflow"),
        ("cases_per_second_serialized", "ratio_lcnc_over_spiff"),
        ("rule_evaluation_microseconds", "lcnc"),
        ("rule_evaluation_microseconds", "lcnc_engine_path"),
    ]
    environment = lines[0]
    assert environment["spiffworkflow"] == bench.SPIFF_VERSION
    assert environment["python"].startswith("3.")
    assert environment["cases"] == 6
    for line in lines[1:]:
        assert isinstance(line["value"], int | float) and line["value"] > 0
        if line["engine"] != "ratio_lcnc_over_spiff":
            assert line["mismatches"] == 0
    assert {line["figure"] for line in lines} == set(bench.FIGURES)
    assert {line.get("engine") for line in lines[1:]} == set(bench.ENGINES)
