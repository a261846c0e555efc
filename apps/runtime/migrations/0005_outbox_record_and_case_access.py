"""Outbox entries belong to a record (a receipt has no case yet), and every agency that
has or had a task on a case may read it through a RecordAccess row."""

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    OutboxEntry = apps.get_model("runtime", "OutboxEntry")
    Task = apps.get_model("runtime", "Task")
    RecordAccess = apps.get_model("records", "RecordAccess")
    for entry in OutboxEntry.objects.filter(record__isnull=True).select_related("instance"):
        entry.record_id = entry.instance.record_id
        entry.save(update_fields=["record"])
    pairs = (
        Task.objects.filter(agency__isnull=False)
        .values_list("instance__record_id", "agency_id")
        .distinct()
    )
    existing = set(RecordAccess.objects.values_list("record_id", "agency_id"))
    RecordAccess.objects.bulk_create(
        [
            RecordAccess(record_id=record_id, agency_id=agency_id, reason="task")
            for record_id, agency_id in pairs
            if (record_id, agency_id) not in existing
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_record_access"),
        ("runtime", "0004_task_claims"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxentry",
            name="record",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outbox",
                to="records.record",
                verbose_name="record",
            ),
        ),
        migrations.AlterField(
            model_name="outboxentry",
            name="instance",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outbox",
                to="runtime.processinstance",
                verbose_name="case",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboxentry",
            name="record",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outbox",
                to="records.record",
                verbose_name="record",
            ),
        ),
    ]
