"""The benchmark's process in viewflow, the same shape as LCNC's::

    start (the citizen's submission) -> triage -> route
      route: category == "flooding" -> handle_drainage, otherwise -> handle_transport
    -> approve_closure -> end

Each human step is a ``flow.View`` that holders of one permission (given through a group,
as an agency's role is in LCNC) may claim ("assign") and complete. Cases are locked with
``SELECT ... FOR UPDATE`` on their process row, as LCNC locks its instance row.
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import CreateProcessView, UpdateProcessView

from .models import FieldReportProcess

PERMISSIONS = {
    "triage": "bench_viewflow.triage_report",
    "handle_drainage": "bench_viewflow.handle_drainage",
    "handle_transport": "bench_viewflow.handle_transport",
    "approve_closure": "bench_viewflow.approve_closure",
}


class FieldReportFlow(flow.Flow):
    process_class = FieldReportProcess
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.Start(
        CreateProcessView.as_view(fields=["description", "district", "reporter_name"])
    ).Next(this.triage)

    triage = (
        flow.View(UpdateProcessView.as_view(fields=["category", "severity", "triage_note"]))
        .Permission(PERMISSIONS["triage"])
        .Next(this.route)
    )

    route = (
        flow.If(lambda activation: activation.process.category == "flooding")
        .Then(this.handle_drainage)
        .Else(this.handle_transport)
    )

    handle_drainage = (
        flow.View(UpdateProcessView.as_view(fields=["resolution_note"]))
        .Permission(PERMISSIONS["handle_drainage"])
        .Next(this.approve_closure)
    )

    handle_transport = (
        flow.View(UpdateProcessView.as_view(fields=["resolution_note"]))
        .Permission(PERMISSIONS["handle_transport"])
        .Next(this.approve_closure)
    )

    approve_closure = (
        flow.View(UpdateProcessView.as_view(fields=[]))
        .Permission(PERMISSIONS["approve_closure"])
        .Next(this.end)
    )

    end = flow.End()
