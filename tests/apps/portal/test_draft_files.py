"""Files chosen in the wizard are kept with the draft: saved, listed with a remove box on
resume, checked like the form checks them, copied into the record at the final send, and
deleted with the draft when it expires."""

from __future__ import annotations

import os
from datetime import timedelta
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.portal.models import SubmissionDraft
from apps.records.models import Attachment, Record

from .helpers import png_bytes, read_page
from .test_wizard import CONTACT, PLACE, PROBLEM, REPORT_URL


def _post(client: Client, step: str, data: dict[str, Any], nav: str = "next",
          draft: str | None = None) -> Any:  # fmt: skip
    payload = {"_wizard": "1", "_step": step, "nav": nav, "website": "", **data}
    if draft:
        payload["draft"] = draft
    return client.post(REPORT_URL, payload)


def _walk_to_summary(client: Client) -> str:
    first = _post(client, "problem", PROBLEM)
    draft = str(parse_qs(urlparse(first["Location"]).query)["draft"][0])
    _post(client, "place", PLACE, draft=draft)
    assert "step=summary" in _post(client, "contact", CONTACT, draft=draft)["Location"]
    return draft


def _photo(name: str = "ngap.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def test_a_saved_draft_keeps_its_files_and_sends_them(demo: None) -> None:
    client = Client()
    draft = _walk_to_summary(client)

    saved = _post(client, "summary", {"photos": [_photo()]}, nav="save", draft=draft)

    assert saved.status_code == 303 and "step=saved" in saved["Location"]
    kept = SubmissionDraft.objects.get(uuid=draft).attachments.get()
    assert kept.content_type == "image/png" and kept.record is None
    page = read_page(Client().get(f"{REPORT_URL}?draft={draft}&step=summary"))
    assert "ngap.png" in page.by_id("kept-files").text
    assert page.find("input", name="remove_file").attrs["value"] == str(kept.uuid)

    sent = Client().post(REPORT_URL, {"_wizard": "1", "_step": "summary", "nav": "submit",
                                      "draft": draft, "website": ""})  # fmt: skip

    assert sent.status_code == 303
    record = Record.objects.get()
    attachment = Attachment.objects.get(record=record)
    assert record.data["photos"] == [attachment.descriptor()]
    assert attachment.file.read() == png_bytes()
    assert not SubmissionDraft.objects.exists()
    assert not Attachment.objects.filter(pk=kept.pk).exists()  # the draft's copy is gone


def test_a_kept_file_can_be_removed(demo: None) -> None:
    client = Client()
    draft = _walk_to_summary(client)
    _post(client, "summary", {"photos": [_photo()]}, nav="save", draft=draft)
    kept = SubmissionDraft.objects.get(uuid=draft).attachments.get()

    _post(client, "summary", {"remove_file": str(kept.uuid)}, nav="save", draft=draft)

    assert not SubmissionDraft.objects.get(uuid=draft).attachments.exists()
    assert not Attachment.objects.exists()


def test_kept_and_new_files_together_respect_the_limits(demo: None, english_client: Client) -> None:
    draft = _walk_to_summary(english_client)
    for index in range(3):
        _post(english_client, "summary", {"photos": [_photo(f"{index}.png")]}, nav="save",
              draft=draft)  # fmt: skip
    count = SubmissionDraft.objects.get(uuid=draft).attachments.count()
    assert 1 <= count <= 3

    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    refused = _post(english_client, "summary", {"photos": [fake]}, nav="save", draft=draft)

    assert refused.status_code == 400
    assert read_page(refused).by_id("error-summary")
    assert SubmissionDraft.objects.get(uuid=draft).attachments.count() == count
    assert Attachment.objects.count() == count  # the refused file is not kept


def test_expired_drafts_are_purged_with_their_files(demo: None) -> None:
    client = Client()
    draft = _walk_to_summary(client)
    _post(client, "summary", {"photos": [_photo()]}, nav="save", draft=draft)
    fresh = _walk_to_summary(Client())
    SubmissionDraft.objects.filter(uuid=draft).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    stored = Attachment.objects.get()
    path = stored.file.path

    out = StringIO()
    call_command("portal_drafts_purge", stdout=out)

    assert "1 expired" in out.getvalue()
    assert list(SubmissionDraft.objects.values_list("uuid", flat=True).all()) == [
        SubmissionDraft.objects.get(uuid=fresh).uuid
    ]
    assert not Attachment.objects.exists()
    assert not os.path.exists(path)
