"""Open311 documents as XML or JSON, with the same data in both.

The JSON is the "Spark convention" mapping of the XML the specification describes: a list
is a list of the element's children (``<services><service>…`` is ``[{…}]``), an empty
element is ``null``, ``true``/``false`` are booleans. XML is UTF-8 with its declaration,
no namespace; ElementTree escapes every text, and characters XML 1.0 cannot carry (control
characters) are dropped from both formats.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree.ElementTree import Element, tostring

from django.http import HttpResponse

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
#: The element of each item of a list, by the list's element.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
#: Characters XML 1.0 cannot carry, even escaped.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(value: Any) -> Any:
    """``value`` with every string stripped of characters XML cannot carry."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def element(tag: str, value: Any) -> Element:
    node = Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            node.append(element(key, item))
    elif isinstance(value, list):
        for item in value:
            node.append(element(ITEMS[tag], item))
    else:
        node.text = _text(value)
    return node


def to_xml(root: str, document: Any) -> bytes:
    body = tostring(element(root, clean(document)), encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode()


def to_json(document: Any) -> bytes:
    return json.dumps(clean(document), ensure_ascii=False, indent=None).encode()


def render(root: str, document: Any, fmt: str, *, status: int = 200) -> HttpResponse:
    """``document`` as a response in ``fmt``; ``root`` is its XML element."""
    body = to_json(document) if fmt == "json" else to_xml(root, document)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(
    descriptions: list[str], fmt: str, *, status: int, code: int | None = None
) -> HttpResponse:
    """The specification's error list: one ``{code, description}`` per problem."""
    errors = [{"code": code or status, "description": text} for text in descriptions]
    return render("errors", errors, fmt, status=status)
