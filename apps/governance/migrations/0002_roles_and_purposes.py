"""The role groups with their permissions, and the register of purposes (switched off until a DPIA is approved)."""

from django.db import migrations

from apps.governance.register import ensure_register

def forwards(apps, schema_editor):
    ensure_register(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("auditlog", "__latest__"),
        ("core", "0001_initial"),
        ("crm", "0001_initial"),
        ("sources", "0004_message_sensitivity"),
        ("scoring", "0002_default_taxonomy"),
        ("consent", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
