"""The "quality_assurance" purpose (annotation reads customer messages) for databases whose register predates it.

A fresh database gets it from the governance register too; both paths leave one row, switched off until the
privacy officer switches it on under the approved DPIA.
"""

from django.db import migrations

from apps.governance.choices import PURPOSES
from apps.governance.register import DPIA_TEXT
from apps.governance.roles import apply_roles


def forwards(apps, schema_editor):
    apply_roles(apps)  # the Annotator group and the validation permissions
    Group = apps.get_model("auth", "Group")
    DPIA = apps.get_model("governance", "DPIA")
    Purpose = apps.get_model("governance", "Purpose")
    key, name, description, roles = next(p for p in PURPOSES if p[0] == "quality_assurance")
    dpia = DPIA.objects.filter(title=DPIA_TEXT["title"]).first() or DPIA.objects.create(**DPIA_TEXT)
    purpose, created = Purpose.objects.get_or_create(
        key=key, defaults={"name": name, "description": description, "dpia": dpia, "is_active": False}
    )
    if created:
        purpose.allowed_roles.set(Group.objects.filter(name__in=roles))


class Migration(migrations.Migration):
    dependencies = [
        ("validation", "0001_initial"),
        ("governance", "0002_roles_and_purposes"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
