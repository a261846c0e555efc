"""The Django side of simulation: reading the draft, checking what the builder sent,
naming agencies and roles, translating messages. The run itself is
:mod:`workflows.simulation` (pure, in memory: nothing is written)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.accounts.models import Agency, Role
from apps.core.errors import InvalidInput, NotFound, refuse_nul
from apps.core.models import translated
from workflows.definition import (
    AppDef,
    parse_bundle,
    parse_test,
    saved_test_findings,
    upgrade_bundle,
    validate_document,
)
from workflows.errors import Finding
from workflows.simulation import run_test

from .messages import engine_error_message
from .models import App
from .selectors import bundle_findings, draft_of, version_bundle

#: Keys of a simulation request besides the test case itself.
REQUEST_KEYS = frozenset({"now", "test"})


def _language() -> str:
    return (get_language() or "vi")[:2]


def _name(row: Any) -> str:
    if row is None:
        return ""
    return str(row.name_en if _language() == "en" and row.name_en else row.name_vi)


def _with_names(result: dict[str, Any]) -> dict[str, Any]:
    """Fill in agency and role names (two queries whatever the number of tasks) and
    translate error messages (the engine's English one when the code is not known)."""
    assignees = [task["assignee"] for task in result["tasks"]]
    codes = {a["agency"] for a in assignees if a["agency"]}
    keys = {a["role"] for a in assignees if a["role"]}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)} if codes else {}
    roles = {r.key: r for r in Role.objects.filter(key__in=keys)} if keys else {}
    for assignee in assignees:
        if assignee["agency"]:
            assignee["agency_name"] = _name(agencies.get(assignee["agency"])) or None
        if assignee["role"]:
            assignee["role_name"] = _name(roles.get(assignee["role"])) or None
    for error in result["errors"]:
        error["message"] = engine_error_message(error["code"], error["message"])
    return result


def _draft_app_def(app: App) -> tuple[AppDef, dict[str, Any]]:
    """The draft's definitions, parsed; 400 with the findings when the draft (without its
    saved tests, which are checked one by one) has errors."""
    bundle = upgrade_bundle(version_bundle(draft_of(app)))
    tests = bundle.pop("tests", [])
    errors = [f for f in bundle_findings(bundle, app_key=app.key) if f.severity == "error"]
    if errors:
        raise InvalidInput(
            _("The draft has errors; correct them before running tests."),
            code="definition_invalid",
            details=[f.as_dict() for f in errors],
        )
    return parse_bundle(bundle), {"bundle": bundle, "tests": tests}


def _now(value: Any) -> datetime:
    if value is None:
        return timezone.now()
    moment = None
    if isinstance(value, str) and len(value) <= 64:
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
    if moment is None:
        message = _("Give a date and time, e.g. 2026-03-02T09:00:00+07:00.")
        raise InvalidInput(_("Some fields are not valid."), details={"now": [message]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _findings_error(findings: list[Finding], message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_test", details=[f.as_dict() for f in findings])


def _run(app_def: AppDef, document: dict[str, Any], now: datetime) -> dict[str, Any]:
    result = run_test(app_def, parse_test(document), now, language=_language())
    return _with_names(result)


def simulate_draft(*, app: App, body: dict[str, Any]) -> dict[str, Any]:
    """Run a test case (sent, or saved in the draft and named by ``test``) over the draft."""
    refuse_nul(body)
    now = _now(body.get("now"))
    app_def, parts = _draft_app_def(app)
    if "test" in body:
        name = body["test"]
        extra = sorted(set(body) - REQUEST_KEYS)
        if not isinstance(name, str) or extra:
            message = _("Name a saved test, or send a test case (workflow, data, steps).")
            raise InvalidInput(_("Some fields are not valid."), details={"test": [message]})
        document = next((t for t in parts["tests"] if t.get("key") == name), None)
        if document is None:
            raise NotFound(_("This test does not exist."), code="test_not_found")
    else:
        document = {
            **{k: v for k, v in body.items() if k not in REQUEST_KEYS},
            "schema_version": 1,
            "key": "simulation",
            "label": {"vi": "Mô phỏng", "en": "Simulation"},
        }
        findings = validate_document("test", document)
        if findings:
            raise _findings_error(findings, _("The test case is not valid."))
    workflows = {w["key"]: w for w in parts["bundle"]["workflows"]}
    entities = {e["key"]: e for e in parts["bundle"]["entities"]}
    unknown = [
        f
        for f in saved_test_findings(document, workflows, entities)
        if f.code == "unknown_workflow"
    ]
    if unknown:
        raise _findings_error(unknown, _("This workflow does not exist."))
    return _run(app_def, document, now)


def _failed(findings: list[Finding]) -> dict[str, Any]:
    return {
        "ok": False,
        "status": "failed",
        "path": [],
        "tasks": [],
        "waiting": [],
        "effects": [],
        "errors": [
            {
                "code": f.code,
                "message": engine_error_message(f.code, f.message),
                "step": f.params.get("step"),
            }
            for f in findings
        ],
        "expectations": [],
    }


def run_draft_tests(*, app: App, now: datetime | None = None) -> dict[str, Any]:
    """Run every saved test of the draft: ``{"passed", "results": [{"key", "label", "ok",
    "result"}]}``."""
    app_def, parts = _draft_app_def(app)
    moment = now or timezone.now()
    workflows = {w["key"]: w for w in parts["bundle"]["workflows"]}
    entities = {e["key"]: e for e in parts["bundle"]["entities"]}
    results = []
    for document in parts["tests"]:
        findings = validate_document("test", document) or saved_test_findings(
            document, workflows, entities
        )
        result = _failed(findings) if findings else _run(app_def, document, moment)
        label = document.get("label") if isinstance(document.get("label"), dict) else None
        results.append(
            {
                "key": document.get("key"),
                "label": translated(label) or str(document.get("key")),
                "ok": result["ok"],
                "result": result,
            }
        )
    return {"passed": all(r["ok"] for r in results), "results": results}
