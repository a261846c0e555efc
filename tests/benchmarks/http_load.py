"""HTTP load: the production web server (gunicorn with uvicorn workers serving
``lcnc.asgi:application``) on PostgreSQL, driven through the REST API.

::

    # start its own servers on a fresh database (lcnc_perf_http) and run every scenario
    .venv/bin/python -m tests.benchmarks.http_load
    .venv/bin/python -m tests.benchmarks.http_load --servers 2 --workers 2   # two web processes
    .venv/bin/python -m tests.benchmarks.http_load --rate 150 --rate-seconds 300
    .venv/bin/python -m tests.benchmarks.http_load --url http://127.0.0.1:8000  # a running site
    .venv/bin/python -m tests.benchmarks.http_load --quick                      # smoke run

Scenarios, one JSON line each (throughput, latency percentiles, errors):

``submissions``   anonymous ``POST /api/v1/forms/field_reports/citizen_report/submissions/``
                  from ``--concurrency`` clients for ``--seconds``: each creates a record, its
                  case and its first task;
``completions``   officials (tokens from ``POST /api/v1/auth/token/``) take the triage tasks
                  those submissions opened: ``POST .../claim/`` then ``POST .../complete/``
                  (a completion is the pair; both requests count in the latencies);
``fixed_rate``    submissions sent at ``--rate`` per second for ``--rate-seconds``, on a fixed
                  schedule (latency counted from the moment a request was due, so a slow
                  server cannot hide behind a slow client), with every error counted.

Only addresses on this machine are used. The anonymous-submission throttle is raised for
the servers it starts (``ANON_SUBMIT_RATE``): it limits one client, and here one client
plays all citizens. Nothing asserts on time; see ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PG_DATABASE = "lcnc_perf_http"
SUBMIT = "/api/v1/forms/field_reports/citizen_report/submissions/"
DISPATCHER = "dieuphoi"
DEMO_PASSWORD = "lcnc-demo-2026"
REPORT = {
    "category": "flooding",
    "description": "Đường 30 Tháng 4 ngập sâu sau mưa, xe máy chết máy.",
    "location": {"lat": 10.0286, "lng": 105.7703, "address": "Đường 30/4, Ninh Kiều"},
    "district": "ninh_kieu",
    "reporter_name": "Nguyễn Thị Mai",
}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running site; else servers are started here")
    parser.add_argument("--servers", type=int, default=1, help="web processes to start")
    parser.add_argument("--workers", type=int, default=3, help="uvicorn workers per server")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=50.0, help="requests/s of fixed_rate")
    parser.add_argument("--rate-seconds", type=float, default=60.0)
    parser.add_argument(
        "--scenarios", default="submissions,completions,fixed_rate", help="comma-separated"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: figures meaningless")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- servers


class Servers:
    """``count`` gunicorn processes with uvicorn workers on a fresh PostgreSQL database,
    configured as docs/operations.md says production is."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.processes: list[subprocess.Popen[bytes]] = []
        self.urls = [f"http://127.0.0.1:{args.port + i}" for i in range(args.servers)]
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            "DJANGO_SETTINGS_MODULE": "lcnc.settings.base",
            "DEBUG": "0",
            "SECRET_KEY": "http-load-benchmark-only",
            "WEBHOOK_SECRET": "http-load-benchmark-only",
            "SECURE_COOKIES": "0",
            "DATABASE_URL": f"{args.pg.rstrip('/')}/{PG_DATABASE}",
            "DB_POOL": "1",
            "REDIS_URL": args.redis,
            "ANON_SUBMIT_RATE": "100000000/hour",
            "LOG_LEVEL": "WARNING",
        }

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.args.pg.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def start(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {PG_DATABASE}")
        python = sys.executable
        for command in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput"]):
            subprocess.run(  # noqa: S603 - our own manage.py
                [python, "manage.py", *command],
                cwd=ROOT,
                env=self.env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        gunicorn = str(Path(python).with_name("gunicorn"))
        for url in self.urls:
            bind = url.removeprefix("http://")
            self.processes.append(
                subprocess.Popen(  # noqa: S603 - the server the docs describe
                    [gunicorn, "lcnc.asgi:application", "-c", "lcnc/gunicorn.conf.py",
                     "--bind", bind, "--workers", str(self.args.workers)],
                    cwd=ROOT,
                    env=self.env,
                    start_new_session=True,
                )
            )  # fmt: skip
        deadline = time.monotonic() + 60
        for url in self.urls:
            while True:
                try:
                    if httpx.get(f"{url}/api/v1/roles/", timeout=2).status_code in (200, 401):
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer")
                time.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if not self.args.keep:
            self._admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


# --------------------------------------------------------------------------- measuring


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.done = 0

    def add(self, started: float, response: httpx.Response | None, error: str = "") -> bool:
        self.latencies.append(time.perf_counter() - started)
        if response is not None and response.status_code < 400:
            return True
        self.errors[error or str(response.status_code if response is not None else "?")] += 1
        return False

    def figure(self, name: str, seconds: float, **extra: Any) -> dict[str, Any]:
        ms = sorted(x * 1000 for x in self.latencies) or [0.0]

        def pct(p: float) -> float:
            return round(ms[min(len(ms) - 1, int(p / 100 * len(ms)))], 1)

        return {
            "figure": name,
            "requests": len(self.latencies),
            "seconds": round(seconds, 2),
            "requests_per_second": round(len(self.latencies) / seconds, 1),
            **extra,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "mean_ms": round(statistics.fmean(ms), 1),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
        }


async def _post(
    client: httpx.AsyncClient, url: str, tally: Tally, body: Any, headers: Any = None
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.post(url, json=body, headers=headers)
    except httpx.HTTPError as error:
        tally.add(started, None, type(error).__name__)
        return None
    tally.add(started, response)
    return response


def _report(number: int) -> dict[str, Any]:
    return {**REPORT, "description": f"{REPORT['description']} Phản ánh số {number}."}


async def submissions(
    urls: list[str], concurrency: int, seconds: float, tasks_out: list[str] | None = None
) -> dict[str, Any]:
    tally = Tally()
    counter = iter(range(10**9))
    stop_at = time.perf_counter() + seconds
    async with httpx.AsyncClient(timeout=30) as client:

        async def citizen(index: int) -> None:
            base = urls[index % len(urls)]
            while time.perf_counter() < stop_at:
                await _post(client, base + SUBMIT, tally, _report(next(counter)))

        started = time.perf_counter()
        await asyncio.gather(*(citizen(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return tally.figure("submissions", elapsed, concurrency=concurrency)


async def _open_triage_tasks(base: str, token: str, limit: int) -> list[str]:
    found: list[str] = []
    async with httpx.AsyncClient(timeout=60) as client:
        url: str | None = f"{base}/api/v1/tasks/"
        while url and len(found) < limit:
            page = (await client.get(url, headers={"Authorization": f"Token {token}"})).json()
            found += [t["id"] for t in page["results"] if not t.get("claimed_by")]
            url = page.get("next")
    return found[:limit]


async def completions(urls: list[str], concurrency: int, seconds: float) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            urls[0] + "/api/v1/auth/token/",
            json={"username": DISPATCHER, "password": DEMO_PASSWORD},
        )
        token = response.json()["token"]
    tasks = await _open_triage_tasks(urls[0], token, limit=100_000)
    headers = {"Authorization": f"Token {token}"}
    tally = Tally()
    completed = 0
    stop_at = time.perf_counter() + seconds
    queue = iter(tasks)
    async with httpx.AsyncClient(timeout=30) as client:

        async def official(index: int) -> None:
            nonlocal completed
            base = urls[index % len(urls)]
            while time.perf_counter() < stop_at:
                task = next(queue, None)
                if task is None:
                    return
                claimed = await _post(
                    client, f"{base}/api/v1/tasks/{task}/claim/", tally, {}, headers
                )
                if claimed is None or claimed.status_code >= 400:
                    continue
                body = {"action": "accept", "data": {"category": "flooding", "severity": 3}}
                done = await _post(
                    client, f"{base}/api/v1/tasks/{task}/complete/", tally, body, headers
                )
                if done is not None and done.status_code < 400:
                    completed += 1

        started = time.perf_counter()
        await asyncio.gather(*(official(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return tally.figure(
        "completions",
        elapsed,
        concurrency=concurrency,
        completions=completed,
        completions_per_second=round(completed / elapsed, 1),
        tasks_available=len(tasks),
    )


async def fixed_rate(urls: list[str], rate: float, seconds: float) -> dict[str, Any]:
    """Open loop: request i is due at start + i / rate, whatever the earlier ones do."""
    tally = Tally()
    total = int(rate * seconds)
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            base = urls[i % len(urls)]
            try:
                response = await client.post(base + SUBMIT, json=_report(i))
            except httpx.HTTPError as error:
                tally.latencies.append(time.perf_counter() - due)
                tally.errors[type(error).__name__] += 1
                return
            tally.latencies.append(time.perf_counter() - due)
            if response.status_code >= 400:
                tally.errors[str(response.status_code)] += 1

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    return tally.figure("fixed_rate", elapsed, target_rate=rate)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.quick:
        args.seconds, args.rate, args.rate_seconds, args.workers = 2.0, 10.0, 2.0, 1
    servers = None if args.url else Servers(args)
    urls = [args.url.rstrip("/")] if args.url else servers.urls  # type: ignore[union-attr]
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    print(
        json.dumps(
            {
                "figure": "environment",
                "urls": urls,
                "servers": args.servers if servers else None,
                "workers_per_server": args.workers if servers else None,
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        ),
        flush=True,
    )
    # A SIGTERM (e.g. from `timeout`) stops the servers started here too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if servers:
            servers.start()
        for scenario in scenarios:
            if scenario == "submissions":
                result = asyncio.run(submissions(urls, args.concurrency, args.seconds))
            elif scenario == "completions":
                result = asyncio.run(completions(urls, args.concurrency, args.seconds))
            elif scenario == "fixed_rate":
                result = asyncio.run(fixed_rate(urls, args.rate, args.rate_seconds))
            else:
                raise SystemExit(f"unknown scenario {scenario!r}")
            result["load_average"] = [round(x, 2) for x in os.getloadavg()]
            print(json.dumps(result), flush=True)
    finally:
        if servers:
            servers.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
