"""Use cases of running cases, by concern:

* ``intake`` — the one way a submission becomes a case (``case_open``);
* ``handling`` — one event through the engine, starting a case, replaying one;
* ``effects`` — the table of appliers that carry out the engine's effects;
* ``work`` — tasks: complete, claim, release, reassign, give back to the citizen;
* ``cases`` — steering a case: cancel, pause, resume, retry a failed step, reopen;
* ``signals`` — timers, messages from other systems, sub-processes that ended.

Every event is applied in one transaction with the case's row locked; what leaves the
system goes through the outbox (``apps.runtime.outbox``) in that same transaction.
"""

from .cases import (
    REOPEN_REASON_MAX,
    REOPENED_BY_CITIZEN,
    case_cancel,
    case_pause,
    case_reopen_by_citizen,
    case_resume,
    effect_retry,
    instance_cancel,
    instance_pause,
    instance_resume,
    reopen_deadline,
)
from .handling import CITIZEN, RESTART, SYSTEM, USER, actor_of, instance_replay, instance_start
from .intake import WANTS_UPDATES, case_open, form_refused, form_usable_by
from .signals import due_timers, message_deliver, message_receive, subprocess_report, timer_fire
from .work import (
    task_claim,
    task_complete,
    task_complete_by_citizen,
    task_reassign,
    task_release,
    task_return,
)

__all__ = [
    "CITIZEN",
    "REOPENED_BY_CITIZEN",
    "REOPEN_REASON_MAX",
    "RESTART",
    "SYSTEM",
    "USER",
    "WANTS_UPDATES",
    "actor_of",
    "case_cancel",
    "case_open",
    "case_pause",
    "case_reopen_by_citizen",
    "case_resume",
    "due_timers",
    "effect_retry",
    "form_refused",
    "form_usable_by",
    "instance_cancel",
    "instance_pause",
    "instance_replay",
    "instance_resume",
    "instance_start",
    "message_deliver",
    "message_receive",
    "reopen_deadline",
    "subprocess_report",
    "task_claim",
    "task_complete",
    "task_complete_by_citizen",
    "task_reassign",
    "task_release",
    "task_return",
    "timer_fire",
]
