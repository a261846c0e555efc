"""The API's JSON parser (named in ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

Kept apart from ``apps.core.api``: DRF reads that setting when ``rest_framework.views`` is
first imported, which ``apps.core.api`` itself does.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, parsers

#: Integers longer than this are read as floats (``inf`` when out of range), so that a
#: field validator rejects them instead of overflowing when converting to float.
MAX_INT_DIGITS = 300


def _parse_int(text: str) -> int | float:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return float(text)  # inf: refused by the field validators with a clear message
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


#: The deepest nesting of lists and objects a body may have. Deeper values parse, but later
#: work on them (copying, encoding, schema checks) recurses past Python's limit.
MAX_DEPTH = 100


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(text: str) -> Any:
    """JSON as the API reads it: no NaN/Infinity, absurdly long integers as floats, at
    most ``MAX_DEPTH`` levels of nesting."""
    value = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int)
    if _too_deep(value):
        raise ValueError(f"JSON nested more than {MAX_DEPTH} levels deep")
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, hardened: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413,
    absurd nesting, numbers or encodings a 400 — never a 500."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestDataTooBig("JSON body larger than DATA_UPLOAD_MAX_MEMORY_SIZE")
        try:
            text = body.decode(encoding)
            return loads(text)
        except (ValueError, RecursionError, LookupError) as exc:
            raise exceptions.ParseError(str(exc)[:200]) from exc
