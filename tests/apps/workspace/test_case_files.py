"""The files of a case on the workspace's case and task pages: thumbnails for photos,
links with name and size for other files, in a constant number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.builder.selectors import published_form
from apps.records.models import Attachment, Record
from apps.runtime.services import case_open
from tests.conftest import FLOODING_REPORT

from .conftest import case_url, html, open_task, task_url

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
def reported(demo: None) -> Iterator[Record]:
    """A flooding report with one photo, waiting for the dispatcher (ioc)."""
    version, app_def, form = published_form("field_reports", "citizen_report")
    record = case_open(
        version=version,
        app_def=app_def,
        form=form,
        raw=dict(FLOODING_REPORT),
        files={"photos": [SimpleUploadedFile(f"đường ngập {uuid.uuid4().hex[:8]}.png", PNG)]},
    ).record
    yield record
    for attachment in Attachment.objects.filter(record=record):
        attachment.file.delete(save=False)


def add_files(record: Record, count: int, *, name: str = "thêm-{n}.png", body: bytes = PNG) -> None:
    """``count`` more files in the record's photos field (stored like uploads are)."""
    photos = list(record.data.get("photos", []))
    for n in range(count):
        attachment = Attachment(
            record=record,
            field_key="photos",
            name=name.format(n=n),
            content_type="image/png" if body.startswith(PNG[:8]) else "application/pdf",
            size=len(body),
        )
        # Test workers share MEDIA_ROOT: a unique path, never one another test frees.
        attachment.file.save(f"{uuid.uuid4().hex}-{n}", ContentFile(body), save=True)
        photos.append(attachment.descriptor())
    record.data = {**record.data, "photos": photos}
    record.save(update_fields=["data"])


def test_the_case_page_shows_photo_thumbnails(reported: Record, client_as: Any) -> None:
    photo = reported.attachments.get()
    page = client_as("dieuphoi").get(case_url(reported))
    assert page.status_code == 200
    body = html(page)
    link = reverse("records:attachment", args=[photo.uuid])
    assert f'<a href="{link}"' in body
    img = body[body.index(f'<img src="{link}"') :]
    img = img[: img.index(">") + 1]
    assert 'loading="lazy"' in img
    assert 'width="160"' in img
    assert 'height="120"' in img
    assert f'alt="Hình ảnh: {photo.name}"' in img  # field label + file name
    assert photo.name.startswith("đường ngập ")
    # The thumbnail opens for the official who sees the page.
    assert client_as("dieuphoi").get(link).status_code == 200


def test_the_task_page_shows_the_files_too(reported: Record, client_as: Any) -> None:
    photo = reported.attachments.get()
    page = client_as("dieuphoi").get(task_url(open_task(reported)))
    assert page.status_code == 200
    assert f'<img src="{reverse("records:attachment", args=[photo.uuid])}"' in html(page)


def test_other_files_are_a_link_with_name_and_size(reported: Record, client_as: Any) -> None:
    add_files(reported, 1, name="biên bản.pdf", body=b"%PDF-1.4 " + b"x" * 2039)
    pdf = reported.attachments.get(name="biên bản.pdf")
    body = html(client_as("dieuphoi").get(case_url(reported)))
    link = reverse("records:attachment", args=[pdf.uuid])
    assert f'<a href="{link}" target="_blank" rel="noopener noreferrer">biên bản.pdf</a>' in body
    assert "2,0\xa0KB" in body or "2.0\xa0KB" in body  # filesizeformat, localised
    assert f'<img src="{link}"' not in body


def test_a_file_not_stored_is_named_without_a_link(reported: Record, client_as: Any) -> None:
    reported.data = {
        **reported.data,
        "photos": [{"id": "00000000-0000-0000-0000-000000000000", "name": "mất.png"}],
    }
    reported.save(update_fields=["data"])
    body = html(client_as("dieuphoi").get(case_url(reported)))
    assert "mất.png" in body
    assert "/files/00000000" not in body


def _queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_files(reported: Record, client_as: Any) -> None:
    client = client_as("dieuphoi")
    case_path, task_path = case_url(reported), task_url(open_task(reported))
    _queries(client, case_path)  # warm caches (definition, session)
    one_case, one_task = _queries(client, case_path), _queries(client, task_path)
    add_files(reported, 4)
    assert reported.attachments.count() == 5
    body = html(client.get(case_path))
    assert body.count('loading="lazy"') == 5
    assert _queries(client, case_path) == one_case
    assert _queries(client, task_path) == one_task


def test_a_file_field_of_a_task_form_links_its_files(reported: Record) -> None:
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from apps.workspace.selectors import record_details

    photo = reported.attachments.get()
    field = SimpleNamespace(
        widget="files", key="photos", label="Hình ảnh", value=[photo.name], errors=[], help=""
    )
    body = render_to_string(
        "workspace/_field.html", {"field": field, "details": record_details(reported)}
    )
    link = reverse("records:attachment", args=[photo.uuid])
    assert f'<a href="{link}" target="_blank" rel="noopener noreferrer">{photo.name}</a>' in body
