from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_logged_events(apps, schema_editor):
    ProcessInstance = apps.get_model("runtime", "ProcessInstance")
    EngineEvent = apps.get_model("runtime", "EngineEvent")
    last = (
        EngineEvent.objects.filter(instance_id=OuterRef("pk"))
        .values("instance_id")
        .annotate(last=Max("seq"))
        .values("last")
    )
    ProcessInstance.objects.update(engine_seq=Coalesce(Subquery(last), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("runtime", "0005_outbox_record_and_case_access"),
    ]

    operations = [
        migrations.AddField(
            model_name="processinstance",
            name="engine_seq",
            field=models.PositiveIntegerField(
                default=0,
                help_text="The number of the last engine event logged for this case.",
                verbose_name="engine events",
            ),
        ),
        migrations.RunPython(count_logged_events, migrations.RunPython.noop),
    ]
