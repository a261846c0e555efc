"""The read side of the outbox: delivering what is due.

``deliver_due`` takes pending entries whose time has come, one at a time, each locked
(``skip_locked``, so several workers share the work) in its own transaction, and hands it to
the sender of its kind (``SENDERS``). A sender raises on a failure worth retrying: the
entry is tried again later with exponential backoff, then marked failed and shown on its
case, where an official can retry it. A notification goes out through the sender of its
channel (``CHANNELS``).

Delivery is at least once: a worker killed after sending but before committing sends
again. Each message carries the entry's key as its identity (the email's Message-ID, the
webhook's ``X-LCNC-Delivery`` header, the gateway's ``id``) so receivers see it once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.builder.selectors import version_app_def
from apps.core import clock
from apps.core.models import translated
from apps.records.models import Record

from . import outbox
from .models import Event, Notification, OutboxEntry, ProcessInstance
from .services import instance_cancel, subprocess_report

logger = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
#: Audit-log kinds of the citizen's emails.
RECEIPT_EMAILED = "receipt_emailed"
CITIZEN_NOTIFIED = "citizen_notified"


class DeliveryError(Exception):
    """A delivery failed; it is tried again later."""


# --------------------------------------------------------------------------- delivering


def backoff(attempts: int) -> timedelta:
    """Seconds before the next try: 10 s, 20 s, 40 s ... capped at one hour."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return timedelta(seconds=min(3600, base * 2 ** max(0, attempts - 1)))


def due_entries(now: datetime) -> Q:
    return Q(status=OutboxEntry.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def deliver_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Deliver pending entries whose time has come (at most ``limit``), each in its own
    transaction; entries another worker holds are left to it."""
    counts = {"delivered": 0, "failed": 0, "retrying": 0}
    for _attempt in range(limit):
        outcome = deliver_next(now=now)
        if outcome is None:
            break
        counts[outcome] += 1
    return counts


def deliver_next(*, now: datetime | None = None) -> str | None:
    """Deliver the oldest due entry nobody else holds; its outcome, or None when nothing
    is due."""
    now = now or clock.now()
    with transaction.atomic():
        entry = (
            OutboxEntry.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("instance", "record")
            .filter(due_entries(now))
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if entry is None:
            return None
        return _deliver(entry, now)


def deliver_entry(entry_id: int, *, now: datetime | None = None) -> str | None:
    """Deliver one entry now if it is pending (whatever its retry time); None otherwise."""
    now = now or clock.now()
    with transaction.atomic():
        entry = (
            OutboxEntry.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("instance", "record")
            .filter(pk=entry_id, status=OutboxEntry.Status.PENDING)
            .first()
        )
        return _deliver(entry, now) if entry is not None else None


def _deliver(entry: OutboxEntry, now: datetime) -> str:
    """Send a locked entry and record the outcome in the same transaction."""
    entry.attempts += 1
    sender = SENDERS.get(entry.kind)
    try:
        if sender is None:
            raise DeliveryError(f"unknown outbox entry kind {entry.kind!r}")
        with transaction.atomic():
            result = sender(entry)
    except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
        logger.warning("outbox %s attempt %s failed: %s", entry.key, entry.attempts, error)
        entry.last_error = str(error)[:2000]
        if entry.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            entry.status = OutboxEntry.Status.FAILED
            _log_failure(entry, now)
            outcome = "failed"
        else:
            entry.next_attempt_at = now + backoff(entry.attempts)
            outcome = "retrying"
        entry.save()
        return outcome
    logger.info("outbox %s delivered: %s", entry.key, result)
    entry.status = OutboxEntry.Status.DELIVERED
    entry.delivered_at = now
    entry.last_error = ""
    entry.payload = _scrubbed(entry.payload)
    entry.save()
    return "delivered"


def _scrubbed(payload: dict[str, Any]) -> dict[str, Any]:
    """A delivered entry keeps no secret (the receipt's private link)."""
    return {k: v for k, v in payload.items() if k != "secret"}


def _log_failure(entry: OutboxEntry, now: datetime) -> None:
    instance = entry.instance
    Event.objects.create(
        record=entry.record,
        instance=instance,
        app_version=instance.app_version if instance else entry.record.app_version,
        kind="effect_failed",
        label={"vi": "Không thực hiện được bước tự động", "en": "An automatic step failed"},
        public=False,
        actor_kind="system",
        actor_name="system",
        at=now,
        data={"outbox": str(entry.uuid), "kind": entry.kind, "error": entry.last_error},
    )


# --------------------------------------------------------------------------- rendering


def render(template: str, record: Record) -> str:
    """Fill ``{{field}}`` placeholders from the record (plus ``tracking_code``)."""
    values: dict[str, Any] = {**record.data, "tracking_code": record.tracking_code}

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1), "")
        return ", ".join(map(str, found)) if isinstance(found, list) else str(found)

    return PLACEHOLDER.sub(value, template)


def _both(label: dict[str, str], record: Record) -> str:
    """Vietnamese first, then English when it differs."""
    vi = render(label.get("vi", ""), record)
    en = render(label.get("en", ""), record)
    return vi if not en or en == vi else f"{vi}\n\n{en}"


def message_id(entry: OutboxEntry) -> str:
    """The email's Message-ID: the same for every attempt of one entry, so a message sent
    twice (a worker killed after sending) is one message for the receiver."""
    domain = (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "lcnc.local").strip(">")
    return f"<outbox.{entry.uuid}@{domain}>"


def _send_email(entry: OutboxEntry, subject: str, body: str, to: list[str]) -> None:
    EmailMessage(
        subject=subject[:300].replace("\n", " "),
        body=body,
        to=to,
        headers={"Message-ID": message_id(entry), "X-LCNC-Delivery": entry.key},
    ).send()


# --------------------------------------------------------------------------- channels


def _users(to: dict[str, Any], record: Record) -> list[User]:
    if to.get("submitter"):
        return [record.submitted_by] if record.submitted_by else []
    if to.get("user"):
        return list(User.objects.filter(username=to["user"], is_active=True))
    if to.get("agency"):
        scope = Q(memberships__agency__code=to["agency"])
        if to.get("role"):
            scope &= Q(memberships__role__key=to["role"])
        return list(User.objects.filter(scope, is_active=True).distinct())
    return []


def _addresses(to: dict[str, Any], record: Record, users: list[User]) -> list[str]:
    if to.get("email"):
        return [str(to["email"])]
    if to.get("email_field"):
        value = record.data.get(to["email_field"])
        return [value] if isinstance(value, str) and "@" in value else []
    emails = [u.email for u in users if u.email]
    if to.get("submitter") and record.contact_email:
        emails.append(record.contact_email)
    return sorted(set(emails))


Channel = Callable[[OutboxEntry, Record, dict[str, Any], str, str], str]


def _in_app(entry: OutboxEntry, record: Record, to: dict[str, Any], subject: str, body: str) -> str:
    users = _users(to, record)
    for user in users:
        Notification.objects.get_or_create(
            user=user, record=record, subject=subject[:300], body=body
        )
    return f"in-app notifications for {len(users)} user(s)"


def _email(entry: OutboxEntry, record: Record, to: dict[str, Any], subject: str, body: str) -> str:
    addresses = _addresses(to, record, _users(to, record))
    if not addresses:
        return "no email address to send to"
    _send_email(entry, subject, body, addresses)
    return f"email to {len(addresses)} address(es)"


def _sms(entry: OutboxEntry, record: Record, to: dict[str, Any], subject: str, body: str) -> str:
    gateway = getattr(settings, "SMS_GATEWAY_URL", "")
    if not gateway:
        raise DeliveryError("no SMS gateway is configured (SMS_GATEWAY_URL)")
    phone = record.data.get(to.get("phone_field", "")) if to.get("phone_field") else None
    if not phone:
        return "no phone number to send to"
    _post_json(gateway, {"id": entry.key, "to": phone, "text": body}, headers={})
    return "sms sent"


#: One sender per notification channel.
CHANNELS: dict[str, Channel] = {"in_app": _in_app, "email": _email, "sms": _sms}


def deliver_notify(entry: OutboxEntry) -> str:
    record = entry.record
    payload = entry.payload
    channel = CHANNELS.get(payload.get("channel", "in_app"))
    if channel is None:
        raise DeliveryError(f"unknown channel {payload.get('channel')!r}")
    subject = _both(payload.get("subject") or {}, record).split("\n\n")[0] or record.tracking_code
    body = _both(payload.get("body") or {}, record)
    return channel(entry, record, payload.get("to") or {}, subject, body)


# --------------------------------------------------------------------------- webhooks


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``: receivers recompute it and refuse old timestamps."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _post_json(
    url: str, payload: dict[str, Any], *, headers: dict[str, str], method: str = "POST"
) -> int:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is an http(s) URL from a definition
        url, data=body, method=method, headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:  # noqa: S310
            status: int = response.status
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"{url} answered HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DeliveryError(f"{url} could not be reached: {error}") from error
    return status


def webhook_url(payload: dict[str, Any]) -> str:
    endpoint = payload.get("endpoint")
    if not endpoint:
        return str(payload["url"])
    url = settings.WEBHOOK_ENDPOINTS.get(endpoint)
    if not url:
        raise DeliveryError(
            f"webhook endpoint {endpoint!r} is not configured (WEBHOOK_ENDPOINTS setting)"
        )
    return str(url)


def deliver_webhook(entry: OutboxEntry) -> str:
    payload = entry.payload
    body = {
        "delivery": entry.key,
        "case": str(entry.instance.uuid) if entry.instance else None,
        "tracking_code": entry.record.tracking_code,
        "payload": payload.get("payload", {}),
    }
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "X-LCNC-Delivery": entry.key,
        "X-LCNC-Timestamp": timestamp,
        "X-LCNC-Signature": "sha256=" + signature(settings.WEBHOOK_SECRET, timestamp, raw),
    }
    method = "PUT" if payload.get("method") == "PUT" else "POST"
    status = _post_json(webhook_url(payload), body, headers=headers, method=method)
    return f"HTTP {status}"


# --------------------------------------------------------------------------- other cases


def deliver_report_to_parent(entry: OutboxEntry) -> str:
    if entry.instance is None:
        raise DeliveryError("a report to the parent case needs its child case")
    subprocess_report(child=entry.instance)
    return "reported to the parent case"


def deliver_cancel_subprocess(entry: OutboxEntry) -> str:
    child = ProcessInstance.objects.get(uuid=entry.payload["child"])
    if child.status == ProcessInstance.Status.RUNNING:
        instance_cancel(instance=child, user=None, reason="parent case ended")
    return "sub-process cancelled"


# --------------------------------------------------------------------------- the citizen


def status_link(site_url: str, code: str, secret: str) -> str:
    """The private link to a case's status page (code and secret prefilled)."""
    path = f"{reverse('portal:status')}?{urlencode({'code': code, 'secret': secret})}"
    base = (site_url or settings.PUBLIC_URL).rstrip("/")
    return f"{base}{path}"


def _receipt(entry: OutboxEntry, record: Record) -> tuple[str, str]:
    payload = entry.payload
    form = version_app_def(record.app_version).forms.get(record.form_key)
    name = translated(form.label if form else record.app_version.label)
    subject = _("We received your request %(code)s") % {"code": record.tracking_code}
    link = status_link(payload.get("site_url", ""), record.tracking_code, payload["secret"])
    body = _(
        "Thank you. We received your request “%(form)s”.\n\n"
        "Tracking code: %(code)s\n"
        "Follow your case on its private page (keep this link to yourself):\n"
        "%(link)s\n"
    ) % {"form": name, "code": record.tracking_code, "link": link}
    return subject, body


def _closing(entry: OutboxEntry, record: Record) -> tuple[str, str]:
    closed = record.events.filter(kind="case_closed").values_list("label", flat=True).last()
    outcome = translated(closed) or record.get_status_display()
    subject = _("Your case %(code)s: %(outcome)s") % {
        "code": record.tracking_code,
        "outcome": outcome,
    }
    body = _(
        "Your case %(code)s has been handled: %(outcome)s.\n"
        "Look it up with your tracking code and secret on the portal."
    ) % {"code": record.tracking_code, "outcome": outcome}
    return subject, body


#: notice -> (how it is written, its audit-log kind and label)
NOTICES: dict[str, tuple[Callable[[OutboxEntry, Record], tuple[str, str]], str, dict[str, str]]] = {
    "receipt": (
        _receipt,
        RECEIPT_EMAILED,
        {"vi": "Đã gửi biên nhận qua email", "en": "Receipt emailed"},
    ),
    "closed": (
        _closing,
        CITIZEN_NOTIFIED,
        {"vi": "Đã gửi thông báo cho người dân", "en": "Citizen notified"},
    ),
}


def deliver_citizen_email(entry: OutboxEntry) -> str:
    """The receipt or the closing notice, to the citizen's contact address, in the language
    of the page they submitted from (Vietnamese otherwise); logged in the case's audit
    log."""
    record = entry.record
    notice = entry.payload.get("notice", "")
    if notice not in NOTICES:
        raise DeliveryError(f"unknown notice {notice!r}")
    if not record.contact_email:
        return "no email address to send to"
    compose, kind, label = NOTICES[notice]
    language = entry.payload.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, body = compose(entry, record)
    _send_email(entry, subject, body, [record.contact_email])
    Event.objects.create(
        record=record,
        instance=getattr(record, "instance", None),
        app_version=record.app_version,
        kind=kind,
        label=label,
        public=False,
        actor_kind="system",
        actor_name="system",
        at=clock.now(),
        data={"channel": "email", "notice": notice, "language": language, "outbox": entry.key},
    )
    return f"{notice} emailed"


#: One sender per kind of outbox entry.
SENDERS: dict[str, Callable[[OutboxEntry], str]] = {
    outbox.NOTIFY: deliver_notify,
    outbox.WEBHOOK: deliver_webhook,
    outbox.REPORT_TO_PARENT: deliver_report_to_parent,
    outbox.CANCEL_SUBPROCESS: deliver_cancel_subprocess,
    outbox.CITIZEN_EMAIL: deliver_citizen_email,
}
