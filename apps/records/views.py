"""Opening a case's files: ``/files/<attachment id>/``.

Only for whoever may read the case (see ``selectors.attachment_for_download``); everyone
else, and a file missing on disk, gets the same 404. The headers keep an uploaded file
from ever running as a page of this site."""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import selectors

#: Tracking codes and secrets are short; longer input is cut, as on the status page.
MAX_CODE_LENGTH = 32
#: No script, no plug-in, no request of its own: an uploaded file is only ever shown.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


@require_safe
def attachment_download(request: HttpRequest, attachment_uuid: uuid.UUID) -> FileResponse:
    code = request.GET.get("code", "").strip()[:MAX_CODE_LENGTH]
    secret = request.GET.get("secret", "").strip()[:MAX_CODE_LENGTH]
    attachment = selectors.attachment_for_download(
        request.user, attachment_uuid=attachment_uuid, code=code, secret=secret
    )
    if attachment is None or not attachment.file:
        raise Http404(_("This file does not exist."))
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError) as error:  # the file is gone from the storage
        raise Http404(_("This file does not exist.")) from error
    content_type = attachment.content_type or "application/octet-stream"
    inline = content_type in selectors.INLINE_CONTENT_TYPES
    response = FileResponse(
        handle,
        content_type=content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=attachment.name or "file",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, max-age=300"
    # The link may carry the case's secret: never pass it on.
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
