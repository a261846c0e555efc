"""The case's data: viewflow's own ``Process`` row with the report's fields in its JSON
``data`` column (``jsonstore``), as viewflow's documentation does for simple processes.
LCNC keeps them in its record's JSON column, so both store one JSON document per case."""

from __future__ import annotations

from viewflow import jsonstore
from viewflow.workflow.models import Process


class FieldReportProcess(Process):
    category = jsonstore.CharField(max_length=50, blank=True)
    severity = jsonstore.IntegerField(null=True, blank=True)
    description = jsonstore.TextField(blank=True)
    district = jsonstore.CharField(max_length=50, blank=True)
    reporter_name = jsonstore.CharField(max_length=120, blank=True)
    triage_note = jsonstore.TextField(blank=True)
    resolution_note = jsonstore.TextField(blank=True)

    class Meta:
        proxy = True
        permissions = [
            ("triage_report", "Can triage field reports"),
            ("handle_drainage", "Can handle flooding"),
            ("handle_transport", "Can repair roads"),
            ("approve_closure", "Can approve the closure"),
        ]
