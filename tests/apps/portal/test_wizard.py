"""The form step by step: one step per page, validation of that step only, back/next,
a summary with change links, a draft that can be resumed, and the final send."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.portal.models import SubmissionDraft
from apps.records.models import Attachment, Record

from .helpers import png_bytes, read_page

REPORT_URL = "/f/field_reports/citizen_report/"
PROBLEM = {
    "category": "flooding",
    "description": "Đường 30 Tháng 4 ngập sâu sau mưa, xe máy chết máy.",
    "flood_depth_cm": "40",
}
PLACE = {
    "location.lat": "10.0286",
    "location.lng": "105.7703",
    "location.address": "Đường 30/4, Ninh Kiều",
    "district": "ninh_kieu",
}
CONTACT = {"reporter_name": "Nguyễn Thị Mai", "reporter_phone": "0901234567"}


def _post(client: Client, step: str, answers: dict[str, Any], *, nav: str = "next",
          draft: str | None = None, **extra: Any) -> Any:  # fmt: skip
    data = {"_wizard": "1", "_step": step, "nav": nav, "website": "", **answers, **extra}
    if draft:
        data["draft"] = draft
    return client.post(REPORT_URL, data)


def _query(response: Any) -> dict[str, str]:
    assert response.status_code == 303, response.content.decode()[:500]
    return {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}


def test_the_one_page_form_offers_the_step_by_step_way(demo: None) -> None:
    page = read_page(Client().get(f"{REPORT_URL}?all=1"))

    assert page.by_id("wizard-link").attrs["href"] == f"{REPORT_URL}?step=problem"


def test_a_form_of_several_steps_opens_at_its_first_step(demo: None) -> None:
    response = Client().get(REPORT_URL)

    assert response.status_code == 200
    page = read_page(response)
    assert "Bước 1/3" in page.by_id("wizard-progress").text
    assert [s.attrs["data-step"] for s in page.find_all("fieldset", **{"class": "step"})] == [
        "problem"
    ]
    assert page.by_id("one-page-link").attrs["href"] == f"{REPORT_URL}?all=1"


def test_a_step_page_draws_one_step_with_its_progress(demo: None) -> None:
    response = Client().get(f"{REPORT_URL}?step=place")

    assert response.status_code == 200
    page = read_page(response)
    assert "Bước 2/3 · Địa điểm" in page.by_id("wizard-progress").text
    assert [s.attrs["data-step"] for s in page.find_all("fieldset", **{"class": "step"})] == [
        "place"
    ]
    names = {e.attrs.get("name") for e in page.elements}
    assert {"location.lat", "district"} <= names
    assert "category" not in names and "reporter_name" not in names
    page.by_id("wizard-back")
    page.by_id("wizard-next")


def test_next_validates_only_the_current_step(demo: None, english_client: Client) -> None:
    response = _post(english_client, "problem", {"category": "flooding"})

    assert response.status_code == 400
    page = read_page(response)
    assert page.find("textarea", name="description").attrs["aria-invalid"] == "true"
    summary = page.by_id("error-summary").text
    assert "Description" in summary or "description" in summary.lower()
    assert "District" not in summary  # a later step's required field is not asked yet
    draft = SubmissionDraft.objects.get()
    assert draft.data["category"] == "flooding"


def test_walking_the_steps_back_and_next_to_the_summary_and_sending(demo: None) -> None:
    client = Client()
    draft = _query(_post(client, "problem", PROBLEM))
    assert draft["step"] == "place"
    uuid = draft["draft"]
    back = _query(_post(client, "place", PLACE, nav="back", draft=uuid))
    assert back == {"draft": uuid, "step": "problem"}
    # Back kept what was typed on the step left.
    page = read_page(client.get(f"{REPORT_URL}?draft={uuid}&step=place"))
    assert page.find("input", name="location.lat").attrs["value"] == "10.0286"
    assert _query(_post(client, "problem", PROBLEM, draft=uuid))["step"] == "place"
    assert _query(_post(client, "place", PLACE, draft=uuid))["step"] == "contact"
    assert _query(_post(client, "contact", CONTACT, draft=uuid))["step"] == "summary"

    summary = client.get(f"{REPORT_URL}?draft={uuid}&step=summary")
    assert summary.status_code == 200
    page = read_page(summary)
    text = summary.content.decode()
    assert "Ngập nước" in text and "UBND quận Ninh Kiều" in text and "0901234567" in text
    changes = [a.attrs["href"] for a in page.find_all("a", **{"class": "summary__change"})]
    assert changes == [
        f"{REPORT_URL}?draft={uuid}&step={s}" for s in ("problem", "place", "contact")
    ]
    assert page.find("input", name="photos").attrs["type"] == "file"  # files come last

    photo = SimpleUploadedFile("ngap.png", png_bytes(), content_type="image/png")
    sent = _post(client, "summary", {}, nav="submit", draft=uuid, photos=[photo])

    assert sent.status_code == 303
    record = Record.objects.get()
    assert sent["Location"] == f"/receipt/{record.tracking_code}/"
    assert record.data["flood_depth_cm"] == 40
    assert record.data["district"] == "ninh_kieu"
    assert record.data["reporter_phone"] == "0901234567"
    assert Attachment.objects.get(record=record).content_type == "image/png"
    assert not SubmissionDraft.objects.exists()
    assert "secret" in client.get(sent["Location"]).content.decode()


def test_hidden_answers_are_cleared_from_the_draft(demo: None) -> None:
    client = Client()
    uuid = _query(_post(client, "problem", {**PROBLEM, "other_category": "Cây đổ"}))["draft"]

    assert "other_category" not in SubmissionDraft.objects.get(uuid=uuid).data


def test_a_missing_answer_at_the_summary_sends_back_to_its_step(demo: None) -> None:
    client = Client()
    uuid = _query(_post(client, "problem", PROBLEM))["draft"]

    response = client.get(f"{REPORT_URL}?draft={uuid}&step=summary")

    assert response.status_code == 303
    assert _query(response)["step"] == "place"


def test_save_and_continue_later_gives_a_resume_link(demo: None) -> None:
    client = Client()
    saved = _query(_post(client, "problem", {"category": "flooding"}, nav="save"))
    assert saved["step"] == "saved"
    uuid = saved["draft"]

    page = read_page(client.get(f"{REPORT_URL}?draft={uuid}&step=saved"))
    link = page.by_id("resume-link").attrs["href"]
    assert link.endswith(f"{REPORT_URL}?draft={uuid}")

    resumed = read_page(Client().get(f"{REPORT_URL}?draft={uuid}"))  # another browser
    [chosen] = [e for e in resumed.find_all("input", name="category") if "checked" in e.attrs]
    assert chosen.attrs["value"] == "flooding"
    assert resumed.find("input", name="draft").attrs["value"] == uuid


def test_unknown_or_expired_draft_is_a_404(demo: None) -> None:
    from datetime import timedelta

    from django.utils import timezone

    client = Client()
    uuid = _query(_post(client, "problem", PROBLEM))["draft"]
    SubmissionDraft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    assert client.get(f"{REPORT_URL}?draft={uuid}").status_code == 404
    assert client.get(f"{REPORT_URL}?draft=not-a-uuid").status_code == 404
    assert _post(client, "place", PLACE, draft=uuid).status_code == 404


def test_wizard_post_needs_the_csrf_token(demo: None) -> None:
    response = _post(Client(enforce_csrf_checks=True), "problem", PROBLEM)

    assert response.status_code == 403
    assert not SubmissionDraft.objects.exists()
