"""The processes and resources of one run: free ports, child processes in process groups
of their own, the run's PostgreSQL database and its redis-servers, and the clean-up of
what an earlier run left behind when it was killed before its own clean-up.

Every child process gets ``LCNC_FAULTS_RUN=<pid of the harness>`` in its environment, so a
later run can find the leftovers of a harness that no longer exists (and only those).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import psycopg

#: Environment variable marking every process a run starts (its value: the harness's pid).
RUN_MARK = "LCNC_FAULTS_RUN"
#: Databases, temporary folders: ``lcnc_faults_<pid>``, ``lcnc-faults-<pid>-*``.
DB_PREFIX = "lcnc_faults_"
TMP_PREFIX = "lcnc-faults-"


class HarnessError(Exception):
    """The harness could not set the installation up (not a finding about the system)."""


def free_port() -> int:
    """A TCP port that nothing listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Proc:
    """A child process leading a process group of its own (so that killing it kills the
    pool processes or web workers it started too), logging to one file across restarts."""

    def __init__(
        self, name: str, argv: Sequence[str], *, env: dict[str, str], cwd: Path, log: Path
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = env
        self.cwd = cwd
        self.log_path = log
        self.popen: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._log_offset = 0

    def start(self) -> None:
        if self.alive():
            raise HarnessError(f"{self.name} is already running")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            log.write(f"\n---- start #{self.starts + 1}: {' '.join(self.argv)}\n".encode())
            log.flush()
            try:
                self.popen = subprocess.Popen(
                    self.argv,
                    env=self.env,
                    cwd=self.cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as error:
                raise HarnessError(f"{self.name}: cannot start {self.argv[0]}: {error}") from error
        self.starts += 1

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal_group(self, sig: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def _group_alive(self) -> bool:
        if self.popen is None:
            return False
        try:
            os.killpg(self.popen.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def kill(self) -> None:
        """SIGKILL the whole process group at once (a crash, an OOM kill)."""
        self._signal_group(signal.SIGKILL)
        self._reap(5.0)

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the group; SIGKILL whatever is left after ``grace`` seconds."""
        if self.popen is None:
            return
        self._signal_group(signal.SIGTERM)
        if not self._reap(grace):
            self._signal_group(signal.SIGKILL)
            self._reap(5.0)

    def terminate(self) -> None:
        """SIGTERM the group without waiting (see stop_all)."""
        self._signal_group(signal.SIGTERM)

    def _reap(self, timeout: float) -> bool:
        """Wait for the leader to exit and the group to empty; True when it did."""
        assert self.popen is not None
        deadline = time.monotonic() + timeout
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        while self._group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.popen.poll() is not None and not self._group_alive()

    def log_text(self, since_start: bool = True) -> str:
        try:
            with self.log_path.open("rb") as log:
                if since_start:
                    log.seek(self._log_offset)
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text(since_start=False).splitlines()[-lines:])

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> float:
        """Poll ``ready`` until it holds; the seconds it took. HarnessError when the process
        exits or the timeout passes."""
        started = time.monotonic()
        while True:
            if ready():
                return time.monotonic() - started
            if not self.alive():
                raise HarnessError(
                    f"{self.name} exited (status {self.popen.returncode if self.popen else '?'}) "
                    f"before {what}; last lines of {self.log_path.name}:\n{self.log_tail()}"
                )
            if time.monotonic() - started > timeout:
                raise HarnessError(
                    f"{self.name}: no {what} within {timeout:.0f} s; last lines of "
                    f"{self.log_path.name}:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def wait_log(self, pattern: str, timeout: float) -> float:
        regex = re.compile(pattern)
        return self.wait_until(
            lambda: bool(regex.search(self.log_text())), timeout, f"log line /{pattern}/"
        )


def stop_all(procs: Sequence[Proc], grace: float = 3.0) -> None:
    """SIGTERM every group at once, then SIGKILL what is left after ``grace`` seconds."""
    running = [proc for proc in procs if proc.popen is not None]
    for proc in running:
        proc.terminate()
    deadline = time.monotonic() + grace
    for proc in running:
        if not proc._reap(max(0.0, deadline - time.monotonic())):
            proc.kill()


# --------------------------------------------------------------------------- PostgreSQL


class Postgres:
    """The server at ``url`` (``postgres://user@host:port``), reached with psycopg."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql"}:
            raise HarnessError(f"--pg-url must be postgres://user@host:port, not {url!r}")
        self.url = f"{parts.scheme}://{parts.netloc}"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 5432
        self.user = parts.username or "postgres"
        self.password = parts.password

    def connect(self, dbname: str = "postgres", autocommit: bool = True) -> psycopg.Connection[Any]:
        import psycopg

        try:
            return psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.user,
                password=self.password,
                dbname=dbname,
                autocommit=autocommit,
                connect_timeout=5,
            )
        except psycopg.OperationalError as error:
            raise HarnessError(f"PostgreSQL at {self.url}/{dbname}: {error}") from error

    def database_url(self, name: str) -> str:
        return f"{self.url}/{name}"

    def create(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def drop(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def databases(self, prefix: str) -> list[str]:
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]
            ).fetchall()
        return [row[0] for row in rows]


# --------------------------------------------------------------------------- Redis


class RedisServer:
    """A redis-server of the run's own on a fixed port, durable across its own restarts
    (append-only file, fsync always), so that stopping and starting it again makes it
    unreachable for a while without losing what it held."""

    def __init__(self, name: str, *, port: int, workdir: Path, env: dict[str, str], log: Path):
        self.port = port
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server")
        if binary is None:
            raise HarnessError("redis-server is not installed (on PATH)")
        argv = [
            binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--dir", str(workdir),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--logfile", "",
        ]  # fmt: skip
        self.proc = Proc(name, argv, env=env, cwd=workdir, log=log)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except (redis.RedisError, OSError):
            return False

    def start(self, timeout: float = 20.0) -> None:
        self.proc.start()
        self.proc.wait_until(self.ping, timeout, "PONG")

    def kill(self) -> None:
        self.proc.kill()

    def command(self, *args: str) -> Any:
        import redis

        client = redis.Redis(port=self.port, socket_timeout=2)
        return client.execute_command(*args)  # type: ignore[no-untyped-call]


# --------------------------------------------------------------------------- leftovers


def _environ_mark(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    for item in raw.split(b"\0"):
        if item.startswith(RUN_MARK.encode() + b"="):
            return item.split(b"=", 1)[1].decode(errors="replace")
    return None


def clean_leftovers(pg: Postgres | None, log: Callable[[str], None]) -> None:
    """Kill the processes, drop the databases and delete the folders of earlier runs
    whose harness process is gone (``kill -9`` of the harness itself, a lost machine)."""
    me = os.getpid()
    proc_root = Path("/proc")
    if proc_root.is_dir():
        for entry in proc_root.iterdir():
            if not entry.name.isdigit() or int(entry.name) == me:
                continue
            mark = _environ_mark(int(entry.name))
            if mark and mark.isdigit() and int(mark) != me and not pid_alive(int(mark)):
                log(f"killing process {entry.name} left by fault run {mark}")
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(entry.name), signal.SIGKILL)
    if pg is not None:
        for name in pg.databases(DB_PREFIX):
            found = re.fullmatch(DB_PREFIX + r"(\d+)(?:_\w+)?", name)
            if found and int(found.group(1)) != me and not pid_alive(int(found.group(1))):
                log(f"dropping database {name} left by fault run {found.group(1)}")
                pg.drop(name)
    for folder in Path(tempfile.gettempdir()).glob(TMP_PREFIX + "*"):
        found = re.match(TMP_PREFIX + r"(\d+)-", folder.name)
        if found and int(found.group(1)) != me and not pid_alive(int(found.group(1))):
            log(f"removing {folder} left by fault run {found.group(1)}")
            shutil.rmtree(folder, ignore_errors=True)
