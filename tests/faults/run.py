"""Run the fault check: ``python -m tests.faults.run [--short] [--n 200] [--seed 1] ...``

It builds an installation of its own (a PostgreSQL database, two redis-servers — the
Celery broker and the cache/channel layer —, a Celery worker, beat, a web server in
production mode, an SMTP sink), submits reports through the portal, the REST API and
Open311 while officials complete the tasks over the API, kills the worker, the web server
and Redis on a schedule drawn from the seed, waits for the system to settle and checks
what an operator would check (see check.py). It prints a JSON summary on standard output
(progress and the list of violations on standard error) and exits 0 when every check
holds, 1 when one does not, 2 when the installation could not be set up, 130 when
interrupted. Everything it started or created is removed at the end, even on Ctrl-C.

See docs/reliability.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import check, load, plan
from .procs import (
    DB_PREFIX,
    TMP_PREFIX,
    HarnessError,
    Postgres,
    Proc,
    RedisServer,
    clean_leftovers,
    free_port,
    stop_all,
)
from .smtp import SmtpSink

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "lcnc-demo-2026"  # docs/operations.md: every demo user's password
DEMO_OPEN311_KEY = "demo-open311-key-cantho"  # docs/open311.md: made by load_demo
OFFICIALS = "dieuphoi,thoatnuoc,giaothong,moitruong,ninhkieu"

# docs/operations.md, "What runs". {host} {port} {tmp} are filled in.
WEB_CMD = "daphne -b {host} -p {port} lcnc.asgi:application"
WORKER_CMD = "celery -A lcnc worker -l info -c 2 -n faults@%h"
BEAT_CMD = "celery -A lcnc beat -l info -s {tmp}/celerybeat-schedule"

#: Settings the installation must not inherit from the caller's environment.
APP_ENV_PREFIXES = ("CELERY_", "EMAIL_", "OUTBOX_", "WEBHOOK_", "DB_", "OPEN311_", "PORTAL_")
APP_ENV_VARS = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL",
    "REDIS_URL", "MEDIA_ROOT", "STATIC_ROOT", "TICK_SECONDS", "EMBEDDED_TICK",
    "SMS_GATEWAY_URL", "DEFAULT_FROM_EMAIL", "ANON_SUBMIT_RATE", "SECURE_COOKIES",
    "DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME", "LCNC_REAL_CELERY_WORKER",
    "BEHIND_TLS_PROXY", "LANGUAGE_CODE", "LOG_LEVEL",
}  # fmt: skip


def say(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Interrupted(Exception):
    pass


def _interrupt(signum: int, _frame: Any) -> None:
    raise Interrupted(signal.Signals(signum).name)


# --------------------------------------------------------------------------- arguments


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.faults.run",
        description="Load LCNC through its three doors while killing its parts; check that "
        "nothing accepted is lost and every email is delivered exactly once.",
    )
    p.add_argument(
        "--short",
        action="store_true",
        help="the CI form: 20 submissions over 40 s, one fault of each kind",
    )
    p.add_argument("--n", type=int, help="submissions (default 200; 20 with --short)")
    p.add_argument("--seed", type=int, default=1, help="draws the plan and the faults (1)")
    p.add_argument(
        "--duration",
        type=float,
        help="seconds over which submissions are spread (default 150; 40 short)",
    )
    p.add_argument(
        "--faults",
        default=",".join(plan.FAULT_KINDS),
        help="fault kinds, comma-separated: worker (kill -9 the Celery worker), "
        "web (kill -9 the web server), broker (the broker's redis-server down), "
        "redis (every redis-server down); '' for none",
    )
    p.add_argument("--per-kind", type=int, help="faults of each kind (default 2; 1 short)")
    p.add_argument("--web-cmd", default=WEB_CMD, help=f"web server ({WEB_CMD!r})")
    worker_help = f"worker ({WORKER_CMD!r})".replace("%", "%%")  # argparse formats help with %
    p.add_argument("--worker-cmd", default=WORKER_CMD, help=worker_help)
    p.add_argument(
        "--tick-cmd",
        default=BEAT_CMD,
        help=f"what runs the periodic tick ({BEAT_CMD!r}); '' for none",
    )
    p.add_argument("--tick-seconds", default="2", help="TICK_SECONDS of the installation (2)")
    p.add_argument(
        "--pg-url",
        default=os.environ.get("LCNC_FAULTS_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server where the run creates its database "
        "(env LCNC_FAULTS_PG_URL; postgres://postgres@127.0.0.1:5432)",
    )
    p.add_argument("--citizens", type=int, default=3, help="concurrent citizens (3)")
    p.add_argument(
        "--officials", default=OFFICIALS, help=f"demo users completing tasks ({OFFICIALS})"
    )
    p.add_argument("--password", default=DEMO_PASSWORD, help="their password (the demo's)")
    p.add_argument("--open311-key", default=DEMO_OPEN311_KEY, help="Open311 api_key (demo)")
    p.add_argument(
        "--receipt-doors",
        default=",".join(plan.DOORS),
        help="doors whose submissions are due a receipt email (all three)",
    )
    p.add_argument(
        "--receipt-pattern",
        default=check.DEFAULT_RECEIPT_PATTERN,
        help="regex (subject, then body) telling a receipt",
    )
    p.add_argument(
        "--closing-pattern",
        default=check.DEFAULT_CLOSING_PATTERN,
        help="regex (subject, then body) telling a closing notice",
    )
    p.add_argument(
        "--outbox-done",
        default=",".join(check.DONE_STATUSES),
        help="outbox statuses that mean nothing is left to do (delivered); a row in any "
        "other status at the end is a violation",
    )
    p.add_argument(
        "--close-timeout",
        type=float,
        help="seconds after the load for the officials to close every case (default 180; 90 short)",
    )
    p.add_argument(
        "--settle-timeout",
        type=float,
        help="seconds after that for every due email to arrive and the outbox "
        "to empty (default 120; 60 short)",
    )
    p.add_argument(
        "--quiet-seconds",
        type=float,
        default=4.0,
        help="once all is in, wait this long for late duplicates (4)",
    )
    p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the installation's processes (repeatable)",
    )
    p.add_argument(
        "--log-dir",
        type=Path,
        help="keep the processes' logs, the mail journal and the full report "
        "here (default: a temporary folder, removed)",
    )
    p.add_argument("--json", type=Path, help="also write the JSON summary to this file")
    args = p.parse_args(argv)
    short = args.short
    args.n = args.n if args.n is not None else (20 if short else 200)
    args.duration = args.duration if args.duration is not None else (40.0 if short else 150.0)
    args.per_kind = args.per_kind if args.per_kind is not None else (1 if short else 2)
    args.close_timeout = args.close_timeout or (90.0 if short else 180.0)
    args.settle_timeout = args.settle_timeout or (60.0 if short else 120.0)
    args.fault_kinds = [k for k in args.faults.split(",") if k.strip()]
    for kind in args.fault_kinds:
        if kind not in plan.FAULT_KINDS:
            p.error(f"unknown fault kind {kind!r} (one of {', '.join(plan.FAULT_KINDS)})")
    args.receipt_door_set = {d for d in args.receipt_doors.split(",") if d.strip()}
    args.outbox_done_statuses = tuple(x for x in args.outbox_done.split(",") if x.strip())
    if args.n < 1:
        p.error("--n must be at least 1")
    return args


# --------------------------------------------------------------------------- the run


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.pid = os.getpid()
        self.pg = Postgres(args.pg_url)
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{self.pid}-"))
        self.logs = args.log_dir.resolve() if args.log_dir else self.tmp / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.db_name = f"{DB_PREFIX}{self.pid}"
        self.db_created = False
        self.sink: SmtpSink | None = None
        self.procs: list[Proc] = []
        self.redis: dict[str, RedisServer] = {}
        self.web: Proc | None = None
        self.worker: Proc | None = None
        self.tick: Proc | None = None
        self.web_port = free_port()
        self.stop = threading.Event()
        self.journal: load.Journal | None = None
        self.citizens: load.Citizens | None = None
        self.officials: list[load.Official] = []
        self.timings: dict[str, float] = {}
        self.faults_done: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.plan_faults: list[plan.Fault] = []
        self.settled = False
        self.load_avg: list[float] = []

    # ------------------------------------------------------------------ set-up

    def env(self) -> dict[str, str]:
        base = {
            k: v
            for k, v in os.environ.items()
            if k not in APP_ENV_VARS and not k.startswith(APP_ENV_PREFIXES)
        }
        bin_dir = str(Path(sys.executable).parent)
        assert self.sink is not None
        base.update(
            PATH=f"{bin_dir}{os.pathsep}{base.get('PATH', '')}",
            PYTHONUNBUFFERED="1",
            LCNC_FAULTS_RUN=str(self.pid),
            DJANGO_SETTINGS_MODULE="lcnc.settings.base",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            WEBHOOK_SECRET=secrets.token_urlsafe(30),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_COOKIES="0",  # plain HTTP here: production has TLS at its proxy
            DATABASE_URL=self.pg.database_url(self.db_name),
            REDIS_URL=self.redis["cache"].url,
            CELERY_BROKER_URL=self.redis["broker"].url,
            CELERY_TASK_ALWAYS_EAGER="0",
            CELERY_TASK_DEFAULT_QUEUE="lcnc",
            EMBEDDED_TICK="0",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.sink.port),
            DEFAULT_FROM_EMAIL="lcnc@faults.example.org",
            MEDIA_ROOT=str(self.tmp / "media"),
            STATIC_ROOT=str(self.tmp / "static"),
            TICK_SECONDS=str(self.args.tick_seconds),
            OUTBOX_RETRY_BASE_SECONDS="2",
            ANON_SUBMIT_RATE="100000/hour",
            PORTAL_SUBMIT_RATE="100000/hour",
            OPEN311_RATE="100000/hour",
            LOG_LEVEL="INFO",
        )
        for item in self.args.env:
            key, sep, value = item.partition("=")
            if not sep:
                raise HarnessError(f"--env {item!r}: expected KEY=VALUE")
            base[key] = value
        return base

    def command(self, template: str) -> list[str]:
        return shlex.split(template.format(host="127.0.0.1", port=self.web_port, tmp=str(self.tmp)))

    def manage(self, env: dict[str, str], *arguments: str, timeout: float = 900) -> None:
        log = self.logs / "manage.log"
        started = time.monotonic()
        with log.open("ab") as out:
            out.write(f"\n---- manage.py {' '.join(arguments)}\n".encode())
            out.flush()
            done = subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", *arguments],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if done.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise HarnessError(f"manage.py {' '.join(arguments)} failed:\n{tail}")
        self.timings[arguments[0]] = round(time.monotonic() - started, 1)

    def setup(self) -> None:
        started = time.monotonic()
        clean_leftovers(self.pg, say)
        self.pg.drop(self.db_name)
        self.pg.create(self.db_name)
        self.db_created = True
        (self.tmp / "media").mkdir()
        (self.tmp / "static").mkdir()
        self.sink = SmtpSink(self.logs / "mail.jsonl")
        self.sink.start()
        bare = {k: v for k, v in os.environ.items() if not k.startswith("LCNC_FAULTS")}
        bare["LCNC_FAULTS_RUN"] = str(self.pid)
        for name in ("broker", "cache"):
            server = RedisServer(
                f"redis-{name}",
                port=free_port(),
                workdir=self.tmp / f"redis-{name}",
                env=bare,
                log=self.logs / f"redis-{name}.log",
            )
            self.redis[name] = server
            self.procs.append(server.proc)
            server.start()
        env = self.env()
        say(f"database {self.db_name}: migrate, load_demo")
        self.manage(env, "migrate", "--noinput")
        self.manage(env, "load_demo")
        self.worker = Proc(
            "worker", self.command(self.args.worker_cmd), env=env, cwd=ROOT,
            log=self.logs / "worker.log",
        )  # fmt: skip
        self.procs.append(self.worker)
        self.start_worker()
        if self.args.tick_cmd.strip():
            self.tick = Proc(
                "tick", self.command(self.args.tick_cmd), env=env, cwd=ROOT,
                log=self.logs / "tick.log",
            )  # fmt: skip
            self.procs.append(self.tick)
            self.tick.start()
        self.web = Proc(
            "web", self.command(self.args.web_cmd), env=env, cwd=ROOT, log=self.logs / "web.log"
        )
        self.procs.append(self.web)
        self.start_web()
        self.timings["setup"] = round(time.monotonic() - started, 1)

    def start_worker(self) -> float:
        assert self.worker is not None
        self.worker.start()
        return self.worker.wait_log(r"\bready\.", 90)

    def web_answers(self) -> bool:
        return load.request(self.web_port, "GET", "/").outcome == "answered"

    def start_web(self) -> float:
        assert self.web is not None
        self.web.start()
        return self.web.wait_until(self.web_answers, 90, "HTTP answer")

    # ------------------------------------------------------------------ faults

    def probe_token(self, fault: str) -> None:
        """What an official signing in meets during the fault."""
        assert self.journal is not None
        users = self.args.officials.split(",")
        load.token(self.web_port, users[0], self.args.password, self.journal, probe=fault)

    def execute(self, fault: plan.Fault) -> None:
        assert self.journal is not None
        label = f"{fault.kind}#{fault.index}"
        started = time.monotonic()
        at = round(started - self.journal.t0, 2)
        say(f"fault {label} at {at}s (planned {fault.at}s): down {fault.down}s")
        self.journal.fault_begin(label)
        ready_after = 0.0
        busy: bool | None = None
        try:
            if fault.kind == "worker":
                assert self.worker is not None
                busy = self.wait_for(lambda: self.broker_unacked() > 0)
                self.worker.kill()
                time.sleep(fault.down)
                ready_after = self.start_worker()
            elif fault.kind == "web":
                assert self.web is not None
                busy = self.wait_for(lambda: load.IN_FLIGHT.count > 0)
                self.web.kill()
                time.sleep(fault.down)
                ready_after = self.start_web()
            else:
                servers = (
                    [self.redis["broker"]] if fault.kind == "broker" else list(self.redis.values())
                )
                for server in servers:
                    server.kill()
                time.sleep(fault.down / 2)
                self.probe_token(label)
                time.sleep(fault.down / 2)
                for server in servers:
                    server.start()
        finally:
            self.journal.fault_end()
        self.faults_done.append(
            {
                "fault": label,
                "planned_at": fault.at,
                "started_at": at,
                "down_s": fault.down,
                "back_after_s": round(time.monotonic() - started, 2),
                "ready_after_restart_s": round(ready_after, 2),
                "killed_while_busy": busy,
                "done_ops_before": self.journal.done_ops,
            }
        )

    def broker_unacked(self) -> int:
        """Messages a worker has taken from the broker and not acknowledged yet (kombu's
        Redis layout); used only to choose the moment of a worker kill."""
        try:
            return int(self.redis["broker"].command("HLEN", "unacked"))
        except Exception:  # noqa: BLE001
            return 0

    @staticmethod
    def wait_for(condition: Any, timeout: float = 10.0) -> bool:
        """Poll ``condition`` every 20 ms for at most ``timeout`` s: the fault strikes at a
        busy moment when there is one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return False

    def check_alive(self) -> None:
        """A part that died on its own (not killed by a fault) is noted and restarted."""
        for proc, restart in ((self.worker, self.start_worker), (self.web, self.start_web)):
            if proc is not None and not proc.alive():
                self.notes.append(f"{proc.name} exited by itself; restarted")
                say(f"{proc.name} exited by itself: restarting")
                restart()
        if self.tick is not None and not self.tick.alive():
            self.notes.append("the tick process exited by itself; restarted")
            self.tick.start()

    # ------------------------------------------------------------------ load and checks

    def db(self) -> psycopg.Connection[Any]:
        return self.pg.connect(self.db_name)

    def load(self) -> None:
        args = self.args
        subs = plan.submissions(args.seed, args.n, args.duration)
        faults = plan.faults(args.seed, args.fault_kinds, args.per_kind, args.duration)
        self.plan_faults = faults
        self.journal = journal = load.Journal(time.monotonic())
        for username in args.officials.split(","):
            official = load.Official(
                username=username,
                password=args.password,
                port=lambda: self.web_port,
                journal=journal,
                stop=self.stop,
                rejects={},
            )
            if not official.sign_in():
                raise HarnessError(f"official {username} could not get an API token")
            self.officials.append(official)
        citizens = load.Citizens(
            port=lambda: self.web_port,
            plan=subs,
            journal=journal,
            stop=self.stop,
            threads=args.citizens,
            api_key=args.open311_key,
        )
        self.citizens = citizens
        for official in self.officials:
            official.rejects = citizens.rejects
        journal.t0 = time.monotonic()
        say(f"load: {args.n} submissions over {args.duration:.0f}s, {len(faults)} faults")
        citizens.start()
        for official in self.officials:
            official.thread.start()
        for fault in faults:
            while time.monotonic() < journal.t0 + fault.at:
                time.sleep(0.1)
                self.check_alive()
            self.execute(fault)
        if not citizens.join(args.duration + load.RETRY_WINDOW * 2 + 60):
            self.notes.append("some citizens were still trying when the load phase ended")
        self.timings["load"] = round(time.monotonic() - journal.t0, 1)

        # Officials go on until every case is closed.
        started = time.monotonic()
        open_cases = -1
        while time.monotonic() - started < args.close_timeout:
            self.check_alive()
            with self.db() as conn:
                row = conn.execute(
                    "SELECT count(*) FROM records_record WHERE status <> 'closed'"
                ).fetchone()
            open_cases = int(row[0]) if row else -1
            if open_cases == 0:
                break
            time.sleep(1)
        self.stop.set()
        for official in self.officials:
            official.thread.join(load.TIMEOUT + 5)
        self.timings["close"] = round(time.monotonic() - started, 1)
        say(f"officials done: {open_cases} case(s) still open")

    def settle(self) -> None:
        assert self.sink is not None
        classifier = check.Classifier(self.args.receipt_pattern, self.args.closing_pattern)
        started = time.monotonic()
        quiet_since: float | None = None
        missing, left = -1, -1
        while time.monotonic() - started < self.args.settle_timeout:
            self.check_alive()
            with self.db() as conn:
                db = check.read_db(conn, self.args.outbox_done_statuses)
            missing = check.missing_count(
                db, self.sink.snapshot(), classifier, self.args.receipt_door_set
            )
            left = len(db.outbox_left)
            if missing == 0 and left == 0:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= self.args.quiet_seconds:
                    break
            else:
                quiet_since = None
            time.sleep(1)
        self.settled = missing == 0 and left == 0
        self.timings["settle"] = round(time.monotonic() - started, 1)
        say(f"settle: {missing} due email(s) missing, {left} outbox entr(y/ies) not delivered")

    def broker_left(self) -> dict[str, Any]:
        """Informational: what the Celery broker still holds (kombu's Redis layout)."""
        try:
            broker = self.redis["broker"]
            held: dict[str, int] = defaultdict(int)
            raw = broker.command("HVALS", "unacked")
            for value in raw if isinstance(raw, list) else []:
                with contextlib.suppress(ValueError, TypeError, KeyError, IndexError):
                    held[json.loads(value)[0]["headers"]["task"]] += 1
            return {
                "queued": broker.command("LLEN", "lcnc"),
                "unacked": broker.command("HLEN", "unacked"),
                "unacked_tasks": dict(sorted(held.items())),
            }
        except Exception as error:  # noqa: BLE001 - informational only
            return {"error": repr(error)}

    def report(self, started_at: str) -> tuple[dict[str, Any], list[check.Violation]]:
        assert self.sink is not None and self.journal is not None
        with self.db() as conn:
            db = check.read_db(conn, self.args.outbox_done_statuses)
        mails = self.sink.snapshot()
        summary, violations = check.verdict(
            journal=self.journal.snapshot(),
            db=db,
            mails=mails,
            classifier=check.Classifier(self.args.receipt_pattern, self.args.closing_pattern),
            receipt_doors=self.args.receipt_door_set,
        )
        during: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for entry in self.journal.snapshot():
            if entry["fault"]:
                during[entry["fault"]][f"{entry['op']} {entry['label']}"] += 1
        args = self.args
        head = {
            "ok": not violations,
            "started_at": started_at,
            "machine": {
                "host": platform.node(),
                "cpus": os.cpu_count(),
                "load_avg_at_start": self.load_avg,
                "python": platform.python_version(),
            },
            "form": "short" if args.short else "full",
            "seed": args.seed,
            "n": args.n,
            "duration_s": args.duration,
            "commands": {
                "web": args.web_cmd,
                "worker": args.worker_cmd,
                "tick": args.tick_cmd,
                "tick_seconds": args.tick_seconds,
            },
            "faults_planned": [vars(f) for f in self.plan_faults],
            "faults": self.faults_done,
            "answers_during_faults": {k: dict(v) for k, v in sorted(during.items())},
            "timings_s": self.timings,
            "settled": self.settled,
            "broker_left": self.broker_left(),
            "notes": self.notes,
        }
        return {**head, **summary}, violations

    # ------------------------------------------------------------------ clean-up

    def cleanup(self) -> None:
        self.stop.set()
        try:
            stop_all(list(reversed(self.procs)))
        except Exception as error:  # noqa: BLE001 - clean up the rest anyway
            say(f"could not stop every process: {error!r}")
        if self.sink is not None:
            self.sink.stop()
        if self.db_created:
            try:
                self.pg.drop(self.db_name)
            except Exception as error:  # noqa: BLE001
                say(f"could not drop database {self.db_name}: {error!r}")
        shutil.rmtree(self.tmp, ignore_errors=True)


def print_violations(violations: list[check.Violation]) -> None:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for violation in violations:
        by_kind[violation.kind].append(violation.detail)
    out = sys.stderr
    print("\nVIOLATIONS:", file=out)
    for kind, details in sorted(by_kind.items()):
        print(f"  {kind}: {len(details)}", file=out)
        for detail in details[: check.MAX_LISTED // 4 or 1]:
            print(f"    - {detail}", file=out)
        if len(details) > check.MAX_LISTED // 4:
            print(f"    … and {len(details) - check.MAX_LISTED // 4} more", file=out)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    t0 = time.monotonic()
    # SIGINT too: a shell starting the run in the background ignores it otherwise.
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _interrupt) for sig in signals}
    run: Run | None = None
    status = 2
    try:
        run = Run(args)
        run.load_avg = [round(x, 2) for x in os.getloadavg()]
        say(f"logs in {run.logs}")
        run.setup()
        run.load()
        run.settle()
        summary, violations = run.report(started_at)
        summary["timings_s"]["total"] = round(time.monotonic() - t0, 1)
        status = 0 if not violations else 1
        if args.log_dir:
            classifier = check.Classifier(args.receipt_pattern, args.closing_pattern)
            mails = [
                {"seq": m.seq, "rcpt": m.rcpt, "message_id": m.message_id,
                 "subject": m.subject, "kind": classifier.kind(m)}
                for m in (run.sink.snapshot() if run.sink else [])
            ]  # fmt: skip
            full = {**summary, "violations_all": [vars(v) for v in violations], "mails": mails,
                    "journal": run.journal.snapshot() if run.journal else []}  # fmt: skip
            (run.logs / "report.json").write_text(
                json.dumps(full, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        text = json.dumps(summary, ensure_ascii=False, indent=1)
        print(text, flush=True)
        if args.json:
            args.json.write_text(text + "\n", encoding="utf-8")
        if violations:
            print_violations(violations)
            say(f"FAULT CHECK FAILED: {len(violations)} violation(s)")
        else:
            say("FAULT CHECK PASSED")
    except (KeyboardInterrupt, Interrupted) as stop:
        say(f"interrupted ({stop or 'SIGINT'}): cleaning up")
        status = 130
    except HarnessError as error:
        say(f"HARNESS ERROR (not a finding): {error}")
        status = 2
    except Exception:  # noqa: BLE001 - a bug of the harness: say so, clean up, exit 2
        say("HARNESS ERROR (not a finding):\n" + traceback.format_exc())
        status = 2
    finally:
        for sig in signals:
            signal.signal(sig, signal.SIG_IGN)
        if run is not None:
            run.cleanup()
            say(f"cleaned up (total {time.monotonic() - t0:.0f}s)")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


if __name__ == "__main__":
    sys.exit(main())
