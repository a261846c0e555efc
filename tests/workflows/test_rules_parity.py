"""The server (workflows.rules, datalogic-py) and the browser (json-logic-engine) agree.

Every rule of tests/workflows/rules_corpus.json is evaluated by both: the browser side runs
frontend/scripts/jsonlogic-eval.mjs under node, once for the whole corpus. These tests never
skip: without node or frontend/node_modules (``npm ci`` in frontend/, which ``make test``
does) they fail and say what is missing.

Numbers compare as JSON numbers: a whole float and the int of the same value are equal
(the server may return 2.0 where the browser returns 2), see ``normalise``.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from workflows import rules

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
SCRIPT = FRONTEND / "scripts" / "jsonlogic-eval.mjs"
ENGINE_PACKAGE = FRONTEND / "node_modules" / "json-logic-engine"
CORPUS = json.loads((Path(__file__).with_name("rules_corpus.json")).read_text(encoding="utf-8"))
SECTIONS = ("cases", "errors", "known_differences")


def normalise(value: Any) -> Any:
    """JSON value with whole floats turned into ints (2.0 -> 2), recursively.

    Only the number *type* is forgiven: 2.0 and 2 are the same JSON number. Booleans stay
    booleans and every other value compares exactly.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items()}
    return value


def same_json(left: Any, right: Any) -> bool:
    dump = json.dumps
    return dump(normalise(left), sort_keys=True) == dump(normalise(right), sort_keys=True)


def server_outcome(rule: Any, data: Any) -> dict[str, Any]:
    try:
        return {"ok": True, "result": rules.evaluate(rule, data)}
    except rules.RuleError as error:
        return {"ok": False, "error": error.code, "message": error.message}


def same_outcome(left: dict[str, Any], right: dict[str, Any]) -> bool:
    if left["ok"] != right["ok"]:
        return False
    return not left["ok"] or same_json(left["result"], right["result"])


def run_browser(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evaluate ``[{rule, data}, ...]`` with json-logic-engine; fails (never skips) if it can't."""
    return run_node_script(SCRIPT, items, side="browser")


def run_node_script(
    script: Path, items: list[dict[str, Any]], *, side: str
) -> list[dict[str, Any]]:
    """Run a ``frontend/scripts`` evaluator over ``items`` in one node process; fails (never
    skips) when node or the front-end packages are missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            f"node is not installed: the {side} side of the rules cannot be checked. "
            "Install Node.js (Debian: apt-get install nodejs npm), then `npm ci` in frontend/."
        )
    if not ENGINE_PACKAGE.is_dir():
        pytest.fail(
            f"{ENGINE_PACKAGE.relative_to(REPO)} is missing: run `npm ci` in frontend/ "
            "(`make test` does it)."
        )
    completed = subprocess.run(
        [node, str(script)],
        check=False,
        input=json.dumps(items),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=FRONTEND,
        timeout=120,
    )
    if completed.returncode != 0:
        pytest.fail(f"{script.name} exited with {completed.returncode}:\n{completed.stderr}")
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    assert len(results) == len(items), "the script must answer once per input"
    return results


@functools.cache
def browser_corpus() -> dict[tuple[str, str], dict[str, Any]]:
    """Browser outcome of every corpus entry, keyed by (section, name); one node run."""
    keys = [(section, entry["name"]) for section in SECTIONS for entry in CORPUS[section]]
    items = [
        {"rule": entry["rule"], "data": entry["data"]}
        for section in SECTIONS
        for entry in CORPUS[section]
    ]
    return dict(zip(keys, run_browser(items), strict=True))


def describe(entry: dict[str, Any], **outcomes: Any) -> str:
    parts = [f"- {entry['name']}: rule={json.dumps(entry['rule'], ensure_ascii=False)}"]
    parts.append(f"data={json.dumps(entry['data'], ensure_ascii=False)}")
    parts.extend(
        f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in outcomes.items()
    )
    return " ".join(parts)


def test_browser_server_and_expected_agree_on_every_case() -> None:
    browser = browser_corpus()
    mismatches = []
    for case in CORPUS["cases"]:
        server = server_outcome(case["rule"], case["data"])
        client = browser[("cases", case["name"])]
        expected = {"ok": True, "result": case["expected"]}
        if not (same_outcome(server, expected) and same_outcome(client, expected)):
            mismatches.append(
                describe(case, expected=case["expected"], server=server, browser=client)
            )
    assert not mismatches, f"{len(mismatches)} case(s) disagree:\n" + "\n".join(mismatches)


def test_browser_and_server_both_reject_error_cases() -> None:
    browser = browser_corpus()
    mismatches = []
    for case in CORPUS["errors"]:
        server = server_outcome(case["rule"], case["data"])
        client = browser[("errors", case["name"])]
        if server.get("error") != case["server_error"] or client["ok"]:
            mismatches.append(
                describe(case, server_error=case["server_error"], server=server, browser=client)
            )
    assert not mismatches, f"{len(mismatches)} error case(s) changed:\n" + "\n".join(mismatches)


def test_known_differences_still_reproduce() -> None:
    """Each documented difference is still there, exactly as recorded.

    When a library upgrade makes the two agree, move the entry to "cases" (and update the
    docstring of workflows/rules.py); when it changes, record the new behaviour.
    """
    browser = browser_corpus()
    stale = []
    for entry in CORPUS["known_differences"]:
        server = server_outcome(entry["rule"], entry["data"])
        client = browser[("known_differences", entry["name"])]
        recorded_server, recorded_browser = entry["server"], entry["browser"]
        server_same = same_outcome(server, recorded_server) and (
            server["ok"] or server["error"] == recorded_server["error"]
        )
        # Browser errors are JavaScript messages; only "it failed" is part of the record.
        browser_same = same_outcome(client, recorded_browser)
        still_differs = not same_outcome(server, client)
        if not (server_same and browser_same and still_differs):
            stale.append(
                describe(
                    entry,
                    recorded_server=recorded_server,
                    server=server,
                    recorded_browser=recorded_browser,
                    browser=client,
                )
            )
    assert not stale, f"{len(stale)} known difference(s) changed:\n" + "\n".join(stale)


def test_every_known_difference_is_explained() -> None:
    for entry in CORPUS["known_differences"]:
        assert set(entry) >= {"name", "rule", "data", "server", "browser", "note"}, entry["name"]
        assert len(entry["note"]) > 10, entry["name"]


def test_eval_script_reports_failures_without_stopping() -> None:
    results = run_browser(
        [
            {"rule": {"bogus": [1]}, "data": {}},
            {"rule": {"/": [1, 0]}, "data": {}},
            {"rule": {"*": [1e308, 10]}, "data": {}},
            {"rule": {"cat": ["Phường ", {"var": "ward"}]}, "data": {"ward": "Bến Nghé"}},
        ]
    )
    assert [result["ok"] for result in results] == [False, False, False, True]
    assert "Unknown Operator" in results[0]["error"]
    assert results[1]["error"] == "NaN"
    assert "not JSON" in results[2]["error"]
    assert results[3]["result"] == "Phường Bến Nghé"
