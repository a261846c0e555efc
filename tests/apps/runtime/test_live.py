"""Live updates: after a change to a case commits, its agencies' groups and the ``cases``
group hear of it — ids only, never content — and an unreachable channel layer fails
nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.test import override_settings

from apps.accounts.models import Agency
from apps.runtime import live
from apps.runtime.models import Task
from apps.runtime.services import task_claim, task_complete

pytestmark = pytest.mark.django_db(transaction=True)


class Listener:
    """A channel in some groups of the (in-memory) channel layer."""

    def __init__(self, *groups: str) -> None:
        self.layer = get_channel_layer()
        self.channel = live.call_sync(self.layer.new_channel)
        for group in groups:
            live.call_sync(self.layer.group_add, group, self.channel)

    def received(self) -> list[dict[str, Any]]:
        messages = []
        while True:
            try:
                message = live.call_sync(self._receive)
            except TimeoutError:
                return messages
            messages.append(message)

    async def _receive(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.layer.receive(self.channel), timeout=0.2)


@pytest.fixture
def listener() -> Iterator[Any]:
    yield Listener


def test_a_completed_task_is_announced_to_its_agencies_after_commit(
    submit_report: Any, user: Any, listener: Any
) -> None:
    record = submit_report().record
    ioc = Agency.objects.get(code="ioc")
    drainage = Agency.objects.get(code="ctn_cantho")
    everyone = listener(live.ALL_CASES)
    centre = listener(live.agency_group(ioc.pk))
    water = listener(live.agency_group(drainage.pk))
    other = listener(live.agency_group(Agency.objects.get(code="sgtvt").pk))

    triage = Task.objects.get(instance__record=record, status="open")
    task_claim(task=triage, user=user("dieuphoi"))
    task_complete(task=triage, user=user("dieuphoi"), action="accept",
                  data={"category": "flooding", "severity": "4"})  # fmt: skip

    claimed, completed = everyone.received()
    assert claimed["kind"] == "task_claimed" and claimed["tasks"] == [str(triage.uuid)]
    assert completed["record"] == str(record.uuid)
    assert str(triage.uuid) in completed["tasks"]
    assert set(completed) == {"type", "record", "kind", "tasks", "agencies", "at"}
    assert drainage.pk in completed["agencies"]
    assert len(centre.received()) == 2
    assert [m["kind"] for m in water.received()] == [completed["kind"]]
    assert other.received() == []


def test_an_unreachable_channel_layer_fails_nothing(submit_report: Any, user: Any) -> None:
    unreachable = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    record = submit_report().record
    triage = Task.objects.get(instance__record=record, status="open")
    with override_settings(CHANNEL_LAYERS=unreachable):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        try:
            task_complete(task=triage, user=user("dieuphoi"), action="accept",
                          data={"category": "flooding", "severity": "4"})  # fmt: skip
        finally:
            channel_layers.backends.clear()
    triage.refresh_from_db()
    assert triage.status == Task.Status.COMPLETED
