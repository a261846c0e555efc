"""Sentences the builder shows about engine errors and saved tests that failed, in the
official's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.core.errors import ENGINE_MESSAGES


def _error_messages() -> dict[str, str]:
    return {
        "task_not_open": _("No task of this node is open at this step."),
        "unknown_action": _("This task has no such action."),
        "unknown_workflow": _("This workflow does not exist."),
        "unknown_node": _("This node is not in the workflow."),
        "not_a_task": _("This node is not a task."),
        "unknown_field": _("This field is not a field of the entity."),
        "guard_submitter": _("The person who submitted the case may not complete this task."),
        "guard_previous_actor": _("Whoever completed an earlier task may not complete this one."),
        "rule_failed": _("A rule of the workflow failed."),
    }


def engine_error_message(code: str, fallback: str) -> str:
    """The translated message of an engine error code (the engine's English otherwise)."""
    message = _error_messages().get(code) or ENGINE_MESSAGES.get(code)
    return str(message) if message else fallback


def test_failure_message(label: str, result: dict[str, Any]) -> str:
    """Why a saved test failed, in a sentence: its first error, else the expectations
    not met."""
    if result["errors"]:
        error = result["errors"][0]
        reason = engine_error_message(error["code"], error["message"])
        if error.get("step") is not None:
            reason = _("step %(step)s: %(reason)s") % {"step": error["step"] + 1, "reason": reason}
    else:
        reason = "; ".join(
            _("expected %(what)s %(expected)s, got %(actual)s")
            % {"what": check["what"], "expected": check["expected"], "actual": check["actual"]}
            for check in result["expectations"]
            if not check["ok"]
        )
    return _("Test %(test)s failed: %(reason)s") % {"test": label, "reason": reason}
