"""Background work of running cases (Celery; eager in the embedded setup)."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.models import translated
from apps.records.models import Record

from .models import Event

NOTIFIED = "citizen_notified"


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_citizen(self: object, record_uuid: str, reason: str) -> bool:
    """Email the citizen about their case, once per (record, reason).

    Idempotent: the audit log says whether this notice was already sent.
    """
    with transaction.atomic():
        record = Record.objects.select_for_update().filter(uuid=record_uuid).first()
        if record is None or not record.contact_email:
            return False
        if record.events.filter(kind=NOTIFIED, data__reason=reason).exists():
            return False
        with translation.override("vi"):
            outcome = translated(
                record.events.filter(kind="case_closed").values_list("label", flat=True).last()
            )
            subject = _("Your case %(code)s: %(outcome)s") % {
                "code": record.tracking_code,
                "outcome": outcome or record.get_status_display(),
            }
            body = _(
                "Your case %(code)s has been handled: %(outcome)s.\n"
                "Look it up with your tracking code and secret on the portal."
            ) % {"code": record.tracking_code, "outcome": outcome}
        send_mail(subject, body, None, [record.contact_email])
        Event.objects.create(
            record=record,
            instance=getattr(record, "instance", None),
            app_version=record.app_version,
            kind=NOTIFIED,
            label={"vi": "Đã gửi thông báo cho người dân", "en": "Citizen notified"},
            public=False,
            actor_kind="system",
            actor_name="system",
            at=timezone.now(),
            data={"reason": reason, "channel": "email"},
        )
    return True
