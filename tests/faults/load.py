"""The load: citizens submitting through the three doors (the portal's form with its CSRF
token, the REST API, Open311 with an API key) and officials completing their tasks over
the REST API. Every HTTP request is written in the journal with its answer.

Only public interfaces are used, as documented in docs/openapi.yaml and docs/open311.md.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .plan import Submission

APP, FORM, SERVICE = "field_reports", "citizen_report", "field_report"
PORTAL_PATH = f"/f/{APP}/{FORM}/"
API_PATH = f"/api/v1/forms/{APP}/{FORM}/submissions/"
OPEN311_PATH = "/open311/v2/requests.json"
EMAIL_DOMAIN = "faults.example.org"
#: The first letter of a contact address names its door: p0042.1@…, a0042.1@…, o0042.1@…
DOOR_LETTER = {"portal": "p", "api": "a", "open311": "o"}
LETTER_DOOR = {letter: door for door, letter in DOOR_LETTER.items()}
ADDRESS_RE = re.compile(rf"^([pao])(\d+)\.(\d+)@{re.escape(EMAIL_DOMAIN)}$")

#: A request is retried at most this many times after a 5xx or a lost answer (a citizen
#: or an official trying again); refused connections (the server is down) are retried
#: until RETRY_WINDOW seconds have passed.
MAX_ATTEMPTS = 4
RETRY_WINDOW = 90.0
TIMEOUT = 30.0

DESCRIPTIONS = {
    "flooding": "Đường ngập sâu sau mưa, xe máy chết máy.",
    "pothole": "Ổ gà lớn giữa làn xe máy, rất nguy hiểm.",
    "garbage": "Rác thải tồn đọng nhiều ngày ở đầu hẻm.",
    "streetlight": "Đèn đường không sáng cả đoạn đường.",
}


def address(door: str, index: int, attempt: int) -> str:
    return f"{DOOR_LETTER[door]}{index:04d}.{attempt}@{EMAIL_DOMAIN}"


# --------------------------------------------------------------------------- HTTP


@dataclass
class Answer:
    outcome: str  # "answered", "refused" (nothing listened), "no_answer" (lost on the way)
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""
    elapsed: float = 0.0

    @property
    def label(self) -> str:
        return str(self.status) if self.outcome == "answered" else self.outcome

    @property
    def failed(self) -> bool:
        """Lost, or a server error: the client should try again."""
        return self.outcome == "no_answer" or (self.status is not None and self.status >= 500)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class _InFlight:
    """How many requests are waiting for their answer right now (the faults use it to
    kill the web server while it is answering)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self.count += 1

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self.count -= 1


IN_FLIGHT = _InFlight()


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Answer:
    with IN_FLIGHT:
        return _request(port, method, path, headers=headers, body=body)


def _request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Answer:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                if "=" in pair:
                    key, _eq, val = pair.partition("=")
                    cookies[key.strip()] = val.strip()
        return Answer(
            "answered",
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            cookies,
            data,
            elapsed=time.monotonic() - started,
        )
    except ConnectionRefusedError as error:
        return Answer("refused", error=repr(error), elapsed=time.monotonic() - started)
    except (TimeoutError, http.client.HTTPException, OSError) as error:
        return Answer("no_answer", error=repr(error), elapsed=time.monotonic() - started)
    finally:
        conn.close()


# --------------------------------------------------------------------------- journal


class Journal:
    """Every request and its answer, with the fault going on when it was sent."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.entries: list[dict[str, Any]] = []
        # (label, start, end): from the kill until the part is back; end None while it lasts
        self.windows: list[list[Any]] = []
        self.done_ops = 0
        self._lock = threading.Lock()

    def fault_begin(self, label: str) -> None:
        with self._lock:
            self.windows.append([label, time.monotonic(), None])

    def fault_end(self) -> None:
        with self._lock:
            if self.windows and self.windows[-1][2] is None:
                self.windows[-1][2] = time.monotonic()

    def add(self, op: str, answer: Answer, **context: Any) -> None:
        end = time.monotonic()
        start = end - answer.elapsed
        with self._lock:
            during = [
                label
                for label, began, ended in self.windows
                if began <= end and (ended is None or ended >= start)
            ]
        entry: dict[str, Any] = {
            "t": round(start - self.t0, 3),
            "op": op,
            "outcome": answer.outcome,
            "status": answer.status,
            "label": answer.label,
            "elapsed": round(answer.elapsed, 3),
            "fault": "+".join(during),  # the faults this request overlapped
            **context,
        }
        if answer.error:
            entry["error"] = answer.error[:300]
        if answer.status is not None and answer.status >= 500:
            entry["body"] = answer.body[:300].decode("utf-8", "replace")
        with self._lock:
            self.entries.append(entry)

    def op_done(self) -> None:
        with self._lock:
            self.done_ops += 1

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.entries)


# --------------------------------------------------------------------------- citizens


def _report(sub: Submission, email: str) -> dict[str, Any]:
    report: dict[str, Any] = {
        "category": sub.category,
        "description": f"{DESCRIPTIONS[sub.category]} (#{sub.index})",
        "location": {"lat": "10.0286", "lng": "105.7703", "address": "Đường 30/4, Ninh Kiều"},
        "district": "ninh_kieu",
        "reporter_name": "Nguyễn Thị Mai",
        "reporter_phone": "0901234567",
        "reporter_email": email,
        "wants_updates": True,
    }
    if sub.category == "flooding":
        report["flood_depth_cm"] = "40"
    return report


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken"\s+value="([^"]+)"')
RECEIPT_PATH = re.compile(r"/receipt/([^/]+)/")


def submit_portal(
    port: int, sub: Submission, email: str, journal: Journal, ctx: dict[str, Any]
) -> tuple[Answer, str | None]:
    """GET the form (CSRF cookie and token), POST it: 303 to the receipt page."""
    page = request(port, "GET", PORTAL_PATH + "?all=1")
    journal.add("portal_form", page, **ctx)
    if page.outcome != "answered" or page.status != 200:
        return page, None
    token = CSRF_INPUT.search(page.body)
    cookie = page.cookies.get("csrftoken")
    if token is None or cookie is None:
        page.error = "no CSRF token in the form page"
        return page, None
    report = _report(sub, email)
    fields: list[tuple[str, str]] = [("csrfmiddlewaretoken", token.group(1).decode())]
    for key, value in report.items():
        if key == "location":
            fields += [(f"location.{part}", str(v)) for part, v in value.items()]
        elif value is True:
            fields.append((key, "true"))
        else:
            fields.append((key, str(value)))
    answer = request(
        port,
        "POST",
        PORTAL_PATH,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
        },
        body=urlencode(fields).encode(),
    )
    journal.add("submit", answer, **ctx)
    code = None
    if answer.status == 303:
        found = RECEIPT_PATH.search(answer.headers.get("location", ""))
        code = found.group(1) if found else None
    return answer, code


def submit_api(
    port: int, sub: Submission, email: str, journal: Journal, ctx: dict[str, Any]
) -> tuple[Answer, str | None]:
    answer = request(
        port,
        "POST",
        API_PATH,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        body=json.dumps(_report(sub, email)).encode(),
    )
    journal.add("submit", answer, **ctx)
    code = None
    if answer.status == 201:
        code = str(answer.json().get("tracking_code") or "") or None
    return answer, code


def submit_open311(
    port: int, sub: Submission, email: str, journal: Journal, ctx: dict[str, Any], api_key: str
) -> tuple[Answer, str | None]:
    report = _report(sub, email)
    fields = [
        ("api_key", api_key),
        ("service_code", SERVICE),
        ("lat", report["location"]["lat"]),
        ("long", report["location"]["lng"]),
        ("address_string", report["location"]["address"]),
        ("description", report["description"]),
        ("email", email),
        ("first_name", "Nguyễn Thị"),
        ("last_name", "Mai"),
        ("phone", report["reporter_phone"]),
        ("attribute[category]", sub.category),
        ("attribute[district]", "ninh_kieu"),
        ("attribute[wants_updates]", "true"),
    ]
    if "flood_depth_cm" in report:
        fields.append(("attribute[flood_depth_cm]", report["flood_depth_cm"]))
    answer = request(
        port,
        "POST",
        OPEN311_PATH,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        body=urlencode(fields).encode(),
    )
    journal.add("submit", answer, **ctx)
    code = None
    if answer.status == 200:
        body = answer.json()
        if isinstance(body, list) and body:
            code = str(body[0].get("service_request_id") or "") or None
    return answer, code


class Citizens:
    """Threads sending the planned submissions at their planned moments; a lost answer
    or a 5xx is tried again with a new contact address (a new attempt), a refused
    connection after a short pause."""

    def __init__(
        self,
        *,
        port: Callable[[], int],
        plan: list[Submission],
        journal: Journal,
        stop: threading.Event,
        threads: int,
        api_key: str,
    ) -> None:
        self.port = port
        self.plan = plan
        self.journal = journal
        self.stop = stop
        self.api_key = api_key
        self.rejects: dict[str, bool] = {}  # tracking code -> the dispatcher rejects it
        self.accepted: dict[str, str] = {}  # contact address of an accepted attempt -> code
        self._next = 0
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, name=f"citizen-{i}", daemon=True)
            for i in range(threads)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def _take(self) -> Submission | None:
        with self._lock:
            if self._next >= len(self.plan):
                return None
            sub = self.plan[self._next]
            self._next += 1
            return sub

    def _run(self) -> None:
        while not self.stop.is_set():
            sub = self._take()
            if sub is None:
                return
            wait = self.journal.t0 + sub.at - time.monotonic()
            if wait > 0 and self.stop.wait(wait):
                return
            self._submit(sub)
            self.journal.op_done()

    def _submit(self, sub: Submission) -> None:
        attempt = 0
        started = time.monotonic()
        while not self.stop.is_set():
            attempt += 1
            email = address(sub.door, sub.index, attempt)
            ctx = {"door": sub.door, "submission": sub.index, "attempt": attempt, "email": email}
            if sub.door == "portal":
                answer, code = submit_portal(self.port(), sub, email, self.journal, ctx)
            elif sub.door == "api":
                answer, code = submit_api(self.port(), sub, email, self.journal, ctx)
            else:
                answer, code = submit_open311(
                    self.port(), sub, email, self.journal, ctx, self.api_key
                )
            if code:
                with self._lock:
                    self.rejects[code] = sub.reject
                    self.accepted[email] = code
                return
            late = time.monotonic() - started > RETRY_WINDOW
            if answer.outcome == "refused" and not late:
                self.stop.wait(0.5)
                continue
            if answer.failed and attempt < MAX_ATTEMPTS and not late:
                self.stop.wait(1.0)
                continue
            return  # a 4xx, or given up


# --------------------------------------------------------------------------- officials


def token(port: int, username: str, password: str, journal: Journal, **ctx: Any) -> str | None:
    answer = request(
        port,
        "POST",
        "/api/v1/auth/token/",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"username": username, "password": password}).encode(),
    )
    journal.add("token", answer, user=username, **ctx)
    if answer.status == 200:
        return str(answer.json()["token"])
    return None


class Official:
    """One demo official working through their inbox (``GET /api/v1/tasks/``) and
    completing every task (``POST /api/v1/tasks/{id}/complete/``)."""

    def __init__(
        self,
        *,
        username: str,
        password: str,
        port: Callable[[], int],
        journal: Journal,
        stop: threading.Event,
        rejects: dict[str, bool],
    ) -> None:
        self.username = username
        self.password = password
        self.port = port
        self.journal = journal
        self.stop = stop
        self.rejects = rejects
        self.token: str | None = None
        self.completed = 0
        self.thread = threading.Thread(target=self._run, name=f"official-{username}", daemon=True)

    def sign_in(self) -> bool:
        self.token = token(self.port(), self.username, self.password, self.journal)
        return self.token is not None

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Token {self.token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def _run(self) -> None:
        while not self.stop.is_set():
            answer = request(self.port(), "GET", "/api/v1/tasks/", headers=self._headers())
            if answer.outcome != "answered" or answer.status != 200:
                self.journal.add("tasks_list", answer, user=self.username)
                self.stop.wait(0.5)
                continue
            tasks = answer.json().get("results", [])
            if not tasks:
                self.stop.wait(0.3)
                continue
            for task in tasks:
                if self.stop.is_set():
                    return
                self._complete(task)

    def _action(self, task: dict[str, Any]) -> str:
        keys = [str(action["key"]) for action in task.get("actions", [])]
        code = (task.get("record") or {}).get("tracking_code", "")
        if "reject" in keys and self.rejects.get(code, False):
            return "reject"
        for key in keys:
            if key != "reject":
                return key
        return keys[0]

    def _complete(self, task: dict[str, Any]) -> None:
        action = self._action(task)
        data = {"resolution_note": "Đã xử lý."} if "resolution_note" in task["fields"] else {}
        body = json.dumps({"action": action, "data": data}).encode()
        code = (task.get("record") or {}).get("tracking_code", "")
        started = time.monotonic()
        attempt = 0
        while not self.stop.is_set():
            attempt += 1
            answer = request(
                self.port(),
                "POST",
                f"/api/v1/tasks/{task['id']}/complete/",
                headers=self._headers(),
                body=body,
            )
            self.journal.add(
                "complete",
                answer,
                user=self.username,
                task=task["id"],
                node=task.get("node"),
                code=code,
                action=action,
                attempt=attempt,
            )
            late = time.monotonic() - started > RETRY_WINDOW
            if answer.outcome == "refused" and not late:
                self.stop.wait(0.5)
                continue
            if answer.failed and attempt < MAX_ATTEMPTS and not late:
                self.stop.wait(1.0)
                continue
            if answer.status == 200:
                self.completed += 1
            self.journal.op_done()
            return
