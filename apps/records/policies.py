"""Who may read a case and write on it.

An agency is *of a case* when the case has or had a task for it, or when the workflow let
it see the case (an agency only informed under a coordination rule): the runtime records
both as ``RecordAccess`` rows when it creates or hands over a task, so reading a case never
needs the tasks. Officials (any role but the builder's) read the cases of their agencies;
leaders also those of the agencies under theirs; platform admins every case; a citizen
their own submissions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from apps.accounts.models import Agency
from apps.accounts.permissions import (
    is_platform_admin,
    led_agency_ids,
    official_agency_ids,
    official_memberships,
)

from .models import Record, RecordAccess


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def readable_records_filter(user: Any) -> Q:
    """Records a signed-in user may read: platform admins all; everyone their own
    submissions; officials the cases of their agencies; leaders also those of the
    agencies under theirs."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if is_platform_admin(user):
        return Q()
    agencies = official_agency_ids(user)
    own = Q(submitted_by=user)
    if not agencies:
        return own
    of_theirs = RecordAccess.objects.filter(record_id=OuterRef("pk"), agency_id__in=agencies)
    return own | Q(Exists(of_theirs))


def official_records_filter(user: Any) -> Q:
    """Records an official sees in the workspace: the cases of the agencies they belong
    to (never through having submitted one as a citizen)."""
    if not _signed_in(user):
        return Q(pk__in=[])
    agencies = official_memberships(user).values("agency_id")
    of_theirs = RecordAccess.objects.filter(record_id=OuterRef("pk"), agency_id__in=agencies)
    return Q(Exists(of_theirs))


def case_agency_ids(record: Record) -> set[int]:
    """The agencies of the case: those that have or had a task on it, or that the
    workflow let see it."""
    return set(RecordAccess.objects.filter(record=record).values_list("agency_id", flat=True))


def is_official_of_case(user: Any, record: Record) -> bool:
    """Platform admins, and officials of (or leaders over) an agency of the case: they
    read its internal timeline and notes and retry its failed automatic steps."""
    if not _signed_in(user):
        return False
    if is_platform_admin(user):
        return True
    return bool(official_agency_ids(user) & case_agency_ids(record))


def leads_case(user: Any, record: Record) -> bool:
    """Platform admins, and leaders (or admins) of an agency of the case or of an agency
    above one."""
    if not _signed_in(user):
        return False
    if is_platform_admin(user):
        return True
    return bool(led_agency_ids(user) & case_agency_ids(record))


def can_comment_on_case(user: Any, record: Record, *, internal: bool) -> bool:
    """Officials of the case comment and write internal notes; the citizen who submitted
    it may comment (never internally)."""
    if not _signed_in(user):
        return False
    if is_official_of_case(user, record):
        return True
    return not internal and record.submitted_by_id == user.pk


def commenting_agency(user: Any, record: Record) -> Agency | None:
    """The agency an official's comment on the case is signed with: one of theirs that
    is of the case, else their first one; None for citizens."""
    memberships = official_memberships(user)
    if not memberships.exists():
        return None
    theirs = Agency.objects.filter(pk__in=memberships.values("agency_id"))
    return (
        theirs.filter(pk__in=case_agency_ids(record)).order_by("code").first()
        or theirs.order_by("code").first()
    )
