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
    from django.utils import translation
    from django.utils.translation import gettext as _

    from apps.builder.selectors import version_app_def
    from apps.core.models import translated
    from apps.records.models import Record
    from apps.runtime.delivery import email_citizen_once

    def compose(record: Record) -> tuple[str, str]:
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
        return subject, body

    return email_citizen_once(
        record_uuid=record_uuid,
        kind=RECEIPT_EMAILED,
        data={"channel": "email", "language": language},
        label={"vi": "Đã gửi biên nhận qua email", "en": "Receipt emailed"},
        compose=compose,
    )
