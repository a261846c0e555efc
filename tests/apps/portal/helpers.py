"""Helpers of the portal tests (also used by the browser tests): an app bundle with every
field type, a real tiny PNG, and a small HTML reader so tests look at elements."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

ALL_FIELDS_BUNDLE: dict[str, Any] = {
    "format_version": 1,
    "app": {"key": "all_fields", "label": {"vi": "Mọi loại trường", "en": "Every field type"}},
    "entities": [
        {
            "schema_version": 1,
            "key": "sample",
            "label": {"vi": "Mẫu", "en": "Sample"},
            "fields": [
                {"key": "title", "type": "text", "max_length": 80, "required": True,
                 "label": {"vi": "Tiêu đề", "en": "Title"}},
                {"key": "body", "type": "long_text", "max_length": 900,
                 "label": {"vi": "Nội dung", "en": "Body"}},
                {"key": "count", "type": "number", "min": 1, "max": 9, "integer": True,
                 "label": {"vi": "Số lượng", "en": "Count"}},
                {"key": "ratio", "type": "number", "label": {"vi": "Tỉ lệ", "en": "Ratio"}},
                {"key": "day", "type": "date", "label": {"vi": "Ngày", "en": "Day"}},
                {"key": "size", "type": "choice",
                 "label": {"vi": "Cỡ", "en": "Size"},
                 "options": [
                     {"value": "small", "label": {"vi": "Nhỏ", "en": "Small"}},
                     {"value": "large", "label": {"vi": "Lớn", "en": "Large"}},
                 ]},
                {"key": "color", "type": "choice",
                 "label": {"vi": "Màu", "en": "Colour"},
                 "options": [
                     {"value": "red", "label": {"vi": "Đỏ", "en": "Red"}},
                     {"value": "blue", "label": {"vi": "Xanh", "en": "Blue"}},
                 ]},
                {"key": "tags", "type": "multi_choice",
                 "label": {"vi": "Nhãn", "en": "Tags"},
                 "options": [
                     {"value": "urgent", "label": {"vi": "Khẩn", "en": "Urgent"}},
                     {"value": "night", "label": {"vi": "Ban đêm", "en": "At night"}},
                 ]},
                {"key": "agree", "type": "boolean", "label": {"vi": "Đồng ý", "en": "I agree"}},
                {"key": "papers", "type": "file", "max_files": 1, "accept": ["application/pdf"],
                 "label": {"vi": "Giấy tờ", "en": "Papers"}},
                {"key": "pictures", "type": "photo", "max_files": 2,
                 "label": {"vi": "Ảnh", "en": "Pictures"}},
                {"key": "place", "type": "location", "label": {"vi": "Vị trí", "en": "Place"}},
                {"key": "ward", "type": "agency", "agency_kind": "ward",
                 "label": {"vi": "Phường", "en": "Ward"}},
            ],
        }
    ],
    "forms": [
        {
            "schema_version": 1,
            "key": "everything",
            "entity": "sample",
            "label": {"vi": "Biểu mẫu đầy đủ", "en": "Complete form"},
            "steps": [
                {"key": "one", "label": {"vi": "Phần một", "en": "Part one"}, "fields": [
                    {"field": "title", "help": {"vi": "Ngắn gọn", "en": "Keep it short"}},
                    {"field": "body"},
                    {"field": "count"},
                    {"field": "ratio"},
                    {"field": "day"},
                    {"field": "size", "widget": "radio"},
                    {"field": "color", "label": {"vi": "Màu sắc", "en": "Which colour"}},
                    {"field": "tags"},
                    {"field": "agree"},
                ]},
                {"key": "two", "label": {"vi": "Phần hai", "en": "Part two"}, "fields": [
                    {"field": "papers"},
                    {"field": "pictures"},
                    {"field": "place"},
                    {"field": "ward"},
                ]},
            ],
        },
        {
            "schema_version": 1,
            "key": "internal",
            "entity": "sample",
            "audience": "staff",
            "label": {"vi": "Nội bộ", "en": "Internal"},
            "steps": [{"key": "one", "label": {"vi": "Một", "en": "One"},
                       "fields": [{"field": "title"}]}],
        },
    ],
    "workflows": [],
}  # fmt: skip


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, valid PNG image (red pixels), made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    #: For <option>: the name of its <select>.
    select: str = ""


class Page(HTMLParser):
    """The elements of an HTML page, with their attributes and (for some) their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self._select = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        if tag == "select":
            self._select = element.attrs.get("name", "")
        elif tag == "option":
            element.select = self._select
        self.elements.append(element)
        if tag not in VOID_TAGS:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = ""
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag)
            and all(e.attrs.get(name.rstrip("_")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs}"
        return found[0]

    def options(self, select: str) -> list[Element]:
        return [e for e in self.elements if e.tag == "option" and e.select == select]

    def by_id(self, element_id: str) -> Element:
        return self.find(None, id=element_id)


def read_page(response: Any) -> Page:
    page = Page()
    page.feed(response.content.decode())
    page.close()
    return page
