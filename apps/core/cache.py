"""A Redis cache that degrades instead of failing.

The cache holds only what can be lost: rate-limit counters (API throttles, the portal's
limits). When Redis cannot be reached, reads miss, writes are dropped and counters start
again (``incr`` raises ``ValueError`` as for a missing key), with a warning in the log at
most once a minute: rate limits fail open for the outage and no request answers 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: Seconds between two warnings about the same outage.
WARN_EVERY = 60.0


class ResilientRedisCache(RedisCache):
    _warned_at: float | None = None

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        warned = ResilientRedisCache._warned_at
        if warned is None or now - warned >= WARN_EVERY:
            ResilientRedisCache._warned_at = now
            logger.warning(
                "cache unreachable (%s: %s): rate limits are not enforced until it returns",
                operation,
                error,
            )


def _degrading(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    method = getattr(RedisCache, name)

    @wraps(method)
    def call(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            self._unreachable(name, error)
            return fallback(*args, **kwargs)

    return call


def _default(_key: Any, default: Any = None, *_args: Any, **_kwargs: Any) -> Any:
    return default


def _missing(key: Any, *_args: Any, **_kwargs: Any) -> Any:
    raise ValueError(f"Key '{key}' not found (the cache is unreachable)")


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def _false(*_args: Any, **_kwargs: Any) -> bool:
    return False


def _empty(*_args: Any, **_kwargs: Any) -> dict[str, Any]:
    return {}


def _all_failed(data: dict[str, Any], *_args: Any, **_kwargs: Any) -> list[str]:
    return list(data)


def _get_or_set(_key: Any, default: Any, *_args: Any, **_kwargs: Any) -> Any:
    return default() if callable(default) else default


_FALLBACKS: dict[str, Callable[..., Any]] = {
    "get": _default,
    "get_many": _empty,
    "get_or_set": _get_or_set,
    "has_key": _false,
    "set": _nothing,
    "set_many": _all_failed,
    "add": _false,
    "touch": _false,
    "delete": _false,
    "delete_many": _nothing,
    "incr": _missing,
    "decr": _missing,
    "clear": _false,
}
for _name, _fallback in _FALLBACKS.items():
    setattr(ResilientRedisCache, _name, _degrading(_name, _fallback))
