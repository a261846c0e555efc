"""The platform's clock.

Code that computes deadlines takes ``now`` as a parameter (the engine always does); a use
case that is not handed one asks ``clock.now()``. In production that is the wall clock;
tests set it (``clock.set(...)``, ``clock.advance(...)``, the ``clock`` fixture) so that
what they assert about deadlines holds at any hour of any day.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from django.utils import timezone

_lock = threading.Lock()
#: The moment tests set, or None for the wall clock.
_fixed: datetime | None = None


def now() -> datetime:
    """The current moment (aware, UTC): the wall clock unless a test set one."""
    fixed = _fixed
    return fixed if fixed is not None else timezone.now()


def set(moment: datetime | None) -> None:  # noqa: A001 - the clock's own vocabulary
    """Fix the clock at ``moment`` (aware; kept in UTC), or give it back to the wall clock
    with None."""
    global _fixed
    if moment is not None:
        if timezone.is_naive(moment):
            raise ValueError("the clock needs an aware datetime")
        moment = moment.astimezone(UTC)  # as the wall clock gives it, whatever the offset
    with _lock:
        _fixed = moment


def advance(delta: timedelta) -> datetime:
    """Move a fixed clock forward by ``delta`` and return the new moment."""
    global _fixed
    with _lock:
        if _fixed is None:
            raise RuntimeError("only a fixed clock can be advanced; set() it first")
        _fixed = _fixed + delta
        return _fixed


def is_fixed() -> bool:
    return _fixed is not None
