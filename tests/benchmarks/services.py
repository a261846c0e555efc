"""Services benchmark: whole field-report cases through LCNC's services, with real
persistence, against the same process in django-viewflow, on the same database in the
same run.

::

    .venv/bin/python -m tests.benchmarks.services --db sqlite
    .venv/bin/python -m tests.benchmarks.services --db postgres        # 127.0.0.1:5432, trust
    .venv/bin/python -m tests.benchmarks.services --db postgres --repetitions 5 --min-seconds 8
    .venv/bin/python -m tests.benchmarks.services --db sqlite --quick  # smoke run
    .venv/bin/python -m tests.benchmarks.services --db sqlite --profile lcnc   # cProfile
    .venv/bin/python -m tests.benchmarks.services --db sqlite --sql lcnc       # one case's SQL

A case is what a citizen and three officials do, each step its own transaction, through
the functions the API views call::

    submit    published_form + case_open (an anonymous citizen, as POST .../submissions/)
    triage    task_to_act_on + task_claim, then task_to_act_on + task_complete (dispatcher)
    handle    the same, by the agency the decision chose (drainage or transport)
    approve   the same, by the dispatcher
    -> the case is closed with the outcome "resolved"

viewflow runs ``viewflow_flow.flows.FieldReportFlow`` (the same shape) the way its own
views do: the start activation created, started and executed in one transaction; each
task assigned ("claimed") and then executed, each under the flow's lock
(``SELECT ... FOR UPDATE`` of the process row) after reading the task and checking the
user's permission. Users are passed as fresh objects to every step, as a request
authenticates them afresh (no permission cache carried from one step to the next).

Prints one JSON object per line: the environment, then for every repetition each side's
cases per second and the ratio, SQL statements per step, and a summary (median and
range over the repetitions). Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APP_KEY = "bench_field_reports"
FORM_KEY = "citizen_report"
PG_DATABASE = "lcnc_perf_services"
STEPS = ("submit", "claim", "complete")
SIDES = ("lcnc", "viewflow")

#: The agency task of each category, and who does it (LCNC user / viewflow permission).
HANDLERS = {
    "flooding": ("thoatnuoc", "handle_drainage"),
    "pothole": ("giaothong", "handle_transport"),
}
DISPATCHER = "dieuphoi"
CITIZEN = "congdan"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL"
    )
    parser.add_argument(
        "--pg-options",
        default="",
        help="JSON merged into DATABASES OPTIONS, e.g. '{\"server_side_binding\": false}'",
    )
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--min-seconds", type=float, default=5.0)
    parser.add_argument("--chunk", type=int, default=5, help="cases per turn")
    parser.add_argument("--quick", action="store_true", help="a smoke run: figures meaningless")
    parser.add_argument("--profile", choices=SIDES, help="cProfile one side to stderr")
    parser.add_argument("--sql", choices=SIDES, help="print one case's statements to stderr")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- database


def _configure(args: argparse.Namespace) -> Callable[[], None]:
    """Point Django at a fresh database; returns what drops it afterwards."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.settings"
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    if args.db == "sqlite":
        path = ROOT / "var" / "bench" / "services.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"

        def drop() -> None:
            if not args.keep:
                for leftover in path.parent.glob(path.name + "*"):
                    leftover.unlink()

        return drop
    import psycopg

    server = args.pg.rstrip("/")

    def admin(sql: str) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    admin(f"CREATE DATABASE {PG_DATABASE}")
    os.environ["DATABASE_URL"] = f"{server}/{PG_DATABASE}"
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")

    def drop_pg() -> None:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")

    return drop_pg


def bench_bundle() -> dict[str, Any]:
    """The field-reports sample app with an approval after the agency's work (the shape
    of the engine benchmark: three officials' tasks per case), under its own key."""
    bundle = json.loads((ROOT / "fixtures" / "apps" / "field_reports.json").read_text("utf-8"))
    bundle["app"]["key"] = APP_KEY
    bundle.pop("tests", None)  # the sample's saved tests expect no approval step
    (workflow,) = bundle["workflows"]
    for transition in workflow["transitions"]:
        if transition["from"].startswith("handle_") and transition["to"] == "resolved":
            transition["to"] = "approve_closure"
    workflow["nodes"].append(
        {
            "id": "approve_closure",
            "type": "human_task",
            "label": {"vi": "Duyệt kết thúc", "en": "Approve the closure"},
            "assignment": {"agency": "ioc", "role": "dispatcher"},
            "actions": [{"key": "approve", "label": {"vi": "Duyệt", "en": "Approve"}}],
        }
    )
    workflow["transitions"].append(
        {"from": "approve_closure", "to": "resolved", "action": "approve"}
    )
    return bundle


def _prepare() -> None:
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command

    from apps.accounts.models import User
    from apps.builder.services import bundle_import

    call_command("migrate", run_syncdb=True, verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    bundle_import(bundle=bench_bundle(), note="services benchmark")
    # viewflow: one group per permission, held by the same officials as LCNC's roles.
    grants = {
        DISPATCHER: ["triage_report", "approve_closure"],
        HANDLERS["flooding"][0]: ["handle_drainage"],
        HANDLERS["pothole"][0]: ["handle_transport"],
    }
    for username, codenames in grants.items():
        user = User.objects.get(username=username)
        for codename in codenames:
            group, _created = Group.objects.get_or_create(name=f"bench {codename}")
            group.permissions.add(
                Permission.objects.get(content_type__app_label="bench_viewflow", codename=codename)
            )
            user.groups.add(group)


# --------------------------------------------------------------------------- counting


class Statements:
    """Counts the SQL statements each step sends (a Django execute wrapper)."""

    def __init__(self) -> None:
        self.step: str | None = None
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str]] | None = None

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.step is not None:
            self.counts[self.step] += 1
            if self.log is not None:
                self.log.append((self.step, sql))
        return execute(sql, params, many, context)


class Clock:
    """Adds up the time spent in steps (not in the bookkeeping between them)."""

    def __init__(self, statements: Statements) -> None:
        self.statements = statements
        self.seconds = 0.0

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.statements.step = name
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - start
            self.statements.step = None


def _fresh(user: Any) -> Any:
    """A new instance of ``user`` without any cache, as a request's authentication gives."""
    names = [f.attname for f in user._meta.concrete_fields]
    return type(user).from_db("default", names, [getattr(user, n) for n in names])


def _category(number: int) -> str:
    return "flooding" if number % 2 == 0 else "pothole"


# --------------------------------------------------------------------------- LCNC


class Lcnc:
    name = "lcnc"

    def __init__(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        from apps.accounts.models import User

        self.users = {u.username: u for u in User.objects.all()}
        self.anonymous = AnonymousUser()

    def case(self, number: int, clock: Clock) -> bool:
        from apps.builder.selectors import published_form
        from apps.records.models import Record
        from apps.runtime.models import Task
        from apps.runtime.selectors import task_to_act_on
        from apps.runtime.services import case_open, task_claim, task_complete

        category = _category(number)
        raw = {
            "category": category,
            "description": f"Phản ánh số {number}: đường 30 Tháng 4 ngập sâu sau mưa.",
            "location": {"lat": "10.0286", "lng": "105.7703", "address": "Đường 30/4"},
            "district": "ninh_kieu",
            "reporter_name": "Nguyễn Thị Mai",
        }
        with clock.step("submit"):
            version, app_def, form = published_form(APP_KEY, FORM_KEY)
            submission = case_open(
                version=version,
                app_def=app_def,
                form=form,
                raw=raw,
                user=self.anonymous,
                door="api",
                site_url="http://127.0.0.1:8000/",
                language="vi",
            )
        record = submission.record
        steps = [
            (DISPATCHER, "accept", {"category": category, "severity": 3}),
            (HANDLERS[category][0], "resolve", {"resolution_note": f"Đã xử lý số {number}."}),
            (DISPATCHER, "approve", {}),
        ]
        for username, action, data in steps:
            task_uuid = (
                Task.objects.filter(instance__record=record, status=Task.Status.OPEN)
                .values_list("uuid", flat=True)
                .get()
            )
            with clock.step("claim"):
                user = _fresh(self.users[username])
                task_claim(task=task_to_act_on(user, task_uuid=task_uuid), user=user)
            with clock.step("complete"):
                user = _fresh(self.users[username])
                task = task_to_act_on(user, task_uuid=task_uuid)
                task_complete(task=task, user=user, action=action, data=data)
        record = Record.objects.get(pk=record.pk)
        return record.status == Record.Status.CLOSED and record.outcome == "resolved"


# --------------------------------------------------------------------------- viewflow


class Viewflow:
    name = "viewflow"

    def __init__(self) -> None:
        from apps.accounts.models import User

        self.users = {u.username: u for u in User.objects.all()}

    def case(self, number: int, clock: Clock) -> bool:
        from django.db import transaction
        from django.shortcuts import get_object_or_404
        from viewflow.workflow.models import Task
        from viewflow.workflow.status import PROCESS, STATUS

        from tests.benchmarks.viewflow_flow.flows import FieldReportFlow

        category = _category(number)
        start = FieldReportFlow.start
        with clock.step("submit"), transaction.atomic():
            citizen = _fresh(self.users[CITIZEN])
            activation = start.activation_class.create(start, None, None)
            if not start.can_execute(citizen, activation.task):
                raise PermissionError("start")
            activation.start(SimpleNamespace(user=citizen))
            process = activation.process
            process.description = f"Phản ánh số {number}: đường 30 Tháng 4 ngập sâu sau mưa."
            process.district = "ninh_kieu"
            process.reporter_name = "Nguyễn Thị Mai"
            process.save()
            activation.execute()
        process_pk = process.pk
        steps = [
            (DISPATCHER, {"category": category, "severity": 3}),
            (HANDLERS[category][0], {"resolution_note": f"Đã xử lý số {number}."}),
            (DISPATCHER, {}),
        ]
        for username, data in steps:
            task_pk = (
                Task.objects.filter(process_id=process_pk, status=STATUS.NEW)
                .values_list("pk", flat=True)
                .get()
            )
            with clock.step("claim"), FieldReportFlow.lock(process_pk), transaction.atomic():
                user = _fresh(self.users[username])
                task = get_object_or_404(Task, pk=task_pk)
                if task.process.flow_class != FieldReportFlow:
                    raise LookupError(task_pk)
                flow_task = task.flow_task
                activation = flow_task.activation_class(task)
                if not flow_task.can_assign(user, task):
                    raise PermissionError(flow_task.name)
                activation.assign(user)
            with clock.step("complete"), FieldReportFlow.lock(process_pk), transaction.atomic():
                user = _fresh(self.users[username])
                task = get_object_or_404(Task, pk=task_pk)
                if task.process.flow_class != FieldReportFlow:
                    raise LookupError(task_pk)
                flow_task = task.flow_task
                activation = flow_task.activation_class(task)
                if not flow_task.can_execute(user, task):
                    raise PermissionError(flow_task.name)
                activation.start(SimpleNamespace(user=user))
                process = activation.process
                for key, value in data.items():
                    setattr(process, key, value)
                process.save()  # what the task's model form does
                activation.execute()
        process = FieldReportFlow.process_class.objects.get(pk=process_pk)
        return process.status == PROCESS.DONE


# --------------------------------------------------------------------------- running


def _environment(args: argparse.Namespace) -> dict[str, Any]:
    import django
    from django.db import connection

    version = ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {
        "figure": "environment",
        "db": args.db,
        "db_version": version,
        "db_options": {
            k: v for k, v in connection.settings_dict.get("OPTIONS", {}).items() if k != "pool"
        },
        "python": platform.python_version(),
        "django": django.get_version(),
        "viewflow": _version("django-viewflow"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "repetitions": args.repetitions,
        "min_seconds": args.min_seconds,
    }


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _run(sides: list[Any], args: argparse.Namespace, statements: Statements) -> dict[str, Any]:
    """Both sides take turns, ``chunk`` cases at a time (the next turn goes to the side
    with less time so far) until each has run ``min_seconds``."""
    clocks = {side.name: Clock(statements) for side in sides}
    cases = dict.fromkeys(clocks, 0)
    failures = dict.fromkeys(clocks, 0)
    counts = {name: Counter() for name in clocks}
    number = 0
    gc.collect()
    while True:
        pending = [
            s for s in sides if clocks[s.name].seconds < args.min_seconds or not cases[s.name]
        ]
        if not pending:
            break
        side = min(pending, key=lambda s: clocks[s.name].seconds)
        statements.counts = counts[side.name]
        for _ in range(args.chunk):
            number += 1
            if not side.case(number, clocks[side.name]):
                failures[side.name] += 1
            cases[side.name] += 1
    return {
        name: {
            "cases": cases[name],
            "seconds": round(clocks[name].seconds, 3),
            "value": round(cases[name] / clocks[name].seconds, 2),
            "failures": failures[name],
            "statements_per_case": {
                step: round(counts[name][step] / cases[name], 2) for step in STEPS
            }
            | {"total": round(sum(counts[name].values()) / cases[name], 2)},
        }
        for name in clocks
    }


def _print(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.quick:
        args.repetitions, args.min_seconds, args.chunk = 1, 0.0, 2
    drop = _configure(args)
    import django

    django.setup()
    if args.pg_options and args.db == "postgres":
        from django.db import connection

        connection.close()
        connection.settings_dict.setdefault("OPTIONS", {}).update(json.loads(args.pg_options))
    from django.db import connection

    try:
        _prepare()
        statements = Statements()
        sides = [Lcnc(), Viewflow()]
        with connection.execute_wrapper(statements):
            warm = Clock(statements)
            for side in sides:  # warm-up: caches, prepared statements; not counted
                for number in range(3):
                    side.case(10_000_000 + number, warm)
            statements.counts = Counter()
            if args.sql or args.profile:
                return _inspect(args, sides, statements)
            _print(_environment(args))
            ratios = []
            per_side: dict[str, list[float]] = {name: [] for name in SIDES}
            for repetition in range(1, args.repetitions + 1):
                result = _run(sides, args, statements)
                for name in SIDES:
                    per_side[name].append(result[name]["value"])
                    _print(
                        {
                            "figure": "cases_per_second",
                            "db": args.db,
                            "side": name,
                            "repetition": repetition,
                            **result[name],
                        }
                    )
                ratio = result["lcnc"]["value"] / result["viewflow"]["value"]
                ratios.append(ratio)
                _print(
                    {
                        "figure": "cases_per_second",
                        "db": args.db,
                        "side": "ratio_lcnc_over_viewflow",
                        "repetition": repetition,
                        "value": round(ratio, 3),
                    }
                )
            for name, values in [*per_side.items(), ("ratio_lcnc_over_viewflow", ratios)]:
                _print(
                    {
                        "figure": "summary",
                        "db": args.db,
                        "side": name,
                        "median": round(statistics.median(values), 3),
                        "min": round(min(values), 3),
                        "max": round(max(values), 3),
                    }
                )
        return 0
    finally:
        drop()


def _inspect(args: argparse.Namespace, sides: list[Any], statements: Statements) -> int:
    side = next(s for s in sides if s.name == (args.sql or args.profile))
    clock = Clock(statements)
    if args.sql:
        statements.log = []
        side.case(20_000_000, clock)
        for step, sql in statements.log:
            print(f"{step:9} {sql[:150]}", file=sys.stderr)
        print(json.dumps(dict(statements.counts)), file=sys.stderr)
        return 0
    profiler = cProfile.Profile()
    started = time.perf_counter()
    number = 20_000_000
    profiler.enable()
    while time.perf_counter() - started < max(args.min_seconds, 1.0):
        number += 1
        side.case(number, clock)
    profiler.disable()
    print(f"{number - 20_000_000} cases", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
