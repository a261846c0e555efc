"""The one-stop permit and the inter-agency coordination apps, end to end through the
services: deadlines, escalation, the paused clock, reviews in parallel, hand-offs to a
partner agency's process, messages and follow-up timers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail

from apps.builder.selectors import published_form
from apps.core import clock as platform_clock
from apps.core.errors import NotAllowed
from apps.records.models import Record
from apps.runtime.models import Notification, OutboxEntry, ProcessInstance, Task, Timer
from apps.runtime.services import (
    case_open,
    instance_replay,
    message_deliver,
    task_complete,
    timer_fire,
)
from tests.samples import PERMIT_ANSWERS

# Deadlines are computed at a clock the tests choose (a working morning unless a test moves
# it), never at the hour the suite happens to run.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clock")]

#: Moments across the week of the one-stop desk (Vietnam time): the permit's legal clock is
#: paused while the dossier is back with the applicant, and must never lose time.
DESK_MOMENTS = {
    "working_morning": "2026-03-02T09:00:00.250000+07:00",
    "lunch_break": "2026-03-02T12:05:41.470000+07:00",
    "evening": "2026-03-03T19:30:00+07:00",
    "saturday": "2026-03-07T10:00:00+07:00",
    "holiday_eve": "2026-04-29T16:59:59.900000+07:00",
}

PERMIT = dict(PERMIT_ANSWERS)


def _open(record: Record, node: str | None = None) -> list[Task]:
    tasks = Task.objects.filter(instance__record=record, status="open").order_by("created_at")
    return list(tasks.filter(node_id=node) if node else tasks)


def _fire_due(record_or_instance: Any, purpose: str, *, later: timedelta) -> None:
    instance = (
        record_or_instance
        if isinstance(record_or_instance, ProcessInstance)
        else record_or_instance.instance
    )
    timer = Timer.objects.get(instance=instance, purpose=purpose, status="scheduled")
    assert timer_fire(timer_id=timer.pk, now=platform_clock.now() + later)


def _submit_permit(user: Any, **overrides: Any) -> Record:
    version, app_def, form = published_form("one_stop_permit", "apply")
    return case_open(
        version=version, app_def=app_def, form=form, raw={**PERMIT, **overrides},
        user=user("congdan"),
    ).record  # fmt: skip


@pytest.mark.parametrize("moment", DESK_MOMENTS.values(), ids=DESK_MOMENTS.keys())
def test_permit_returned_completed_reviewed_approved_and_issued(
    user: Any, clock: Any, moment: str
) -> None:
    clock.set(moment)
    record = _submit_permit(user)
    assert record.deadline is not None
    first_deadline = record.deadline
    [check] = _open(record, "check")
    assert (check.agency.code, check.role.key) == ("mot_cua", "officer")

    # Returned to the applicant: the legal clock stops.
    task_complete(task=check, user=user("motcua"), action="incomplete",
                  data={"completeness_note": "Thiếu bản vẽ mặt bằng"})  # fmt: skip
    [back] = _open(record, "return_to_applicant")
    assert back.for_submitter and back.agency is None
    record.instance.refresh_from_db()
    assert record.instance.state["paused"] is not None
    assert not Timer.objects.filter(instance=record.instance, purpose="case_deadline",
                                    status="scheduled").exists()  # fmt: skip
    with pytest.raises(NotAllowed):  # an official cannot act for the citizen
        task_complete(task=back, user=user("motcua"), action="resubmit")
    clock.advance(hours=26, minutes=13, seconds=7.3)  # the applicant takes a day and more
    task_complete(task=back, user=user("congdan"), action="resubmit",
                  data={"floor_area_m2": "250"})  # fmt: skip
    record.refresh_from_db()
    assert record.data["floor_area_m2"] == 250
    assert record.deadline is not None and record.deadline >= first_deadline
    assert record.instance.state["paused"] is None
    assert Timer.objects.filter(instance=record.instance, purpose="case_deadline",
                                status="scheduled").count() == 1  # fmt: skip

    # Complete: two departments review in parallel.
    [check] = _open(record, "check")
    task_complete(task=check, user=user("motcua"), action="complete",
                  data={"reviewing_agencies": ["sxd", "stnmt"]})  # fmt: skip
    reviews = _open(record, "reviews")
    assert sorted(t.agency.code for t in reviews) == ["stnmt", "sxd"]
    assert all(t.due is not None for t in reviews)
    by_agency = {t.agency.code: t for t in reviews}
    task_complete(task=by_agency["sxd"], user=user("xaydung"), action="agree")
    assert _open(record, "approve") == []
    task_complete(task=by_agency["stnmt"], user=user("moitruong"), action="agree",
                  data={"review_note": "Không ảnh hưởng môi trường"})  # fmt: skip

    # The leader approves; the permit is numbered and the applicant emailed.
    [approve] = _open(record, "approve")
    assert (approve.agency.code, approve.role.key) == ("sxd", "leader")
    task_complete(task=approve, user=user("lanhdao_sxd"), action="approve")
    record.refresh_from_db()
    assert record.data["permit_number"] == "GPXD-ninh_kieu-125-12"
    email = OutboxEntry.objects.get(instance=record.instance, kind="notify")
    assert email.status == "delivered"
    # The receipt when the dossier was received, then the approval.
    assert [m.to for m in mail.outbox] == [["nha@example.vn"], ["nha@example.vn"]]
    assert record.tracking_code in mail.outbox[0].subject
    assert "GPXD-ninh_kieu-125-12" in mail.outbox[1].subject

    # The fee is paid: the treasury's message closes the case.
    assert message_deliver(name="fee_paid", key="other-permit") == 0
    assert message_deliver(name="fee_paid", key="GPXD-ninh_kieu-125-12",
                           data={"fee_receipt": "BL-2026-001"}) == 1  # fmt: skip
    record.refresh_from_db()
    assert (record.status, record.outcome) == ("closed", "issued")
    assert record.data["fee_receipt"] == "BL-2026-001"
    assert not Timer.objects.filter(instance=record.instance, status="scheduled").exists()
    kinds = list(record.events.values_list("kind", flat=True))
    assert kinds.count("clock_paused") == 1 and kinds.count("clock_resumed") == 1


def test_permit_check_overdue_goes_to_the_leader(user: Any) -> None:
    record = _submit_permit(user)
    _fire_due(record, "task_deadline", later=timedelta(days=5))
    [check] = _open(record, "check")
    assert (check.agency.code, check.role.key) == ("mot_cua", "leader")
    assert record.events.filter(kind="task_escalated").exists()
    assert record.events.filter(kind="task_overdue").exists()


def test_permit_leader_cannot_approve_what_they_checked(user: Any) -> None:
    from apps.accounts.models import Agency, Membership, Role

    leader = user("lanhdao_sxd")
    Membership.objects.create(user=leader, agency=Agency.objects.get(code="mot_cua"),
                              role=Role.objects.get(key="officer"))  # fmt: skip
    record = _submit_permit(user)
    [check] = _open(record, "check")
    task_complete(task=check, user=leader, action="complete")
    [approve] = _open(record, "approve")
    assert str(leader.uuid) in approve.excluded_actors
    with pytest.raises(NotAllowed) as refused:
        task_complete(task=approve, user=leader, action="approve")
    assert refused.value.code == "not_your_task"
    assert _open(record, "approve") == [approve]


def test_permit_fee_not_paid_in_time(user: Any) -> None:
    record = _submit_permit(user)
    [check] = _open(record, "check")
    task_complete(task=check, user=user("motcua"), action="complete")
    [approve] = _open(record, "approve")
    task_complete(task=approve, user=user("lanhdao_sxd"), action="approve")
    _fire_due(record, "receive_timeout", later=timedelta(days=31))
    record.refresh_from_db()
    assert (record.status, record.outcome) == ("closed", "unclaimed")


def test_case_deadline_notifies_the_leaders(user: Any) -> None:
    record = _submit_permit(user)
    _fire_due(record, "case_deadline", later=timedelta(days=40))
    assert record.events.filter(kind="case_overdue", public=True).exists()
    assert Notification.objects.filter(user=user("lanhdao_sxd"), record=record).exists()


def _report_violation(user: Any, **overrides: Any) -> Record:
    version, app_def, form = published_form("coordination", "report_violation")
    raw = {"kind": "land", "description": "Xây dựng lấn chiếm hành lang kênh",
           "district": "ninh_kieu", **overrides}  # fmt: skip
    return case_open(
        version=version, app_def=app_def, form=form, raw=raw, user=user("moitruong")
    ).record


def test_violation_handed_to_the_district_escalated_then_concluded(user: Any) -> None:
    record = _report_violation(user)
    [assess] = _open(record, "assess")
    task_complete(task=assess, user=user("moitruong"), action="hand_off",
                  data={"fine_amount": "5000000"})  # fmt: skip

    # The district's own process runs as a child case.
    child = ProcessInstance.objects.get(parent=record.instance)
    assert child.workflow_key == "partner_handling"
    assert child.record.data["district"] == "ninh_kieu"
    [act] = _open(child.record, "act")
    assert (act.agency.code, act.role.key) == ("ninh_kieu", "officer")

    # Reminder, then escalation to the district's leader and the lead agency's leader.
    _fire_due(child, "task_reminder", later=timedelta(days=10))
    assert Notification.objects.filter(user=user("ninhkieu"), record=child.record).exists()
    _fire_due(child, "task_deadline", later=timedelta(days=10))
    act.refresh_from_db()
    assert act.role.key == "leader"
    assert Notification.objects.filter(user=user("lanhdao_stnmt")).exists()
    task_complete(task=act, user=user("lanhdao_ninhkieu"), action="done",
                  data={"result": "Đã buộc tháo dỡ phần lấn chiếm"})  # fmt: skip

    # The child's outcome reached the parent, which gathered and waits to conclude.
    record.refresh_from_db()
    assert record.data["partner_outcome"] == "done"
    assert record.data["partner_result"] == "Đã buộc tháo dỡ phần lấn chiếm"
    [conclude] = _open(record, "conclude")
    task_complete(task=conclude, user=user("moitruong"), action="follow_up")
    _fire_due(record, "timer", later=timedelta(days=31))
    [verify] = _open(record, "verify")
    assert verify.agency.code == "ninh_kieu"
    task_complete(task=verify, user=user("ninhkieu"), action="verified",
                  data={"remediated": True})  # fmt: skip
    record.refresh_from_db()
    assert (record.status, record.outcome) == ("closed", "concluded")


def test_violation_declined_by_the_partner_goes_to_the_leader(user: Any) -> None:
    record = _report_violation(user, kind="environment")
    task_complete(task=_open(record, "assess")[0], user=user("moitruong"), action="hand_off")
    child = ProcessInstance.objects.get(parent=record.instance)
    task_complete(task=_open(child.record, "act")[0], user=user("ninhkieu"), action="decline")
    [failed] = _open(record, "partner_failed")
    assert (failed.agency.code, failed.role.key) == ("stnmt", "leader")
    task_complete(task=failed, user=user("lanhdao_stnmt"), action="resolved")
    assert _open(record, "conclude")


def test_traffic_violation_only_informs_transport(user: Any) -> None:
    record = _report_violation(user, kind="traffic_order")
    task_complete(task=_open(record, "assess")[0], user=user("moitruong"), action="hand_off")
    assert not ProcessInstance.objects.filter(parent=record.instance).exists()
    assert Notification.objects.filter(user=user("lanhdao_gtvt"), record=record).exists()
    assert _open(record, "conclude")


def test_cancelling_the_case_cancels_the_partner_process(user: Any) -> None:
    from apps.runtime.services import instance_cancel

    record = _report_violation(user)
    task_complete(task=_open(record, "assess")[0], user=user("moitruong"), action="hand_off")
    child = ProcessInstance.objects.get(parent=record.instance)
    instance_cancel(instance=record.instance, user=user("lanhdao_stnmt"), reason="trùng vụ việc")
    child.refresh_from_db()
    assert child.status == "cancelled"
    assert _open(child.record) == []


def _drive_every_sample_app(user: Any, clock: Any) -> list[ProcessInstance]:
    """Run each sample app through a realistic path, returning every case it made."""
    moment = DESK_MOMENTS["lunch_break"]
    test_permit_returned_completed_reviewed_approved_and_issued(user, clock, moment)
    test_violation_handed_to_the_district_escalated_then_concluded(user)
    version, app_def, form = published_form("field_reports", "citizen_report")
    from tests.conftest import FLOODING_REPORT

    report = case_open(version=version, app_def=app_def, form=form, raw=FLOODING_REPORT)
    task_complete(task=_open(report.record)[0], user=user("dieuphoi"), action="accept",
                  data={"severity": "4"})  # fmt: skip
    task_complete(task=_open(report.record)[0], user=user("thoatnuoc"), action="resolve")
    return list(ProcessInstance.objects.all())


def test_replaying_every_case_gives_its_recorded_state(user: Any, clock: Any) -> None:
    instances = _drive_every_sample_app(user, clock)
    assert {i.app_version.app.key for i in instances} == {
        "field_reports", "one_stop_permit", "coordination"
    }  # fmt: skip
    for instance in instances:
        assert instance.engine_events.exists()
        assert instance_replay(instance) == instance.state, instance.workflow_key


def test_an_informed_agency_may_read_the_case_but_has_nothing_to_do(user: Any) -> None:
    from apps.records.selectors import records_for_officials, records_visible_to

    record = _report_violation(user, kind="traffic_order")
    leader = user("lanhdao_gtvt")
    assert not records_visible_to(leader).filter(pk=record.pk).exists()
    task_complete(task=_open(record, "assess")[0], user=user("moitruong"), action="hand_off")
    assert records_visible_to(leader).filter(pk=record.pk).exists()
    assert records_for_officials(leader).filter(pk=record.pk).exists()
    assert not Task.objects.filter(instance__record=record, agency__code="sgtvt").exists()
    # Another agency that was not informed still sees nothing.
    assert not records_visible_to(user("cairang")).filter(pk=record.pk).exists()


def test_an_escalated_task_is_no_longer_claimed(user: Any) -> None:
    from apps.runtime.services import task_claim

    record = _submit_permit(user)
    [check] = _open(record, "check")
    task_claim(task=check, user=user("motcua"))
    _fire_due(record, "task_deadline", later=timedelta(days=5))
    check.refresh_from_db()
    assert check.role.key == "leader"
    assert check.claimed_by is None and check.claimed_at is None
