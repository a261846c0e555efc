"""A small SMTP receiver: it accepts every message, writes it to a journal (one JSON line,
flushed and synced) and only then answers 250, so that what it counts is what a mail
server would have taken responsibility for.

Enough of RFC 5321 for Django's SMTP backend (smtplib): EHLO/HELO, MAIL, RCPT, DATA with
dot-unstuffing, RSET, NOOP, QUIT. No TLS, no authentication.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_LINE = 64 * 1024
MAX_MESSAGE = 10 * 1024 * 1024


@dataclass
class Mail:
    seq: int
    received_at: float
    mail_from: str
    rcpt: list[str]
    message_id: str
    subject: str
    body: str
    size: int
    extra: dict[str, str] = field(default_factory=dict)


def _address(argument: str) -> str:
    """``FROM:<a@b> SIZE=1`` -> ``a@b``."""
    value = argument.split(":", 1)[1].strip() if ":" in argument else argument.strip()
    if value.startswith("<"):
        value = value[1 : value.find(">") if ">" in value else None]
    return value.split()[0].lower() if value.split() else ""


def parse(seq: int, mail_from: str, rcpt: list[str], data: bytes) -> Mail:
    message = email.message_from_bytes(data, policy=email.policy.default)
    body = ""
    with contextlib.suppress(Exception):
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None:
            body = part.get_content()
    return Mail(
        seq=seq,
        received_at=time.time(),
        mail_from=mail_from,
        rcpt=rcpt,
        message_id=str(message.get("Message-ID", "")).strip(),
        subject=str(message.get("Subject", "")),
        body=body[:4000],
        size=len(data),
        extra={
            name: str(message.get(name))
            for name in ("Date", "To", "Auto-Submitted", "X-LCNC-Delivery")
            if message.get(name) is not None
        },
    )


class SmtpSink:
    """Run it in a thread of its own: ``start()`` returns the port it listens on."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.mails: list[Mail] = []
        self.sessions = 0
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ------------------------------------------------------------------ life cycle

    def start(self) -> int:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(
                asyncio.start_server(self._session, "127.0.0.1", 0, limit=MAX_LINE)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="smtp-sink", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the SMTP sink did not start")
        return self.port

    def stop(self) -> None:
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    def snapshot(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)

    # ------------------------------------------------------------------ the protocol

    def _keep(self, mail_from: str, rcpt: list[str], data: bytes) -> Mail:
        with self._lock:
            mail = parse(len(self.mails) + 1, mail_from, rcpt, data)
            with self.journal.open("a", encoding="utf-8") as journal:
                journal.write(json.dumps(asdict(mail), ensure_ascii=False) + "\n")
                journal.flush()
                os.fsync(journal.fileno())
            self.mails.append(mail)
            return mail

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.sessions += 1

        async def reply(text: str) -> None:
            writer.write(text.encode() + b"\r\n")
            await writer.drain()

        mail_from: str | None = None
        rcpt: list[str] = []
        try:
            await reply("220 lcnc-faults-sink ESMTP")
            while True:
                line = await reader.readline()
                if not line:
                    break
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                verb = text[:4].upper()
                if verb == "EHLO":
                    await reply("250-lcnc-faults-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP")
                elif verb == "HELO":
                    await reply("250 lcnc-faults-sink")
                elif verb == "MAIL":
                    mail_from, rcpt = _address(text[4:]), []
                    await reply("250 OK")
                elif verb == "RCPT":
                    if mail_from is None:
                        await reply("503 MAIL first")
                    else:
                        rcpt.append(_address(text[4:]))
                        await reply("250 OK")
                elif verb == "DATA":
                    if mail_from is None or not rcpt:
                        await reply("503 MAIL and RCPT first")
                        continue
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    data = await self._data(reader)
                    if data is None:
                        break
                    mail = self._keep(mail_from, rcpt, data)
                    mail_from, rcpt = None, []
                    await reply(f"250 OK queued as {mail.seq}")
                elif verb == "RSET":
                    mail_from, rcpt = None, []
                    await reply("250 OK")
                elif verb == "NOOP":
                    await reply("250 OK")
                elif verb == "QUIT":
                    await reply("221 Bye")
                    break
                elif verb == "VRFY":
                    await reply("252 Cannot VRFY user")
                else:
                    await reply("502 Command not implemented")
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            self.errors.append(f"session: {error!r}")
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    @staticmethod
    async def _data(reader: asyncio.StreamReader) -> bytes | None:
        lines: list[bytes] = []
        size = 0
        while True:
            line = await reader.readline()
            if not line:
                return None  # the client went away before the end: nothing was accepted
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size > MAX_MESSAGE:
                return None
            lines.append(line)
