"""Writes of the Open311 endpoint: API keys (made, checked, throttled) and service requests
(turned into a form submission through ``record_submit``, which validates, stores and
starts the workflow)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.builder.selectors import version_app_def
from apps.core.errors import InvalidInput, NotAllowed, ServiceError
from apps.records.models import Comment
from apps.records.services import Submission, agency_exists
from apps.records.validation import errors_by_field
from apps.runtime.services import case_open
from workflows.forms import clean_submission

from ..models import Open311ApiKey, Open311Request, parse_rate
from .selectors import Attribute, Service


def named(argument: str, message: str) -> str:
    """An error's description, naming the argument it is about (``status: …``)."""
    return f"{argument}: {message}"


#: The demo installation's key (``load_demo``); documented in README and docs/open311.md.
DEMO_API_KEY = "demo-open311-key-cantho"  # noqa: S105 - a public demo key, made only by load_demo
DEMO_API_KEY_NAME = "Demo Open311 client"
#: Requests per key when neither the key nor the OPEN311_RATE setting says otherwise.
DEFAULT_RATE = "100/hour"
MAX_KEY_LENGTH = 200
MAX_MEDIA_URL_LENGTH = 2000


# --------------------------------------------------------------------------- API keys


def api_key_hash(key: str) -> str:
    """Keys are long random strings: one SHA-256 is enough (as for session keys)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_assign(api_key: Open311ApiKey, key: str | None = None) -> str:
    """Give ``api_key`` a new secret (random unless ``key``); returns it, the only time it
    is seen. The caller saves ``api_key``."""
    key = key or secrets.token_urlsafe(32)
    api_key.prefix = key[:8]
    api_key.key_hash = api_key_hash(key)
    return key


@transaction.atomic
def api_key_create(
    *, name: str, key: str | None = None, rate: str = ""
) -> tuple[Open311ApiKey, str]:
    api_key = Open311ApiKey(name=name, rate=rate)
    secret = api_key_assign(api_key, key)
    api_key.save()
    return api_key, secret


@transaction.atomic
def api_key_ensure_demo() -> Open311ApiKey:
    """The demo key, made once (idempotent). Only ``load_demo`` calls this."""
    existing = Open311ApiKey.objects.filter(key_hash=api_key_hash(DEMO_API_KEY)).first()
    if existing is not None:
        return existing
    api_key, _secret = api_key_create(name=DEMO_API_KEY_NAME, key=DEMO_API_KEY)
    return api_key


def api_key_authenticate(key: str | None) -> Open311ApiKey:
    """The active key ``key`` is, or NotAllowed (403). Hashes are compared in constant time."""
    refused = NotAllowed(_("Missing or invalid api_key."), code="invalid_api_key")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise refused
    digest = api_key_hash(key)
    found = None
    for candidate in Open311ApiKey.objects.filter(prefix=key[:8], active=True):
        if hmac.compare_digest(candidate.key_hash, digest):
            found = candidate
    if found is None:
        raise refused
    return found


class Throttled(ServiceError):
    status = 429
    code = "throttled"

    def __init__(self, retry_after: int) -> None:
        super().__init__(_("Too many requests; please wait a moment and try again."))
        self.retry_after = retry_after


def _rate_of(api_key: Open311ApiKey) -> tuple[int, int]:
    for rate in (api_key.rate, getattr(settings, "OPEN311_RATE", ""), DEFAULT_RATE):
        try:
            return parse_rate(rate)
        except ValueError:
            continue
    raise AssertionError("DEFAULT_RATE is a rate")  # pragma: no cover


def api_key_throttle(api_key: Open311ApiKey, *, now: datetime | None = None) -> None:
    """Count one request of ``api_key`` in its current window, or raise Throttled (429) when
    the window is full. The counter is a row in the database, so it holds across every web
    process. Commits on its own: refused submissions count too."""
    now = now or timezone.now()
    limit, seconds = _rate_of(api_key)
    period = timedelta(seconds=seconds)
    with transaction.atomic():
        locked = Open311ApiKey.objects.select_for_update().get(pk=api_key.pk)
        started = locked.window_started_at
        if started is None or now - started >= period or now < started:
            locked.window_started_at, locked.window_count = now, 0
        if locked.window_count >= limit:
            assert locked.window_started_at is not None
            left = locked.window_started_at + period - now
            raise Throttled(retry_after=max(1, int(left.total_seconds()) + 1))
        locked.window_count += 1
        locked.last_used_at = now
        locked.save(update_fields=["window_started_at", "window_count", "last_used_at"])


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class RequestInput:
    """What an Open311 client sent for a new request: the standard arguments (``lat``,
    ``long``, ``address_string``, ``description``, ``email``, ``first_name``,
    ``last_name``, ``phone``, ``media_url``) and ``attribute[code]`` values."""

    standard: dict[str, str]
    attributes: dict[str, list[str]]


def _attribute_value(attribute: Attribute, values: list[str]) -> Any:
    if attribute.datatype == "multivaluelist":
        return [v for v in values if v != ""]
    value = values[-1] if values else ""
    if attribute.spec.type == "date" and len(value.strip()) > 10:
        moment = _parse_moment(value.strip())
        if moment is not None:
            return timezone.localtime(moment).date().isoformat()
    if attribute.spec.type == "location":
        lat, _sep, lng = value.partition(",")
        return {"lat": lat, "lng": lng}
    return value


def _parse_moment(value: str) -> datetime | None:
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _raw_data(service: Service, sent: RequestInput) -> dict[str, Any]:
    """The form answers an Open311 request stands for."""
    standard = {k: v.strip() for k, v in sent.standard.items() if v and v.strip()}
    fields = service.fields
    raw: dict[str, Any] = {}
    if "location" in fields:
        location = {"lat": standard.get("lat", ""), "lng": standard.get("long", "")}
        if standard.get("address_string"):
            location["address"] = standard["address_string"]
        raw[fields["location"]] = location
    names = [standard.get(n, "") for n in ("first_name", "last_name")]
    for name in ("description", "email", "phone", "first_name", "last_name"):
        key = fields.get(name)
        if key is None:
            continue
        if name in ("first_name", "last_name") and fields.get("first_name") == fields.get(
            "last_name"
        ):
            value = " ".join(part for part in names if part)
        else:
            value = standard.get(name, "")
        if value:
            raw[key] = value
    for code, values in sent.attributes.items():
        attribute = service.attribute(code)
        if attribute is not None:
            raw[code] = _attribute_value(attribute, values)
    return raw


def _descriptions(service: Service, details: Any) -> list[str]:
    """One line per problem, naming the argument as the client sent it."""
    if not isinstance(details, dict):
        return []
    names = service.parameter_names()
    lines = []
    for key, messages in details.items():
        name = names.get(str(key)) or str(key)
        for message in messages if isinstance(messages, list) else [messages]:
            lines.append(named(name, str(message)))
    return lines


def _media_url_problem(url: str) -> str | None:
    if not url:
        return None
    try:
        if len(url) > MAX_MEDIA_URL_LENGTH:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return _("Enter a valid http or https address.")
    return None


@transaction.atomic
def request_create(
    *,
    service: Service,
    sent: RequestInput,
    api_key: Open311ApiKey,
    site_url: str = "",
    language: str = "",
) -> Submission:
    """Submit the service's form with what the client sent, as an anonymous citizen.

    Raises InvalidInput whose ``details`` are the lines of Open311's error list, one per
    problem (``attribute[district]: This field is required.``); nothing is saved then.
    ``media_url`` is kept as given (on the Open311Request and as an internal note for the
    officials); the remote media is never fetched."""
    raw = _raw_data(service, sent)
    app_def = version_app_def(service.version)
    media_url = (sent.standard.get("media_url") or "").strip()
    media_problem = _media_url_problem(media_url)
    if media_problem is not None:
        _data, errors = clean_submission(
            service.form, service.entity, raw, agency_exists=agency_exists
        )
        lines = [
            named("media_url", media_problem),
            *_descriptions(service, errors_by_field(errors)),
        ]
        raise InvalidInput(lines[0], code="invalid_request", details=lines)
    try:
        submission = case_open(
            version=service.version,
            app_def=app_def,
            form=service.form,
            raw=raw,
            user=None,
            door="open311",
            site_url=site_url,
            language=language,
        )
    except InvalidInput as invalid:
        lines = _descriptions(service, invalid.details) or [invalid.message]
        raise InvalidInput(lines[0], code="invalid_request", details=lines) from invalid
    record = submission.record
    Open311Request.objects.create(
        record=record, api_key=api_key, service_code=service.code, media_url=media_url
    )
    if media_url:
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Media sent with the request through Open311 (not downloaded): %(url)s") % {
                "url": media_url
            }
        Comment.objects.create(record=record, body=note, internal=True)
    return submission
