"""Every API endpoint × every kind of person → the expected status, and no answer ever
shows what that person may not see (other citizens' cases, internal notes, officials'
names to citizens, other builders' apps).

The people: anonymous; citizen A (``congdan``, who reported case A) and citizen B (case
B); an officer of agency X (``thoatnuoc``, the drainage company, which handles case A)
and of agency Y (``giaothong``, transport, which handles case B); the leader of X's
parent (``lanhdao_sxd``, Department of Construction); the builder of the demo apps
(``xaydungapp``, of the operations centre, which triaged both cases) and the builder of
another app; a platform admin (``admin``).

Each endpoint runs once per person inside a savepoint that is rolled back, so that every
person meets the same state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Agency, User
from apps.builder.models import App
from apps.builder.selectors import draft_of, draft_revision
from apps.builder.services import bundle_export
from tests.conftest import DEMO_PASSWORD, FLOODING_REPORT

from .conftest import (
    CITIZEN_A_NAME,
    CITIZEN_B_NAME,
    INTERNAL_NOTE,
    OFFICIAL_NAMES,
    OTHER_APP,
    World,
    call,
)

ROLES = {
    "anonymous": None,
    "citizen_a": "congdan",
    "citizen_b": "congdan_b",
    "officer_x": "thoatnuoc",
    "officer_y": "giaothong",
    "leader_parent": "lanhdao_sxd",
    "builder_p": "xaydungapp",
    "builder_other": "xaydung_cayxanh",
    "admin": "admin",
}
ROLE_NAMES = list(ROLES)

Url = Callable[[World], str]
Body = Callable[[World, str], Any]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: Url
    expected: dict[str, int]
    body: Body | None = None
    #: Runs (in the savepoint) before the request, e.g. to pause the case to resume.
    prepare: Callable[[World], None] | None = None
    #: Markers this endpoint may show to anyone (e.g. a tracking code opened by its secret).
    public: frozenset[str] = field(default_factory=frozenset)


def statuses(default: int, anonymous: int = 401, **by_role: int) -> dict[str, int]:
    table = dict.fromkeys(ROLE_NAMES, default)
    table["anonymous"] = anonymous
    table.update(by_role)
    return table


#: Who may build the demo apps: their builder and the admin; anyone else gets a 404.
BUILDERS = {"builder_p": 200, "admin": 200}
#: Who reads case A: its citizen, its agency, the leader above, admins. Not the builder of
#: the triaging centre: building apps grants rights on apps, never on cases.
READERS_A = {
    "citizen_a": 200,
    "officer_x": 200,
    "leader_parent": 200,
    "admin": 200,
}
#: Officials of case A (not its citizen, who reads it without being one).
OFFICIALS_A = {**READERS_A, "citizen_a": 403}
#: Who steers case A (cancel, pause, resume): leaders over its agencies, admins.
STEERING_A = {**OFFICIALS_A, "officer_x": 403}
ADMIN_ONLY = statuses(403, admin=200)
#: Agencies and roles are read by administrators and by app builders (assignment pickers).
DIRECTORY = statuses(403, admin=200, builder_p=200, builder_other=200)


def _definition(world: World, kind: str = "entity", key: str = "field_report") -> str:
    return f"/api/v1/apps/field_reports/definitions/{kind}/{key}/"


def _revision() -> str:
    return draft_revision(draft_of(App.objects.get(key="field_reports")))


def _entity_put(world: World, role: str) -> dict[str, Any]:
    definition = draft_of(App.objects.get(key="field_reports")).definitions.get(
        kind="entity", key="field_report"
    )
    document = {**definition.document, "label": {"vi": "Phản ánh", "en": "Report"}}
    return {"document": document, "revision": _revision()}


def _bundle(world: World, role: str) -> dict[str, Any]:
    bundle = bundle_export(app=App.objects.get(key="field_reports"))
    bundle["app"]["label"] = {"vi": "Phản ánh hiện trường (mới)", "en": "Field reports (new)"}
    return bundle


def _token_body(world: World, role: str) -> dict[str, str]:
    if ROLES[role] is None:
        return {"username": "congdan", "password": "wrong password"}
    return {"username": str(ROLES[role]), "password": DEMO_PASSWORD}


def _pause_a(world: World) -> None:
    from apps.runtime.services import case_pause

    case_pause(instance=world.a.instance, user=User.objects.get(username="admin"))


def _agency_uuid(code: str) -> str:
    return str(Agency.objects.get(code=code).uuid)


TASK_A = "/api/v1/tasks/{w.a_task.uuid}/"
CASE_A = "/api/v1/cases/{w.a.uuid}/"


def _url(template: str) -> Url:
    return lambda w: template.format(w=w)


ENDPOINTS = [
    # --- auth
    Endpoint(
        "auth_token_create",
        "post",
        _url("/api/v1/auth/token/"),
        statuses(200, anonymous=400),
        body=_token_body,
    ),
    # --- apps and definitions
    Endpoint("app_list", "get", _url("/api/v1/apps/"), statuses(200)),
    Endpoint(
        "app_create",
        "post",
        _url("/api/v1/apps/"),
        statuses(403, builder_p=201, builder_other=201, admin=201),
        body=lambda w, r: {"key": "new_app", "label": {"vi": "Ứng dụng mới", "en": "New app"}},
    ),
    Endpoint(
        "app_import",
        "post",
        _url("/api/v1/apps/import/"),
        statuses(403, builder_p=201, admin=201),
        body=_bundle,
    ),
    Endpoint("app_retrieve", "get", _url("/api/v1/apps/field_reports/"), statuses(404, **BUILDERS)),
    Endpoint(
        "definition_list",
        "get",
        _url("/api/v1/apps/field_reports/definitions/"),
        statuses(404, **BUILDERS),
    ),
    Endpoint("definition_retrieve", "get", _definition, statuses(404, **BUILDERS)),
    Endpoint("definition_save", "put", _definition, statuses(404, **BUILDERS), body=_entity_put),
    Endpoint(
        "definition_delete",
        "delete",
        lambda w: _definition(w, "form", "citizen_report") + f"?revision={_revision()}",
        statuses(404, **BUILDERS),
    ),
    Endpoint(
        "app_validate",
        "post",
        _url("/api/v1/apps/field_reports/validate/"),
        statuses(404, **BUILDERS),
    ),
    Endpoint(
        "app_publish",
        "post",
        _url("/api/v1/apps/field_reports/publish/"),
        statuses(404, builder_p=201, admin=201),
        body=lambda w, r: {"note": "Sửa nhãn"},
    ),
    Endpoint(
        "version_list",
        "get",
        _url("/api/v1/apps/field_reports/versions/"),
        statuses(404, **BUILDERS),
    ),
    Endpoint(
        "version_retrieve",
        "get",
        _url("/api/v1/apps/field_reports/versions/1/"),
        statuses(404, **BUILDERS),
    ),
    Endpoint(
        "app_diff",
        "get",
        _url("/api/v1/apps/field_reports/diff/?from=1&to=draft"),
        statuses(404, **BUILDERS),
    ),
    Endpoint(
        "app_export",
        "get",
        _url("/api/v1/apps/field_reports/export/"),
        statuses(404, **BUILDERS),
    ),
    Endpoint("node_type_list", "get", _url("/api/v1/node-types/"), statuses(200)),
    Endpoint(
        "app_simulate",
        "post",
        _url("/api/v1/apps/field_reports/simulate/"),
        statuses(404, **BUILDERS),
        body=lambda w, r: {
            "workflow": "field_report_flow",
            "data": {"category": "flooding"},
            "steps": [{"node": "triage", "action": "accept"}],
        },
    ),
    Endpoint(
        "app_test_run",
        "post",
        _url("/api/v1/apps/field_reports/tests/run/"),
        statuses(404, **BUILDERS),
    ),
    Endpoint(
        "version_restore",
        "post",
        _url("/api/v1/apps/field_reports/versions/1/restore/"),
        statuses(404, **BUILDERS),
        body=lambda w, r: {"revision": _revision()},
    ),
    Endpoint(
        "app_usages",
        "get",
        _url("/api/v1/apps/field_reports/usages/?entity=field_report&field=category"),
        statuses(404, **BUILDERS),
    ),
    Endpoint(
        "app_preview",
        "post",
        _url("/api/v1/apps/field_reports/preview/"),
        statuses(404, **BUILDERS),
        body=lambda w, r: {
            "form": draft_of(App.objects.get(key="field_reports"))
            .definitions.get(kind="form", key="citizen_report")
            .document
        },
    ),
    # --- citizens
    Endpoint(
        "submission_create",
        "post",
        _url("/api/v1/forms/field_reports/citizen_report/submissions/"),
        statuses(201, anonymous=201),
        body=lambda w, r: {**FLOODING_REPORT, "reporter_name": "Người Gửi Mới"},
    ),
    Endpoint(
        "case_status",
        "get",
        lambda w: f"/api/v1/status/{w.a.tracking_code}/?secret={w.a_secret}",
        statuses(200, anonymous=200),
        public=frozenset({"code_a"}),
    ),
    # --- records
    Endpoint("record_list", "get", _url("/api/v1/records/"), statuses(200)),
    Endpoint(
        "record_list_search",
        "get",
        lambda w: f"/api/v1/records/?q={w.b.tracking_code}",
        statuses(200),
    ),
    Endpoint(
        "record_retrieve", "get", _url("/api/v1/records/{w.a.uuid}/"), statuses(404, **READERS_A)
    ),
    # --- tasks
    Endpoint("task_list", "get", _url("/api/v1/tasks/"), statuses(200)),
    Endpoint("task_queue", "get", _url("/api/v1/tasks/queue/"), statuses(200)),
    Endpoint("task_retrieve", "get", _url(TASK_A), statuses(404, officer_x=200)),
    Endpoint(
        "task_complete",
        "post",
        _url(TASK_A + "complete/"),
        statuses(404, officer_x=200),
        body=lambda w, r: {"action": "resolve", "data": {"resolution_note": "Đã hút nước."}},
    ),
    Endpoint("task_claim", "post", _url(TASK_A + "claim/"), statuses(404, officer_x=200)),
    Endpoint(
        "task_release",
        "post",
        _url(TASK_A + "release/"),
        statuses(404, officer_x=200, leader_parent=200, admin=200),
    ),
    Endpoint("task_return", "post", _url(TASK_A + "return/"), statuses(404, officer_x=400)),
    Endpoint(
        "task_reassign",
        "post",
        _url(TASK_A + "reassign/"),
        statuses(404, leader_parent=200, admin=200, officer_x=403),
        body=lambda w, r: {"agency": "sgtvt", "role": "officer", "reason": "Sai thẩm quyền"},
    ),
    # --- delegations
    Endpoint("delegation_list", "get", _url("/api/v1/delegations/"), statuses(200)),
    Endpoint(
        "delegation_create",
        "post",
        _url("/api/v1/delegations/"),
        # Builders are no officials: they have no tasks to delegate.
        statuses(
            400, officer_x=201, citizen_a=403, citizen_b=403, builder_p=403, builder_other=403
        ),
        body=lambda w, r: {
            "delegate": "thoatnuoc2",
            "agency": "ctn_cantho",
            "ends_at": (timezone.now() + timedelta(days=7)).isoformat(),
        },
    ),
    Endpoint(
        "delegation_revoke",
        "delete",
        _url("/api/v1/delegations/{w.delegation.uuid}/"),
        statuses(404, officer_x=200, admin=200),
    ),
    # --- cases
    Endpoint("case_timeline", "get", _url(CASE_A + "timeline/"), statuses(404, **READERS_A)),
    Endpoint(
        "case_cancel",
        "post",
        _url(CASE_A + "cancel/"),
        statuses(404, **STEERING_A),
        body=lambda w, r: {"reason": "Trùng phản ánh"},
    ),
    Endpoint("case_pause", "post", _url(CASE_A + "pause/"), statuses(404, **STEERING_A)),
    Endpoint(
        "case_resume",
        "post",
        _url(CASE_A + "resume/"),
        statuses(404, **STEERING_A),
        prepare=_pause_a,
    ),
    Endpoint("case_effect_list", "get", _url(CASE_A + "effects/"), statuses(404, **OFFICIALS_A)),
    Endpoint(
        "case_effect_retry",
        "post",
        _url(CASE_A + "effects/{w.effect.uuid}/retry/"),
        statuses(404, **OFFICIALS_A),
    ),
    Endpoint("case_comment_list", "get", _url(CASE_A + "comments/"), statuses(404, **READERS_A)),
    Endpoint(
        "case_comment_create",
        "post",
        _url(CASE_A + "comments/"),
        statuses(404, **dict.fromkeys(READERS_A, 201)),
        body=lambda w, r: {"body": "Cảm ơn, tôi đã nhận được."},
    ),
    # --- integrations
    Endpoint(
        "message_deliver",
        "post",
        _url("/api/v1/messages/"),
        statuses(403, admin=200),
        body=lambda w, r: {"name": "fee_paid", "key": "GPXD-1", "data": {}},
    ),
    # --- administration
    Endpoint("agency_list", "get", _url("/api/v1/agencies/"), DIRECTORY),
    Endpoint(
        "agency_create",
        "post",
        _url("/api/v1/agencies/"),
        statuses(403, admin=201),
        body=lambda w, r: {
            "code": "an_binh",
            "name_vi": "Phường An Bình",
            "kind": "ward",
            "parent": "ninh_kieu",
        },  # fmt: skip
    ),
    Endpoint(
        "agency_update",
        "patch",
        lambda w: f"/api/v1/agencies/{_agency_uuid('ctn_cantho')}/",
        ADMIN_ONLY,
        body=lambda w, r: {"name_en": "Can Tho Water Supply and Drainage"},
    ),
    Endpoint("role_list", "get", _url("/api/v1/roles/"), DIRECTORY),
    Endpoint("membership_list", "get", _url("/api/v1/memberships/"), ADMIN_ONLY),
    Endpoint(
        "membership_create",
        "post",
        _url("/api/v1/memberships/"),
        statuses(403, admin=201),
        body=lambda w, r: {"user": "congdan_b", "agency": "ioc", "role": "officer"},
    ),
    Endpoint(
        "membership_delete",
        "delete",
        _url("/api/v1/memberships/{w.membership.uuid}/"),
        statuses(403, admin=204),
    ),
]


def _markers(world: World) -> dict[str, str]:
    return {
        "code_a": world.a.tracking_code,
        "code_b": world.b.tracking_code,
        "id_a": str(world.a.uuid),
        "id_b": str(world.b.uuid),
        "name_a": CITIZEN_A_NAME,
        "name_b": CITIZEN_B_NAME,
        "internal_note": INTERNAL_NOTE,
        "other_app": OTHER_APP,
        **{f"official_{i}": name for i, name in enumerate(OFFICIAL_NAMES)},
    }


CASE_A_DATA = {"code_a", "id_a", "name_a"}
CASE_B_DATA = {"code_b", "id_b", "name_b"}
OFFICIALS = {f"official_{i}" for i in range(len(OFFICIAL_NAMES))}
#: What each person must never be shown.
FORBIDDEN = {
    "anonymous": CASE_A_DATA | CASE_B_DATA | OFFICIALS | {"internal_note", "other_app"},
    "citizen_a": CASE_B_DATA | OFFICIALS | {"internal_note", "other_app"},
    "citizen_b": CASE_A_DATA | OFFICIALS | {"internal_note", "other_app"},
    "officer_x": CASE_B_DATA | {"other_app"},
    "officer_y": CASE_A_DATA | {"internal_note", "other_app"},
    "leader_parent": CASE_B_DATA | {"other_app"},
    "builder_p": {"other_app"},
    "builder_other": CASE_A_DATA | CASE_B_DATA | OFFICIALS | {"internal_note"},
    "admin": set(),
}


def _client(role: str) -> Client:
    client = Client()
    username = ROLES[role]
    if username is not None:
        client.force_login(User.objects.get(username=username))
    return client


def _text(response: Any) -> str:
    """The answer as text, with non-ASCII characters as they are."""
    raw = response.content.decode()
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False) if raw else ""
    except ValueError:
        return raw


def _request(endpoint: Endpoint, world: World, role: str) -> tuple[int, str]:
    cache.clear()  # throttling history
    with transaction.atomic():
        if endpoint.prepare is not None:
            endpoint.prepare(world)
        body = endpoint.body(world, role) if endpoint.body else None
        response = call(_client(role), endpoint.method, endpoint.url(world), body)
        transaction.set_rollback(True)
    return response.status_code, _text(response)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_each_person_gets_the_expected_answer_and_nothing_of_others(
    world: World, endpoint: Endpoint
) -> None:
    assert set(endpoint.expected) == set(ROLES), endpoint.name
    markers = _markers(world)
    wrong_status = {}
    leaks = {}
    for role in ROLE_NAMES:
        status, text = _request(endpoint, world, role)
        if status != endpoint.expected[role]:
            wrong_status[role] = (endpoint.expected[role], status, text[:300])
        shown = {
            marker
            for marker in FORBIDDEN[role] - endpoint.public
            if markers[marker] and markers[marker] in text
        }
        if shown:
            leaks[role] = sorted(shown)
        assert status < 500, (role, text[:500])
        if status >= 400:
            assert set(json.loads(text)) == {"error"}, (role, text[:300])
    assert not wrong_status, wrong_status
    assert not leaks, leaks


def test_the_matrix_covers_every_operation_of_the_schema() -> None:
    """A new endpoint must take its place in the matrix (named by its operation id)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation_ids = {
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert len(operation_ids) >= 45
    assert operation_ids <= {endpoint.name for endpoint in ENDPOINTS}, sorted(
        operation_ids - {endpoint.name for endpoint in ENDPOINTS}
    )
