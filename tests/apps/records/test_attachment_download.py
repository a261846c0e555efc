"""``GET /files/<id>/``: who may open a case's files, and the headers that keep an
uploaded file from running as a page of the site. Real database, real files in the test
settings' MEDIA_ROOT."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Agency, Membership, Role, User
from apps.builder.selectors import published_form
from apps.records.models import Attachment, Record
from apps.runtime.models import Task
from apps.runtime.services import case_open
from tests.conftest import DEMO_PASSWORD, FLOODING_REPORT

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def unique(name: str) -> str:
    """``name`` made unique: test workers share MEDIA_ROOT, and a path freed by one test
    must never be reused by another one running at the same time."""
    stem, _dot, extension = name.rpartition(".")
    return f"{stem} {uuid.uuid4().hex[:8]}.{extension}"


@dataclass
class Case:
    record: Record
    secret: str
    photo: Attachment
    photo_name: str


def submit(*, user: Any = None, name: str = "ảnh ngập đường 30-4.png") -> tuple[Record, str]:
    version, app_def, form = published_form("field_reports", "citizen_report")
    submission = case_open(
        version=version,
        app_def=app_def,
        form=form,
        raw=dict(FLOODING_REPORT),
        files={"photos": [SimpleUploadedFile(unique(name), PNG, content_type="text/html")]},
        user=user,
    )
    return submission.record, submission.secret


@pytest.fixture
def case(client_as: Any, user: Any) -> Iterator[Case]:
    """congdan's flooding report with one photo, triaged by the dispatcher (ioc) to the
    drainage company (ctn_cantho, under sxd)."""
    record, secret = submit(user=user("congdan"))
    task = Task.objects.get(instance__record=record, status=Task.Status.OPEN)
    response = client_as("dieuphoi").post(
        reverse("workspace:task", args=[task.uuid]),
        {"action": "accept", "category": "flooding", "severity": "4", "triage_note": "Gấp"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.current_agency is not None
    assert record.current_agency.code == "ctn_cantho"
    photo = record.attachments.get()
    yield Case(record=record, secret=secret, photo=photo, photo_name=photo.name)
    for attachment in Attachment.objects.filter(record=record):
        attachment.file.delete(save=False)


def url(attachment: Attachment, **query: str) -> str:
    base = reverse("records:attachment", args=[attachment.uuid])
    return base + ("?" + "&".join(f"{k}={quote(v)}" for k, v in query.items()) if query else "")


def other_agency_builder() -> Client:
    """A builder of an agency that never saw the case."""
    builder = User.objects.create_user(username="builder_stnmt", password=DEMO_PASSWORD)
    Membership.objects.create(
        user=builder,
        agency=Agency.objects.get(code="stnmt"),
        role=Role.objects.get(key="builder"),
    )
    client = Client()
    client.force_login(builder)
    return client


# who, how they ask, expected status
PERMISSIONS = [
    ("thoatnuoc", "account", 200),  # official of the agency handling the case now
    ("dieuphoi", "account", 200),  # official of the agency that triaged it
    ("cairang", "account", 404),  # official of another agency
    ("giaothong", "account", 404),  # official of another department
    ("lanhdao_sxd", "account", 200),  # leader of the agency above the handling one
    ("lanhdao_thanhpho", "account", 200),  # leader of the city
    ("lanhdao_ninhkieu", "account", 404),  # leader of an unrelated district
    # The builder role in ioc, which worked on the case: building apps grants rights on
    # apps only, never on cases (records.policies: officials are any role but builder).
    ("xaydungapp", "account", 404),
    ("builder_stnmt", "account", 404),  # a builder of an agency that never saw the case
    ("admin", "account", 200),  # platform admin
    ("congdan", "account", 200),  # the citizen who submitted it, signed in
    ("anonymous", "secret", 200),  # anyone with the tracking code and secret
    ("anonymous", "wrong_secret", 404),
    ("anonymous", "code_only", 404),
    ("anonymous", "none", 404),
    ("cairang", "wrong_secret", 404),
    ("cairang", "secret", 200),  # the secret opens it whoever asks
]


@pytest.mark.parametrize(("who", "how", "expected"), PERMISSIONS)
def test_who_may_open_a_file(case: Case, client_as: Any, who: str, how: str, expected: int) -> None:
    if who == "anonymous":
        client = Client()
    elif who == "builder_stnmt":
        client = other_agency_builder()
    else:
        client = client_as(who)
    code = case.record.tracking_code
    query = {
        "account": {},
        "none": {},
        "secret": {"code": code, "secret": case.secret},
        "wrong_secret": {"code": code, "secret": "WRONG123"},
        "code_only": {"code": code},
    }[how]
    response = client.get(url(case.photo, **query))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]


def test_a_secret_opens_only_files_of_its_own_case(case: Case, client_as: Any) -> None:
    other, other_secret = submit()
    try:
        response = Client().get(url(case.photo, code=other.tracking_code, secret=other_secret))
        assert response.status_code == 404
        # Another citizen's account does not open it either.
        assert client_as("congdan").get(url(other.attachments.get())).status_code == 404
    finally:
        for attachment in other.attachments.all():
            attachment.file.delete(save=False)


def test_unknown_ids_and_draft_files_are_404(case: Case, client_as: Any) -> None:
    admin = client_as("admin")
    assert admin.get(reverse("records:attachment", args=[case.record.uuid])).status_code == 404
    loose = Attachment(field_key="photos", name="draft.png", content_type="image/png", size=4)
    loose.file.save(unique("draft.png"), ContentFile(PNG), save=True)
    try:
        assert admin.get(url(loose)).status_code == 404
    finally:
        loose.file.delete(save=False)


def test_image_headers_and_vietnamese_file_name(case: Case) -> None:
    response = Client().get(url(case.photo, code=case.record.tracking_code, secret=case.secret))
    assert response.status_code == 200
    # The type checked from the content at upload, not the one the browser claimed.
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(PNG))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert case.photo_name.startswith("ảnh ngập đường 30-4 ")
    assert f"filename*=utf-8''{quote(case.photo_name)}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp
    assert "default-src 'none'" in csp
    assert "script-src" not in csp  # nothing relaxes scripts
    assert response["Cache-Control"].startswith("private")
    assert response["Referrer-Policy"] == "no-referrer"


def test_other_files_are_downloaded_never_shown(case: Case, client_as: Any) -> None:
    page = Attachment(
        record=case.record,
        field_key="photos",
        name="báo cáo.html",
        content_type="application/octet-stream",
        size=30,
    )
    page.file.save(unique("bao-cao.html"), ContentFile(b"<script>alert(1)</script>"), save=True)
    response = client_as("thoatnuoc").get(url(page))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''b%C3%A1o%20c%C3%A1o.html" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_pdf_is_shown_inline(case: Case, client_as: Any) -> None:
    pdf = Attachment(
        record=case.record,
        field_key="photos",
        name="don.pdf",
        content_type="application/pdf",
        size=8,
    )
    pdf.file.save(unique("don.pdf"), ContentFile(b"%PDF-1.4"), save=True)
    response = client_as("thoatnuoc").get(url(pdf))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="don.pdf"')


def test_a_file_missing_on_disk_is_404(case: Case, client_as: Any) -> None:
    case.photo.file.delete(save=False)
    response = client_as("thoatnuoc").get(url(case.photo))
    assert response.status_code == 404
    response = Client().get(url(case.photo, code=case.record.tracking_code, secret=case.secret))
    assert response.status_code == 404


def test_only_get_and_head(case: Case, client_as: Any) -> None:
    client = client_as("thoatnuoc")
    assert client.head(url(case.photo)).status_code == 200
    assert client.post(url(case.photo)).status_code == 405


def test_admin_links_to_the_download_view(case: Case, client_as: Any) -> None:
    admin = client_as("admin")
    page = admin.get(reverse("admin:records_attachment_change", args=[case.photo.pk]))
    assert page.status_code == 200
    assert url(case.photo) in page.content.decode()
    assert "/media/" not in page.content.decode()
    record_page = admin.get(reverse("admin:records_record_change", args=[case.record.pk]))
    assert url(case.photo) in record_page.content.decode()


def test_the_status_page_lists_the_citizens_files(case: Case, client_as: Any) -> None:
    code, secret = case.record.tracking_code, case.secret
    page = Client().get(reverse("portal:status"), {"code": code, "secret": secret})
    assert page.status_code == 200
    link = url(case.photo, code=code, secret=secret).replace("&", "&amp;")
    html = page.content.decode()
    assert 'id="case-files"' in html
    assert link in html
    assert case.photo_name in html
    # The link works for the citizen who is not signed in.
    assert Client().get(url(case.photo, code=code, secret=secret)).status_code == 200
    # Signed in, the citizen's own case page links without the secret.
    mine = client_as("congdan").get(reverse("portal:mine", args=[code]))
    assert mine.status_code == 200
    assert f'href="{url(case.photo)}"' in mine.content.decode()


def test_the_record_api_gives_each_file_its_url(case: Case, client_as: Any) -> None:
    response = client_as("thoatnuoc").get(f"/api/v1/records/{case.record.uuid}/")
    assert response.status_code == 200
    (photo,) = response.json()["data"]["photos"]
    assert photo["id"] == str(case.photo.uuid)
    assert photo["url"] == url(case.photo)
