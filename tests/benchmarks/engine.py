"""Engine benchmark: LCNC's workflow engine against SpiffWorkflow on the field-report process.

::

    .venv/bin/python -m tests.benchmarks.engine              # the real run (~1 min)
    .venv/bin/python -m tests.benchmarks.engine --quick      # a smoke run (~1 s)
    .venv/bin/python -m tests.benchmarks.engine --cases 1000 --min-seconds 3 --seed 7
    .venv/bin/python -m tests.benchmarks.engine --profile 30   # cProfile of our engine

The process (three human tasks per case), built here as an LCNC workflow and in
``field_report.bpmn`` as plain BPMN 2.0::

    start -> triage (sets category, severity) -> route
      route: category == "flooding" and severity >= 3 -> handle_water (agency "water")
             otherwise                                -> handle_urban (agency "urban")
    -> approve_closure -> resolved

Both engines run the same seeded case mix and every case is checked (handler, agency,
outcome, number of tasks); a mismatch fails the run. Timings are only printed, one JSON
object per line (see ``tests/benchmarks/README.md``); nothing here asserts on them.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.version import __version__ as SPIFF_VERSION

from workflows import engine as lcnc
from workflows import events as ev
from workflows import rules
from workflows.definition import WorkflowDef, ensure_valid_bundle
from workflows.effects import CancelTask, CloseCase, CompleteTask, CreateTask
from workflows.state import RUNNING

BPMN_PATH = Path(__file__).with_name("field_report.bpmn")
PROCESS_ID = "field_report"
WORKFLOW_KEY = "field_report_bench"

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
CITIZEN: dict[str, Any] = {"kind": "citizen", "id": "c-1", "name": "Nguyễn Thị Mai"}
OFFICIAL: dict[str, Any] = {"kind": "user", "id": "u-1", "name": "Trần Văn Điều"}

#: The routing rule of the decision (the BPMN gateway has the same one in Python).
ROUTE_RULE: dict[str, Any] = {
    "and": [{"==": [{"var": "category"}, "flooding"]}, {">=": [{"var": "severity"}, 3]}]
}
#: The LCNC action an official takes on each human task.
ACTIONS = {
    "triage": "accept",
    "handle_water": "resolve",
    "handle_urban": "resolve",
    "approve_closure": "approve",
}
#: The agency (LCNC) / lane (BPMN) of each handling task.
HANDLERS = {"handle_water": "water", "handle_urban": "urban"}
TASKS_PER_CASE = 3
MAX_TASKS = 10  # a case that asks for more is broken; stop instead of looping

FIGURES = (
    "environment",
    "cases_per_second_in_memory",
    "cases_per_second_serialized",
    "rule_evaluation_microseconds",
)
ENGINES = ("lcnc", "spiffworkflow", "ratio_lcnc_over_spiff", "lcnc_engine_path")


# --------------------------------------------------------------------------- cases


class Outcome(NamedTuple):
    """How a case ended: who handled it, in which agency, with what outcome."""

    handler: str | None
    agency: str | None
    outcome: str
    tasks: int


class Case(NamedTuple):
    number: int
    category: str
    severity: int
    expected: Outcome


def expected_outcome(category: str, severity: int) -> Outcome:
    handler = "handle_water" if category == "flooding" and severity >= 3 else "handle_urban"
    return Outcome(handler, HANDLERS[handler], "resolved", TASKS_PER_CASE)


def make_cases(count: int, seed: int = 2026) -> list[Case]:
    """``count`` cases, deterministic for ``seed``: about 60% serious flooding (-> water),
    15% minor flooding (severity 1-2 -> urban), 25% potholes and others (-> urban)."""
    rng = random.Random(seed)
    cases = []
    for number in range(count):
        roll = rng.random()
        if roll < 0.60:
            category, severity = "flooding", rng.randint(3, 5)
        elif roll < 0.75:
            category, severity = "flooding", rng.randint(1, 2)
        else:
            category, severity = rng.choice(("pothole", "other")), rng.randint(1, 5)
        cases.append(Case(number, category, severity, expected_outcome(category, severity)))
    return cases


def initial_data(case: Case) -> dict[str, Any]:
    """What the citizen submitted."""
    return {"description": f"Phản ánh số {case.number}: sự cố trên đường 30 Tháng 4, Ninh Kiều."}


def task_data(case: Case, task: str) -> dict[str, Any]:
    """What the official enters when completing ``task``."""
    if task == "triage":
        return {"category": case.category, "severity": case.severity}
    if task in HANDLERS:
        return {"resolution_note": f"Đã xử lý phản ánh số {case.number}."}
    return {}


# --------------------------------------------------------------------------- LCNC


def _label(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _task(node_id: str, label: dict[str, str], agency: str, role: str, **extra: Any) -> dict:
    action = ACTIONS[node_id]
    return {
        "id": node_id,
        "type": "human_task",
        "label": label,
        "assignment": {"agency": agency, "role": role},
        "actions": [{"key": action, "label": _label(action, action.capitalize())}],
        **extra,
    }


def lcnc_bundle() -> dict[str, Any]:
    """The benchmark's app bundle: a minimal entity and the field-report workflow."""
    entity = {
        "schema_version": 1,
        "key": "field_report",
        "label": _label("Phản ánh", "Field report"),
        "fields": [
            {
                "key": "category",
                "type": "choice",
                "label": _label("Loại sự cố", "Kind of problem"),
                "options": [
                    {"value": "flooding", "label": _label("Ngập nước", "Flooding")},
                    {"value": "pothole", "label": _label("Ổ gà", "Pothole")},
                    {"value": "other", "label": _label("Khác", "Other")},
                ],
            },
            {"key": "severity", "type": "number", "label": _label("Mức độ", "Severity")},
            {"key": "description", "type": "long_text", "label": _label("Mô tả", "Description")},
            {
                "key": "resolution_note",
                "type": "long_text",
                "label": _label("Kết quả xử lý", "Resolution"),
            },
        ],
    }
    handler_form = {"form": {"fields": ["resolution_note"]}}
    workflow = {
        "schema_version": 1,
        "key": WORKFLOW_KEY,
        "entity": "field_report",
        "label": _label("Xử lý phản ánh (benchmark)", "Field report handling (benchmark)"),
        "nodes": [
            {"id": "start", "type": "start"},
            _task(
                "triage",
                _label("Phân loại phản ánh", "Triage the report"),
                "ioc",
                "dispatcher",
                form={"fields": ["category", "severity"]},
            ),
            {"id": "route", "type": "decision", "label": _label("Chuyển xử lý", "Route")},
            _task(
                "handle_water",
                _label("Cơ quan cấp thoát nước xử lý", "Water agency handles it"),
                "water",
                "officer",
                **handler_form,
            ),
            _task(
                "handle_urban",
                _label("Cơ quan đô thị xử lý", "Urban agency handles it"),
                "urban",
                "officer",
                **handler_form,
            ),
            _task(
                "approve_closure",
                _label("Duyệt kết thúc", "Approve closure"),
                "ioc",
                "supervisor",
            ),
            {
                "id": "resolved",
                "type": "end",
                "outcome": "resolved",
                "label": _label("Đã xử lý xong", "Resolved"),
            },
        ],
        "transitions": [
            {"from": "start", "to": "triage"},
            {"from": "triage", "to": "route", "action": "accept"},
            {"from": "route", "to": "handle_water", "condition": ROUTE_RULE},
            {"from": "route", "to": "handle_urban", "default": True},
            {"from": "handle_water", "to": "approve_closure", "action": "resolve"},
            {"from": "handle_urban", "to": "approve_closure", "action": "resolve"},
            {"from": "approve_closure", "to": "resolved", "action": "approve"},
        ],
    }
    return {
        "format_version": 1,
        "app": {"key": "benchmark", "label": _label("Benchmark", "Benchmark")},
        "entities": [entity],
        "forms": [],
        "workflows": [workflow],
    }


def lcnc_workflow() -> WorkflowDef:
    """The validated, parsed workflow (parsed once, as a server caches it)."""
    return ensure_valid_bundle(lcnc_bundle()).workflows[WORKFLOW_KEY]


def run_lcnc_case(
    definition: WorkflowDef,
    case: Case,
    *,
    serialize: bool = False,
    sizes: list[int] | None = None,
) -> Outcome:
    """Start ``case`` and complete its tasks one by one until the case closes.

    Open tasks are followed through the effects, as the server's task table is: a
    ``CreateTask`` opens one, ``CompleteTask``/``CancelTask`` closes it. With ``serialize``
    the state goes through ``json.dumps`` after every engine call and ``json.loads`` before
    every event, as a server stores it between requests. ``sizes`` (when given) receives
    the length of the last stored state.
    """
    open_tasks: dict[str, str] = {}  # task id -> node
    handler = agency = None
    outcome = RUNNING
    tasks = 0
    state, effects = lcnc.start(definition, initial_data(case), NOW, CITIZEN)
    blob = json.dumps(state) if serialize else ""
    while True:
        for effect in effects:
            if isinstance(effect, CreateTask):
                open_tasks[effect.task] = effect.node
                if effect.node in HANDLERS:
                    handler, agency = effect.node, effect.agency
            elif isinstance(effect, CompleteTask | CancelTask):
                open_tasks.pop(effect.task, None)
            elif isinstance(effect, CloseCase):
                outcome = effect.outcome
        if not open_tasks or tasks >= MAX_TASKS:
            break
        if serialize:
            state = json.loads(blob)
        task, node = next(iter(open_tasks.items()))
        event = ev.complete_task(task, ACTIONS[node], task_data(case, node), OFFICIAL)
        state, effects = lcnc.handle(definition, state, event, NOW)
        tasks += 1
        if serialize:
            blob = json.dumps(state)
    if sizes is not None:
        sizes.append(len(blob))
    if state["status"] == RUNNING:
        outcome = RUNNING
    return Outcome(handler, agency, outcome, tasks)


# --------------------------------------------------------------------------- SpiffWorkflow


@dataclass(frozen=True)
class SpiffProcess:
    """The parsed BPMN process (parsed once) and a serializer."""

    spec: Any
    subprocess_specs: dict[str, Any]
    serializer: BpmnWorkflowSerializer


def spiff_process(path: Path = BPMN_PATH) -> SpiffProcess:
    parser = BpmnParser(validator=BpmnValidator())  # also checks the file against the XSD
    parser.add_bpmn_file(str(path))
    return SpiffProcess(
        spec=parser.get_spec(PROCESS_ID),
        subprocess_specs=parser.get_subprocess_specs(PROCESS_ID),
        serializer=BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure()),
    )


def run_spiff_case(
    process: SpiffProcess,
    case: Case,
    *,
    serialize: bool = False,
    sizes: list[int] | None = None,
) -> Outcome:
    """The same as :func:`run_lcnc_case` with SpiffWorkflow: the serializer's JSON after
    the start and after every task completion, restored before every task completion."""
    serializer = process.serializer
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs)
    workflow.task_tree.data.update(initial_data(case))
    workflow.do_engine_steps()
    blob = serializer.serialize_json(workflow) if serialize else ""
    handler = agency = None
    tasks = 0
    while not workflow.is_completed() and tasks < MAX_TASKS:
        if serialize:
            workflow = serializer.deserialize_json(blob)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        task = ready[0]
        name = task.task_spec.name
        if name in HANDLERS:
            handler, agency = name, task.task_spec.lane
        task.data.update(task_data(case, name))
        task.run()
        workflow.do_engine_steps()
        tasks += 1
        if serialize:
            blob = serializer.serialize_json(workflow)
    if sizes is not None:
        sizes.append(len(blob))
    ended = workflow.is_completed() and bool(
        workflow.get_tasks(state=TaskState.COMPLETED, spec_name="resolved")
    )
    return Outcome(handler, agency, "resolved" if ended else RUNNING, tasks)


# --------------------------------------------------------------------------- measuring


class MismatchError(AssertionError):
    """An engine ended a case differently from what the process says."""


@dataclass
class Measurement:
    cases: int
    seconds: float
    mismatches: int
    first_mismatch: str = ""

    @property
    def per_second(self) -> float:
        return self.cases / self.seconds if self.seconds > 0 else float("inf")


CHUNK = 10  # cases one engine runs before the next gets its turn


def _timed_chunk(run_one: Callable[[Case], Outcome], cases: Sequence[Case], m: Measurement) -> None:
    """Run the next ``CHUNK`` cases of the list (cycling), adding their time and
    mismatches to ``m``."""
    start = m.cases % len(cases)
    chunk = cases[start : start + CHUNK]
    clock = time.perf_counter
    mismatches = 0
    first = ""
    started = clock()
    for case in chunk:
        got = run_one(case)
        if got != case.expected:
            mismatches += 1
            first = first or f"case {case}: got {got}"
    m.seconds += clock() - started
    m.cases += len(chunk)
    m.mismatches += mismatches
    m.first_mismatch = m.first_mismatch or first


def measure_engines(
    runners: dict[str, Callable[[Case], Outcome]],
    cases: Sequence[Case],
    *,
    min_seconds: float,
    warmup: int,
) -> dict[str, Measurement]:
    """Time each runner over the case list, cycling through it, until each has run every
    case at least once and for at least ``min_seconds``; every outcome is checked.

    The runners take turns in chunks of ``CHUNK`` cases -- the next chunk goes to the
    runner with the least time so far -- so that all of them see the same background load
    on a shared machine and their ratio stays meaningful even when the absolute figures
    move. ``warmup`` cases of each runner run first, untimed.
    """
    if not cases:
        raise ValueError("no cases to run")
    for run_one in runners.values():
        for case in cases[:warmup]:
            run_one(case)
    gc.collect()
    measured = {name: Measurement(0, 0.0, 0) for name in runners}
    while True:
        pending = [
            name for name, m in measured.items() if m.cases < len(cases) or m.seconds < min_seconds
        ]
        if not pending:
            return measured
        name = min(pending, key=lambda n: measured[n].seconds)
        _timed_chunk(runners[name], cases, measured[name])


def measure_cases(
    run_one: Callable[[Case], Outcome],
    cases: Sequence[Case],
    *,
    min_seconds: float,
    warmup: int,
) -> Measurement:
    """:func:`measure_engines` for a single runner."""
    return measure_engines({"one": run_one}, cases, min_seconds=min_seconds, warmup=warmup)["one"]


@dataclass
class RuleMeasurement:
    """Evaluations of the routing rule, timed in batches (microseconds per evaluation)."""

    evaluations: int
    seconds: float
    mismatches: int
    per_batch: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.per_batch)

    @property
    def best(self) -> float:
        return min(self.per_batch)

    @property
    def mean(self) -> float:
        return self.seconds / self.evaluations * 1e6


def measure_rule(
    *, min_seconds: float, batch: int = 2_000, trusted: bool = False
) -> RuleMeasurement:
    """Evaluate the compiled routing rule on small dicts, in batches of ``batch``, until
    ``min_seconds`` passed (at least one batch). Every answer is checked once up front.
    ``trusted`` measures the engine's own path (data known to be JSON-shaped)."""
    compiled = rules.compile(ROUTE_RULE)
    samples = [
        ({"category": "flooding", "severity": 4}, True),
        ({"category": "flooding", "severity": 2}, False),
        ({"category": "other", "severity": 5}, False),
        ({"category": "flooding", "severity": 3}, True),
    ]

    def evaluate(data: dict[str, Any]) -> Any:
        return compiled.evaluate(data, trusted=trusted)

    mismatches = sum(evaluate(data) is not want for data, want in samples)
    datas = [data for data, _ in samples] * max(1, batch // len(samples))
    for data in datas[:1000]:  # warm-up
        evaluate(data)
    gc.collect()
    per_batch = []
    total = 0.0
    clock = time.perf_counter
    while True:
        started = clock()
        for data in datas:
            evaluate(data)
        elapsed = clock() - started
        total += elapsed
        per_batch.append(elapsed / len(datas) * 1e6)
        if total >= min_seconds:
            return RuleMeasurement(len(per_batch) * len(datas), total, mismatches, per_batch)


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Settings:
    cases: int = 200
    seed: int = 2026
    min_seconds: float = 2.0
    warmup: int = 50
    rule_batch: int = 2_000

    @classmethod
    def quick(cls, cases: int = 12, seed: int = 2026) -> Settings:
        return cls(cases=cases, seed=seed, min_seconds=0.0, warmup=2, rule_batch=200)


def _round(value: float) -> float:
    return round(value, 3) if value < 100 else round(value, 1)


def _engine_line(figure: str, engine: str, value: float, m: Measurement) -> dict[str, Any]:
    return {
        "figure": figure,
        "engine": engine,
        "value": _round(value),
        "cases": m.cases,
        "seconds": round(m.seconds, 3),
        "mismatches": m.mismatches,
    }


def run(settings: Settings, emit: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
    """Measure every figure, calling ``emit`` with each line as soon as it is known.

    Raises :class:`MismatchError` (after emitting the figure) when an engine ended a case
    differently from the process.
    """
    lines: list[dict[str, Any]] = []

    def out(line: dict[str, Any]) -> None:
        lines.append(line)
        emit(line)

    definition = lcnc_workflow()
    process = spiff_process()
    cases = make_cases(settings.cases, settings.seed)
    mix: dict[str, int] = {}
    for case in cases:
        handler = case.expected.handler or "none"
        mix[handler] = mix.get(handler, 0) + 1
    out(
        {
            "figure": "environment",
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "spiffworkflow": SPIFF_VERSION,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cases": settings.cases,
            "seed": settings.seed,
            "min_seconds": settings.min_seconds,
            "case_mix": mix,
        }
    )

    def check(m: Measurement, what: str) -> None:
        if m.mismatches:
            raise MismatchError(f"{what}: {m.mismatches} mismatches; first: {m.first_mismatch}")

    def compare(figure: str, serialize: bool) -> None:
        timed = {}
        sizes: dict[str, list[int]] = {"lcnc": [], "spiffworkflow": []}
        run_lcnc_case(definition, cases[0], serialize=serialize, sizes=sizes["lcnc"])
        run_spiff_case(process, cases[0], serialize=serialize, sizes=sizes["spiffworkflow"])
        runners: dict[str, Callable[[Case], Outcome]] = {
            "lcnc": lambda case: run_lcnc_case(definition, case, serialize=serialize),
            "spiffworkflow": lambda case: run_spiff_case(process, case, serialize=serialize),
        }
        measured = measure_engines(
            runners, cases, min_seconds=settings.min_seconds, warmup=settings.warmup
        )
        for engine, m in measured.items():
            line = _engine_line(figure, engine, m.per_second, m)
            if serialize:
                line["state_json_bytes"] = sizes[engine][0]
            out(line)
            check(m, f"{figure} ({engine})")
            timed[engine] = m.per_second
        ratio = timed["lcnc"] / timed["spiffworkflow"]
        out({"figure": figure, "engine": "ratio_lcnc_over_spiff", "value": _round(ratio)})

    compare("cases_per_second_in_memory", serialize=False)
    compare("cases_per_second_serialized", serialize=True)

    for engine_name, trusted in (("lcnc", False), ("lcnc_engine_path", True)):
        rule = measure_rule(
            min_seconds=settings.min_seconds, batch=settings.rule_batch, trusted=trusted
        )
        out(
            {
                "figure": "rule_evaluation_microseconds",
                "engine": engine_name,
                "value": round(rule.median, 3),
                "best": round(rule.best, 3),
                "mean": round(rule.mean, 3),
                "evaluations": rule.evaluations,
                "seconds": round(rule.seconds, 3),
                "mismatches": rule.mismatches,
            }
        )
        if rule.mismatches:
            raise MismatchError(f"the routing rule gave {rule.mismatches} wrong answers")
    return lines


def profile_lcnc(seconds: float, settings: Settings, stream: Any = None) -> None:
    """Run LCNC cases under cProfile for ``seconds`` per mode (in memory, serialized) and
    print the top functions to ``stream`` (stderr): where our engine spends its time."""
    import cProfile
    import pstats

    stream = stream or sys.stderr
    definition = lcnc_workflow()
    cases = make_cases(settings.cases, settings.seed)
    for serialize in (False, True):
        profiler = cProfile.Profile()
        done = 0
        started = time.perf_counter()
        profiler.enable()
        while time.perf_counter() - started < seconds:
            for case in cases:
                run_lcnc_case(definition, case, serialize=serialize)
            done += len(cases)
        profiler.disable()
        mode = "serialized" if serialize else "in memory"
        print(f"=== LCNC {mode}: {done} cases under cProfile", file=stream)
        stats = pstats.Stats(profiler, stream=stream).strip_dirs()
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(25)


def parse_args(argv: Sequence[str] | None) -> tuple[Settings, float]:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.engine",
        description="Cases per second of the LCNC engine and of SpiffWorkflow on the same "
        "field-report process; one JSON line per figure.",
    )
    parser.add_argument("--cases", type=int, help="size of the case mix (default 200)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the case mix")
    parser.add_argument(
        "--min-seconds",
        type=float,
        help="each engine runs the case mix again until it has run this long (default 2)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny, no minimum")
    parser.add_argument(
        "--profile",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="instead of measuring, profile the LCNC engine for SECONDS per mode (to stderr)",
    )
    args = parser.parse_args(argv)
    settings = Settings.quick(seed=args.seed) if args.quick else Settings(seed=args.seed)
    overrides: dict[str, Any] = {}
    if args.cases is not None:
        if args.cases < 1:
            parser.error("--cases must be at least 1")
        overrides["cases"] = args.cases
    if args.min_seconds is not None:
        overrides["min_seconds"] = max(0.0, args.min_seconds)
    if overrides:
        settings = Settings(**{**settings.__dict__, **overrides})
    return settings, max(0.0, args.profile)


def main(argv: Sequence[str] | None = None) -> int:
    settings, profile_seconds = parse_args(argv)
    if profile_seconds:
        profile_lcnc(profile_seconds, settings)
        return 0

    def emit(line: dict[str, Any]) -> None:
        print(json.dumps(line, ensure_ascii=False), flush=True)

    try:
        run(settings, emit)
    except MismatchError as exc:
        print(f"MISMATCH: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
