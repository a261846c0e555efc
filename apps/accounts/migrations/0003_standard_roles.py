"""Every installation has the standard roles definitions assign tasks to."""

from django.db import migrations

STANDARD_ROLES = {
    "officer": ("Chuyên viên", "Officer"),
    "leader": ("Lãnh đạo", "Leader"),
    "dispatcher": ("Điều phối viên", "Dispatcher"),
    "builder": ("Người xây dựng ứng dụng", "App builder"),
    "admin": ("Quản trị", "Administrator"),
}


def create_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    role = apps.get_model("accounts", "Role")
    for key, (name_vi, name_en) in STANDARD_ROLES.items():
        role.objects.get_or_create(key=key, defaults={"name_vi": name_vi, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_delegations_membership_ids")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
