"""The Vietnamese catalog: complete, no fuzzy entries, placeholders kept, and used.

The catalog checks read ``locale/vi/LC_MESSAGES/django.po`` itself, so they do not
depend on compiled ``.mo`` files; the rendering checks need ``make messages`` to have
compiled them (``make test`` does).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

CATALOG = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"

# %(name)s / %(count)d, bare %s / %d, {name} / {0} / {} and {{ name }}.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[#0\- +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"
    r"|%[#0\- +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"
    r"|\{\{\s*[\w.|:\"' ]+?\s*\}\}"
    r"|\{[\w.\[\]!:]*\}"
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body[1:-1])


def read_po(path: Path) -> list[Entry]:
    """A small PO reader: enough for the files ``makemessages`` writes."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, target, started
        if started:
            entries.append(current)
        current, target, started = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            started = True
            continue
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if keyword:
            started = True
            name, index, value = keyword.group(1), keyword.group(2), _unquote(keyword.group(3))
            if name.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = value
            else:
                target = (name, 0)
                setattr(current, name, value)
            continue
        assert target is not None and line.startswith('"'), f"unexpected line: {raw!r}"
        if target[0] == "msgstr":
            current.msgstr[target[1]] += _unquote(line)
        else:
            setattr(current, target[0], (getattr(current, target[0]) or "") + _unquote(line))
    finish()
    return entries


def messages() -> list[Entry]:
    return [e for e in read_po(CATALOG) if e.msgid != "" and not e.obsolete]


def header() -> dict[str, str]:
    (head,) = [e for e in read_po(CATALOG) if e.msgid == "" and not e.obsolete]
    lines = (line.split(":", 1) for line in head.msgstr[0].splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in lines}


def placeholders(text: str) -> list[str]:
    return sorted(re.sub(r"\s+", "", token) for token in PLACEHOLDER.findall(text))


# --------------------------------------------------------------------------- catalog


def test_the_catalog_exists_and_is_not_empty() -> None:
    assert CATALOG.is_file()
    assert len(messages()) > 100


def test_the_header_declares_vietnamese_with_one_plural_form() -> None:
    head = header()
    assert head["Language"] == "vi"
    assert head["Content-Type"] == "text/plain; charset=UTF-8"
    assert head["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


def test_every_message_is_translated() -> None:
    untranslated = [e.msgid for e in messages() if not e.msgstr or not all(e.msgstr.values())]
    assert untranslated == []


def test_no_message_is_fuzzy() -> None:
    assert [e.msgid for e in read_po(CATALOG) if "fuzzy" in e.flags] == []


def test_plural_messages_have_exactly_one_form() -> None:
    plurals = [e for e in messages() if e.msgid_plural is not None]
    assert plurals, "the inbox counter should be a plural message"
    assert [e.msgid for e in plurals if sorted(e.msgstr) != [0]] == []


def test_every_translation_keeps_the_placeholders() -> None:
    wrong = []
    for entry in messages():
        # The one Vietnamese plural form serves every count, as msgid_plural does.
        expected = placeholders(entry.msgid_plural or entry.msgid)
        for text in entry.msgstr.values():
            if placeholders(text) != expected:
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_translations_keep_leading_and_trailing_whitespace() -> None:
    def ends(text: str) -> tuple[bool, bool, bool]:
        return (text[:1].isspace(), text[-1:].isspace(), text.endswith("\n"))

    wrong = [
        e.msgid for e in messages() if any(ends(t) != ends(e.msgid) for t in e.msgstr.values())
    ]
    assert wrong == []


def test_the_placeholder_check_catches_a_dropped_placeholder() -> None:
    assert placeholders("Enter at most %(max_length)s characters.") == ["%(max_length)s"]
    assert placeholders("Tối đa ký tự.") != placeholders("Up to %(count)s files, %s, {x}")


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext is not installed")
def test_gettext_tools_find_nothing_untranslated_or_fuzzy() -> None:
    for option in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(
            ["msgattrib", option, "--no-obsolete", str(CATALOG)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout == "", option


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")
def test_msgfmt_accepts_the_catalog() -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(CATALOG)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


# --------------------------------------------------------------------------- rendering


def test_django_renders_the_vietnamese_translations() -> None:
    with translation.override("vi"):
        assert translation.gettext("This field is required.") == "Trường này là bắt buộc."
        assert translation.gettext("Look up a case") == "Tra cứu hồ sơ"
        assert translation.gettext("Inbox") == "Hộp công việc"
        assert (
            translation.gettext("Enter at most %(max_length)s characters.") % {"max_length": 200}
            == "Vui lòng nhập tối đa 200 ký tự."
        )
        for count in (1, 5):
            text = translation.ngettext(
                "%(counter)s open task for you.", "%(counter)s open tasks for you.", count
            ) % {"counter": count}
            assert text == f"Bạn có {count} công việc đang chờ xử lý."
    with translation.override("en"):
        assert translation.gettext("Look up a case") == "Look up a case"


@pytest.mark.django_db
def test_the_home_page_is_in_vietnamese(demo: None) -> None:
    page = Client().get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dịch vụ cho người dân" in html
    assert "Tra cứu hồ sơ" in html
    assert "Services for citizens" not in html


@pytest.mark.django_db
def test_the_api_answers_in_vietnamese_by_default(demo: Any) -> None:
    body = Client().get("/api/v1/tasks/").json()
    assert body["error"]["message"] in {
        "Vui lòng đăng nhập hoặc gửi mã truy cập API để thực hiện thao tác này.",
        "Thông tin đăng nhập hoặc mã truy cập API không hợp lệ.",
    }
