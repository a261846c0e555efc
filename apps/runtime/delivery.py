"""Delivering outbox entries: notifications (email, SMS gateway, in-app), signed webhooks,
hand-off reports. Each function raises on a failure worth retrying."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q

from apps.accounts.models import User
from apps.records.models import Record

from .models import Notification, OutboxEntry, ProcessInstance

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


class DeliveryError(Exception):
    """A delivery failed; the sweeper retries it later."""


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


def deliver_notify(entry: OutboxEntry, record: Record) -> str:
    payload = entry.payload
    to: dict[str, Any] = payload.get("to") or {}
    subject = _both(payload.get("subject") or {}, record).split("\n\n")[0] or record.tracking_code
    body = _both(payload.get("body") or {}, record)
    channel = payload.get("channel", "in_app")
    users = _users(to, record)
    if channel == "in_app":
        for user in users:
            Notification.objects.get_or_create(
                user=user, record=record, subject=subject[:300], body=body
            )
        return f"in-app notifications for {len(users)} user(s)"
    if channel == "email":
        addresses = _addresses(to, record, users)
        if not addresses:
            return "no email address to send to"
        send_mail(subject[:300], body, None, addresses)
        return f"email to {len(addresses)} address(es)"
    if channel == "sms":
        return _send_sms(to, record, body)
    raise DeliveryError(f"unknown channel {channel!r}")


def _send_sms(to: dict[str, Any], record: Record, text: str) -> str:
    gateway = getattr(settings, "SMS_GATEWAY_URL", "")
    if not gateway:
        raise DeliveryError("no SMS gateway is configured (SMS_GATEWAY_URL)")
    phone = record.data.get(to.get("phone_field", "")) if to.get("phone_field") else None
    if not phone:
        return "no phone number to send to"
    _post_json(gateway, {"to": phone, "text": text}, headers={})
    return "sms sent"


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


def deliver_webhook(entry: OutboxEntry, record: Record) -> str:
    payload = entry.payload
    body = {
        "delivery": entry.key,
        "case": str(entry.instance.uuid),
        "tracking_code": record.tracking_code,
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


def deliver(entry: OutboxEntry) -> str:
    from .services import instance_cancel, subprocess_report

    record = Record.objects.get(pk=entry.instance.record_id)
    if entry.kind == "notify":
        return deliver_notify(entry, record)
    if entry.kind == "webhook":
        return deliver_webhook(entry, record)
    if entry.kind == "report_to_parent":
        subprocess_report(child=entry.instance)
        return "reported to the parent case"
    if entry.kind == "cancel_subprocess":
        child = ProcessInstance.objects.get(uuid=entry.payload["child"])
        if child.status == ProcessInstance.Status.RUNNING:
            instance_cancel(instance=child, user=None, reason="parent case ended")
        return "sub-process cancelled"
    raise DeliveryError(f"unknown outbox entry kind {entry.kind!r}")


def email_citizen_once(
    *,
    record_uuid: str,
    kind: str,
    data: dict[str, Any],
    label: dict[str, str],
    compose: Callable[[Record], tuple[str, str]],
    once_by: tuple[str, ...] = (),
) -> bool:
    """Email the citizen of a record (its contact address) and log it in the audit log as
    ``kind`` with ``data``; nothing when the record has no address or the log already has
    that kind with the same values of ``data``'s keys ``once_by``. ``compose(record)``
    gives the subject and body. Idempotent, so the calling task may retry."""
    from django.db import transaction
    from django.utils import timezone

    from .models import Event

    with transaction.atomic():
        record = (
            Record.objects.select_for_update()
            .select_related("app_version")
            .filter(uuid=record_uuid)
            .first()
        )
        if record is None or not record.contact_email:
            return False
        same = {f"data__{key}": data[key] for key in once_by}
        if record.events.filter(kind=kind, **same).exists():
            return False
        subject, body = compose(record)
        send_mail(subject, body, None, [record.contact_email])
        Event.objects.create(
            record=record,
            instance=getattr(record, "instance", None),
            app_version=record.app_version,
            kind=kind,
            label=label,
            public=False,
            actor_kind="system",
            actor_name="system",
            at=timezone.now(),
            data=data,
        )
    return True
