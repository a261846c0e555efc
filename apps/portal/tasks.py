"""Background work of the citizen portal (Celery)."""

from __future__ import annotations

from celery import shared_task


@shared_task  # type: ignore[untyped-decorator]
def drafts_purge() -> int:
    """Delete the expired form drafts and the files they kept."""
    from .services import drafts_expired_delete

    return drafts_expired_delete()


#: The audit-log kind of a receipt emailed to the citizen.
RECEIPT_EMAILED = "receipt_emailed"


@shared_task(  # type: ignore[untyped-decorator]
    bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def receipt_email(self: object, record_uuid: str, status_url: str, language: str) -> bool:
    """Email the receipt of a submission to its citizen (tracking code, form, private
    status link) in the language of the page they sent it from; once per record."""
    from django.core.mail import send_mail
    from django.db import transaction
    from django.utils import timezone, translation
    from django.utils.translation import gettext as _

    from apps.builder.selectors import version_app_def
    from apps.core.models import translated
    from apps.records.models import Record
    from apps.runtime.models import Event

    with transaction.atomic():
        record = (
            Record.objects.select_for_update()
            .select_related("app_version")
            .filter(uuid=record_uuid)
            .first()
        )
        if record is None or not record.contact_email:
            return False
        if record.events.filter(kind=RECEIPT_EMAILED).exists():
            return False
        form = version_app_def(record.app_version).forms.get(record.form_key)
        with translation.override(language or "vi"):
            name = translated(form.label if form else record.app_version.label)
            subject = _("We received your request %(code)s") % {"code": record.tracking_code}
            body = _(
                "Thank you. We received your request “%(form)s”.\n\n"
                "Tracking code: %(code)s\n"
                "Follow your case on its private page (keep this link to yourself):\n"
                "%(link)s\n"
            ) % {"form": name, "code": record.tracking_code, "link": status_url}
        send_mail(subject, body, None, [record.contact_email])
        Event.objects.create(
            record=record,
            instance=getattr(record, "instance", None),
            app_version=record.app_version,
            kind=RECEIPT_EMAILED,
            label={"vi": "Đã gửi biên nhận qua email", "en": "Receipt emailed"},
            public=False,
            actor_kind="system",
            actor_name="system",
            at=timezone.now(),
            data={"channel": "email", "language": language},
        )
    return True
