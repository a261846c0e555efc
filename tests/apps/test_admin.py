"""The Django admin, as IT staff use it: every page opens, searches find, the audit log
cannot be changed, and lists do not query once per row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from apps.accounts.models import Agency, Membership, Role, User
from apps.builder.models import Definition
from apps.records.models import Attachment, Record
from apps.records.services import Submission
from apps.runtime.models import Event, Notification, OutboxEntry, Timer


@pytest.fixture
def case(submit_report: Any) -> Iterator[Submission]:
    """A submitted report with one attached photo."""
    submission = submit_report()
    attachment = Attachment(
        record=submission.record,
        field_key="photos",
        name="ngap.png",
        content_type="image/png",
        size=8,
    )
    attachment.file.save("ngap.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    instance = submission.record.instance
    Timer.objects.create(
        instance=instance, timer_key="t90", purpose="task_deadline", task_key="t2", due=now()
    )
    OutboxEntry.objects.create(
        record=submission.record,
        instance=instance,
        key=f"{instance.uuid}:t91",
        kind="notify",
        payload={"channel": "email", "body": {"vi": "Đã tiếp nhận <b>phản ánh</b>"}},
        last_error="SMTP 451 temporary failure",
    )
    Notification.objects.create(
        user=User.objects.get(username="dieuphoi"),
        record=submission.record,
        subject="Phản ánh mới cần phân loại",
    )
    yield submission
    attachment.file.delete(save=False)


@pytest.fixture
def admin_client(client_as: Any) -> Client:
    client: Client = client_as("admin")
    return client


#: (app label, model name, the object whose change page is opened)
OBJECTS: list[tuple[str, str, Callable[[Record], Model]]] = [
    ("accounts", "user", lambda record: User.objects.get(username="dieuphoi")),
    ("accounts", "agency", lambda record: Agency.objects.get(code="ninh_kieu")),
    ("accounts", "role", lambda record: Role.objects.get(key="dispatcher")),
    ("accounts", "membership", lambda record: Membership.objects.first()),
    ("builder", "app", lambda record: record.app),
    ("builder", "appversion", lambda record: record.app_version),
    ("builder", "definition", lambda record: record.app_version.definitions.first()),
    ("records", "record", lambda record: record),
    ("records", "attachment", lambda record: record.attachments.get()),
    ("runtime", "processinstance", lambda record: record.instance),
    ("runtime", "task", lambda record: record.instance.tasks.get()),
    ("runtime", "event", lambda record: record.events.first()),
    ("runtime", "timer", lambda record: record.instance.timers.get()),
    ("runtime", "outboxentry", lambda record: record.instance.outbox.get()),
    ("runtime", "notification", lambda record: record.notifications.get()),
    ("runtime", "engineevent", lambda record: record.instance.engine_events.first()),
]
IDS = [f"{app_label}.{model}" for app_label, model, _get in OBJECTS]
EDITABLE = ["user", "agency", "role", "membership"]
VIEW_ONLY = [
    ("builder", "app"),
    ("builder", "appversion"),
    ("builder", "definition"),
    ("records", "record"),
    ("records", "attachment"),
    ("runtime", "processinstance"),
    ("runtime", "task"),
    ("runtime", "event"),
    ("runtime", "timer"),
    ("runtime", "outboxentry"),
    ("runtime", "notification"),
    ("runtime", "engineevent"),
]


@pytest.mark.parametrize(("app_label", "model", "get"), OBJECTS, ids=IDS)
def test_every_admin_changelist_lists_its_objects(admin_client, case, app_label, model, get):
    obj = get(case.record)

    response = admin_client.get(reverse(f"admin:{app_label}_{model}_changelist"))

    assert response.status_code == 200
    assert reverse(f"admin:{app_label}_{model}_change", args=[obj.pk]) in response.text


@pytest.mark.parametrize(("app_label", "model", "get"), OBJECTS, ids=IDS)
def test_every_admin_change_page_opens(admin_client, case, app_label, model, get):
    obj = get(case.record)

    response = admin_client.get(reverse(f"admin:{app_label}_{model}_change", args=[obj.pk]))

    assert response.status_code == 200
    assert str(obj) in response.text


@pytest.mark.parametrize("model", EDITABLE)
def test_people_and_agencies_can_be_added_in_the_admin(admin_client, model):
    response = admin_client.get(reverse(f"admin:accounts_{model}_add"))

    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model"), VIEW_ONLY, ids=[m for _a, m in VIEW_ONLY])
def test_definitions_and_cases_cannot_be_added_or_edited_in_the_admin(
    admin_client, case, app_label, model
):
    obj = dict(zip(IDS, OBJECTS, strict=True))[f"{app_label}.{model}"][2](case.record)
    change = reverse(f"admin:{app_label}_{model}_change", args=[obj.pk])

    page = admin_client.get(change)

    assert admin_client.get(reverse(f"admin:{app_label}_{model}_add")).status_code == 403
    assert admin_client.post(change, {}).status_code == 403
    assert 'name="_save"' not in page.text


def test_record_search_by_tracking_code_finds_only_that_record(admin_client, submit_report):
    wanted = submit_report().record
    other = submit_report(category="pothole").record
    url = reverse("admin:records_record_changelist")

    response = admin_client.get(url, {"q": wanted.tracking_code.lower()})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert wanted.tracking_code in response.text
    assert other.tracking_code not in response.text


def test_record_page_shows_data_as_escaped_json_with_its_files(admin_client, case):
    record = case.record
    record.data = {**record.data, "description": "<script>alert(1)</script> ngập sâu"}
    record.save(update_fields=["data"])

    response = admin_client.get(reverse("admin:records_record_change", args=[record.pk]))

    assert "&lt;script&gt;alert(1)&lt;/script&gt; ngập sâu" in response.text
    assert "<script>alert(1)" not in response.text
    assert "&quot;reporter_name&quot;: &quot;Nguyễn Thị Mai&quot;" in response.text
    assert "ngap.png" in response.text
    assert reverse("admin:runtime_processinstance_change", args=[record.instance.pk]) in (
        response.text
    )


def test_definition_page_shows_the_document_pretty_printed(admin_client, demo):
    definition = Definition.objects.get(kind="workflow", key="field_report_flow", version__number=1)

    response = admin_client.get(reverse("admin:builder_definition_change", args=[definition.pk]))

    assert "\n  &quot;key&quot;: &quot;field_report_flow&quot;,\n" in response.text


def test_event_change_page_cannot_save_and_has_no_delete(admin_client, case):
    event = case.record.events.first()
    change = reverse("admin:runtime_event_change", args=[event.pk])
    delete = reverse("admin:runtime_event_delete", args=[event.pk])
    count = Event.objects.count()

    page = admin_client.get(change)
    posted = admin_client.post(change, {"kind": "tampered", "public": "on"})
    deleting = admin_client.get(delete)
    deleted = admin_client.post(delete, {"post": "yes"})
    listing = admin_client.get(reverse("admin:runtime_event_changelist"))

    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert delete not in page.text
    assert (posted.status_code, deleting.status_code, deleted.status_code) == (403, 403, 403)
    assert "delete_selected" not in listing.text
    assert Event.objects.count() == count
    event.refresh_from_db()
    assert event.kind == "case_started"


def test_superuser_can_rename_an_agency_in_the_admin(admin_client, demo):
    agency = Agency.objects.get(code="tan_an")
    url = reverse("admin:accounts_agency_change", args=[agency.pk])

    response = admin_client.post(
        url,
        {
            "code": "tan_an",
            "name_vi": "UBND phường Tân An",
            "name_en": "Tan An Ward",
            "kind": "ward",
            "parent": agency.parent_id,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.name_en == "Tan An Ward"


def test_agency_autocomplete_finds_agencies_by_name(admin_client, demo):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "accounts",
            "model_name": "agency",
            "field_name": "parent",
            "term": "Ninh Kiều",
        },
    )

    assert response.status_code == 200
    ids = [int(result["id"]) for result in response.json()["results"]]
    assert ids == [Agency.objects.get(code="ninh_kieu").pk]


def test_user_page_lists_memberships_and_search_finds_full_names(admin_client, demo):
    dispatcher = User.objects.get(username="dieuphoi")

    found = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "Văn Điều"})
    page = admin_client.get(reverse("admin:accounts_user_change", args=[dispatcher.pk]))

    assert [u.username for u in found.context["cl"].result_list] == ["dieuphoi"]
    assert 'name="memberships-0-agency"' in page.text
    assert "Trung tâm Giám sát, điều hành đô thị thông minh" in page.text


def test_record_changelist_with_20_records_stays_within_its_query_budget(
    admin_client, submit_report, django_assert_max_num_queries
):
    for index in range(20):
        submit_report(category=["flooding", "pothole", "garbage"][index % 3])
    url = reverse("admin:records_record_changelist")

    # session, user, count (x2), the page of records with app and agency joined, the
    # app and agency filters, savepoints: not one query per row.
    with django_assert_max_num_queries(9):
        response = admin_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 20
    assert len(response.context["cl"].result_list) == 20


@pytest.mark.parametrize(("app_label", "model", "_get"), OBJECTS, ids=IDS)
def test_no_changelist_queries_once_per_row(
    admin_client, submit_report, django_assert_max_num_queries, app_label, model, _get
):
    for _index in range(10):
        submit_report()

    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse(f"admin:{app_label}_{model}_changelist"))

    assert response.status_code == 200


def test_admin_requires_staff(client_as, demo):
    response = client_as("dieuphoi").get(reverse("admin:records_record_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_it_staff_can_create_an_official_with_a_membership(admin_client, demo):
    created = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "canbo_moi",
            "full_name": "Trương Thị Mới",
            "email": "moi@cantho.gov.vn",
            "usable_password": "true",
            "password1": "Mat-khau-rat-dai-2026",
            "password2": "Mat-khau-rat-dai-2026",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    official = User.objects.get(username="canbo_moi")
    change = reverse("admin:accounts_user_change", args=[official.pk])
    data = {
        "username": "canbo_moi",
        "full_name": "Trương Thị Mới",
        "email": "moi@cantho.gov.vn",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-agency": Agency.objects.get(code="ninh_kieu").pk,
        "memberships-0-role": Role.objects.get(key="officer").pk,
    }

    saved = admin_client.post(change, data)

    assert created.status_code == 302
    assert official.full_name == "Trương Thị Mới"
    assert official.check_password("Mat-khau-rat-dai-2026")
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert [(m.agency.code, m.role.key) for m in official.memberships.all()] == [
        ("ninh_kieu", "officer")
    ]


@pytest.mark.django_db
def test_a_fresh_installation_has_the_standard_roles() -> None:
    from apps.accounts.models import Role
    from apps.accounts.services import STANDARD_ROLES

    assert set(Role.objects.values_list("key", flat=True)) >= set(STANDARD_ROLES)
