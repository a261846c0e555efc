"""The verdict, from what can be seen from outside: the HTTP answers the load got, the
rows of the database (records, cases, tasks, outbox) and the mail the SMTP sink received.

Rules:

* no request was answered with a 5xx;
* no valid request was refused with a 4xx (except a 409 for a task completion that was
  being tried again after a lost answer or a 5xx: the first try had done it);
* every accepted submission (2xx/3xx) has exactly one record, and that record one case
  with at least one task;
* every record with a contact address is due one receipt (for the doors that send them),
  every closed record one closing notice: each was received by the SMTP sink exactly once
  (distinct Message-IDs for that case and kind), and nothing else was received;
* every case was closed by the officials (else its closing notice cannot be due);
* nothing is left in the outbox that is not delivered.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .load import ADDRESS_RE, LETTER_DOOR
from .smtp import Mail

RECEIPT = "receipt"
CLOSING = "closing"
DEFAULT_RECEIPT_PATTERN = r"\breceived\b|đã nhận|biên nhận"
DEFAULT_CLOSING_PATTERN = r"^(your case|hồ sơ)\b|has been handled|đã được xử lý|\bclosed\b|đã đóng"
#: Outbox statuses that mean "nothing more to do".
DONE_STATUSES = ("delivered",)
MAX_LISTED = 60


@dataclass
class Violation:
    kind: str
    detail: str


@dataclass
class DbState:
    """``records``: contact address -> (tracking code, status, cases, tasks) for every
    record; ``outbox``: status -> kind -> count; ``outbox_left``: rows not done."""

    records: dict[str, list[tuple[str, str, int, int]]] = field(default_factory=dict)
    by_code: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (email, status)
    outbox: dict[str, dict[str, int]] = field(default_factory=dict)
    outbox_left: list[dict[str, Any]] = field(default_factory=list)


def read_db(conn: Any, done_statuses: tuple[str, ...] = DONE_STATUSES) -> DbState:
    state = DbState()
    rows = conn.execute(
        """
        SELECT r.tracking_code, lower(r.contact_email), r.status,
               (SELECT count(*) FROM runtime_processinstance p WHERE p.record_id = r.id),
               (SELECT count(*) FROM runtime_task t JOIN runtime_processinstance p
                  ON p.id = t.instance_id WHERE p.record_id = r.id)
        FROM records_record r
        """
    ).fetchall()
    for code, email, status, cases, tasks in rows:
        state.records.setdefault(email or "", []).append((code, status, cases, tasks))
        state.by_code[code] = (email or "", status)
    for status, kind, count in conn.execute(
        "SELECT status, kind, count(*) FROM runtime_outboxentry GROUP BY status, kind"
    ).fetchall():
        state.outbox.setdefault(status, {})[kind] = count
    for key, kind, status, attempts, error in conn.execute(
        "SELECT key, kind, status, attempts, last_error FROM runtime_outboxentry "
        "WHERE NOT (status = ANY(%s)) ORDER BY id LIMIT 200",
        [list(done_statuses)],
    ).fetchall():
        state.outbox_left.append(
            {"key": key, "kind": kind, "status": status, "attempts": attempts,
             "last_error": (error or "")[:200]}
        )  # fmt: skip
    return state


class Classifier:
    def __init__(self, receipt_pattern: str, closing_pattern: str) -> None:
        self.receipt = re.compile(receipt_pattern, re.IGNORECASE)
        self.closing = re.compile(closing_pattern, re.IGNORECASE)

    def kind(self, mail: Mail) -> str:
        for text in (mail.subject, mail.body):
            if self.receipt.search(text):
                return RECEIPT
            if self.closing.search(text):
                return CLOSING
        return "unknown"


def door_of(email: str) -> str:
    found = ADDRESS_RE.match(email)
    return LETTER_DOOR[found.group(1)] if found else "?"


@dataclass
class Deliveries:
    """(code, kind) -> distinct Message-IDs received; and what could not be placed."""

    seen: dict[tuple[str, str], set[str]]
    transactions: Counter[tuple[str, str]]
    strays: list[str]


def deliveries(mails: list[Mail], db: DbState, classifier: Classifier) -> Deliveries:
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    transactions: Counter[tuple[str, str]] = Counter()
    strays: list[str] = []
    for mail in mails:
        kind = classifier.kind(mail)
        for rcpt in mail.rcpt:
            found = db.records.get(rcpt.lower())
            if not found:
                strays.append(f"mail #{mail.seq} to {rcpt} (no record has this address): "
                              f"{mail.subject!r}")  # fmt: skip
                continue
            code = found[0][0]
            if kind == "unknown":
                strays.append(f"mail #{mail.seq} to {rcpt} ({code}) of unknown kind: "
                              f"{mail.subject!r}")  # fmt: skip
            key = (code, kind)
            seen[key].add(mail.message_id or f"seq:{mail.seq}")
            transactions[key] += 1
    return Deliveries(dict(seen), transactions, strays)


def due(db: DbState, receipt_doors: set[str]) -> set[tuple[str, str]]:
    wanted: set[tuple[str, str]] = set()
    for code, (email, status) in db.by_code.items():
        if not email:
            continue
        if door_of(email) in receipt_doors:
            wanted.add((code, RECEIPT))
        if status == "closed":
            wanted.add((code, CLOSING))
    return wanted


def missing_count(db: DbState, mails: list[Mail], classifier: Classifier, doors: set[str]) -> int:
    """How many due messages have not been received yet (for the settling loop)."""
    got = deliveries(mails, db, classifier).seen
    return sum(1 for item in due(db, doors) if not got.get(item))


def verdict(
    *,
    journal: list[dict[str, Any]],
    db: DbState,
    mails: list[Mail],
    classifier: Classifier,
    receipt_doors: set[str],
) -> tuple[dict[str, Any], list[Violation]]:
    violations: list[Violation] = []
    summary: dict[str, Any] = {}

    # ---- HTTP answers
    statuses: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for entry in journal:
        where = entry.get("door") or entry.get("user") or "-"
        statuses[entry["op"]][where][entry["label"]] += 1
        status = entry["status"]
        context = _context(entry)
        if status is not None and status >= 500:
            violations.append(Violation("http_5xx", f"{entry['op']} answered {status}: {context}"))
        elif status is not None and 400 <= status < 500:
            retried = entry["op"] == "complete" and status == 409 and entry.get("attempt", 1) > 1
            if not retried:
                violations.append(
                    Violation("http_4xx", f"{entry['op']} answered {status}: {context}")
                )
    summary["requests"] = {
        op: {where: dict(sorted(c.items())) for where, c in sorted(by.items())}
        for op, by in sorted(statuses.items())
    }

    # ---- submissions: one record, one case, its first task(s)
    accepted = 0
    lost_but_stored = Counter[str]()
    attempts_by_email = {}
    for entry in journal:
        if entry["op"] != "submit":
            continue
        attempts_by_email[entry["email"]] = entry
        found = db.records.get(entry["email"], [])
        ok = entry["status"] is not None and 200 <= entry["status"] < 400
        if ok:
            accepted += 1
            if len(found) != 1:
                violations.append(Violation(
                    "accepted_records",
                    f"{len(found)} records for an accepted submission: {_context(entry)}",
                ))  # fmt: skip
                continue
            code, _status, cases, tasks = found[0]
            if cases != 1:
                violations.append(Violation("record_cases", f"{code}: {cases} cases"))
            elif tasks < 1:
                violations.append(Violation("case_tasks", f"{code}: its case has no task"))
        elif found:
            lost_but_stored[entry["label"]] += len(found)
    portal_forms = {e["email"] for e in journal if e["op"] == "portal_form" and e.get("email")}
    strangers = [
        email
        for email in db.records
        if email not in attempts_by_email and email not in portal_forms
    ]
    for email in strangers:
        violations.append(Violation("unknown_record", f"a record nobody submitted: {email!r}"))
    closed = sum(1 for _email, status in db.by_code.values() if status == "closed")
    planned = {e["submission"] for e in journal if e["op"] in ("submit", "portal_form")}
    answered = {
        e["submission"]
        for e in journal
        if e["op"] == "submit" and e["status"] is not None and 200 <= e["status"] < 400
    }
    summary["records"] = {
        "submissions_tried": len(planned),
        "submissions_given_up": len(planned - answered),
        "attempts_accepted": accepted,
        "records": len(db.by_code),
        "closed": closed,
        "stored_without_a_2xx_3xx_answer": dict(lost_but_stored),
    }
    for code, (_email, status) in sorted(db.by_code.items()):
        if status != "closed":
            violations.append(Violation("case_open", f"{code} is still {status}"))

    # ---- mail
    wanted = due(db, receipt_doors)
    got = deliveries(mails, db, classifier)
    per: dict[str, dict[str, Counter[str]]] = {
        RECEIPT: defaultdict(Counter),
        CLOSING: defaultdict(Counter),
    }
    causes = _causes(journal, db)
    by_cause: dict[str, Counter[str]] = defaultdict(Counter)
    for code, kind in sorted(wanted):
        door = door_of(db.by_code[code][0])
        ids = got.seen.get((code, kind), set())
        cause = causes.get((code, kind), "?")
        if not ids:
            per[kind][door]["missing"] += 1
            by_cause[f"{kind}_missing"][cause] += 1
            violations.append(Violation(f"{kind}_missing", f"{code}: {cause}"))
        elif len(ids) > 1:
            per[kind][door]["duplicated"] += 1
            by_cause[f"{kind}_duplicated"][cause] += 1
            violations.append(
                Violation(
                    f"{kind}_duplicated",
                    f"{code}: {len(ids)} messages ({', '.join(sorted(ids))}); {cause}",
                )
            )
        else:
            per[kind][door]["once"] += 1
    for key, ids in sorted(got.seen.items()):
        if key not in wanted and key[1] != "unknown":
            violations.append(Violation("mail_unexpected", f"{key[1]} for {key[0]}: {len(ids)}"))
    for stray in got.strays:
        violations.append(Violation("mail_stray", stray))
    summary["mail"] = {
        "messages": len(mails),
        "message_ids_distinct": len({m.message_id for m in mails if m.message_id}),
        "due": {RECEIPT: sum(1 for w in wanted if w[1] == RECEIPT),
                CLOSING: sum(1 for w in wanted if w[1] == CLOSING)},
        RECEIPT: {door: dict(c) for door, c in sorted(per[RECEIPT].items())},
        CLOSING: {door: dict(c) for door, c in sorted(per[CLOSING].items())},
        "receipt_doors": sorted(receipt_doors),
        "not_once_by_cause": {k: dict(c.most_common()) for k, c in sorted(by_cause.items())},
    }  # fmt: skip

    # ---- outbox
    summary["outbox"] = db.outbox
    for row in db.outbox_left:
        violations.append(Violation("outbox_left", f"{row}"))

    by_kind = Counter(v.kind for v in violations)
    summary["violations"] = {"count": len(violations), "by_kind": dict(sorted(by_kind.items()))}
    return summary, violations


def _causes(journal: list[dict[str, Any]], db: DbState) -> dict[tuple[str, str], str]:
    """(code, kind) -> the request that made the message due, as "<door>: submit 303
    during broker#0": the accepted submission for a receipt, the last completion of the
    case (other than a 409) for a closing notice."""
    submits = {e["email"]: e for e in journal if e["op"] == "submit"}
    completions: dict[str, dict[str, Any]] = {}
    for entry in journal:
        if entry["op"] == "complete" and entry["status"] != 409 and entry.get("code"):
            completions[entry["code"]] = entry
    causes = {}
    for code, (email, _status) in db.by_code.items():
        door = door_of(email)
        submitted = submits.get(email)
        if submitted is not None:
            causes[(code, RECEIPT)] = (
                f"{door}: submit {submitted['label']} during {submitted['fault'] or 'no fault'}"
            )
        closing = completions.get(code)
        if closing is not None:
            causes[(code, CLOSING)] = (
                f"{door}: closed by complete {closing['label']} ({closing.get('node')}) "
                f"during {closing['fault'] or 'no fault'}"
            )
    return causes


def _context(entry: dict[str, Any]) -> str:
    parts = [f"t={entry['t']}s"]
    for key in ("door", "user", "submission", "attempt", "code", "node", "email"):
        if entry.get(key) not in (None, ""):
            parts.append(f"{key}={entry[key]}")
    parts.append(f"during={entry['fault'] or 'no fault'}")
    if entry.get("error"):
        parts.append(f"error={entry['error']}")
    return " ".join(parts)
