"""Agents read and sign their own coaching reviews, so the "coaching" purpose allows the Support Agent role.

A fresh database gets the role from the governance register (``PURPOSES``); this adds it where the register
predates it. Nothing else about the purpose changes (it stays switched off until the DPIA allows it).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Purpose = apps.get_model("governance", "Purpose")
    purpose = Purpose.objects.filter(key="coaching").first()
    agents = Group.objects.filter(name="Support Agent").first()
    if purpose is not None and agents is not None:
        purpose.allowed_roles.add(agents)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Purpose = apps.get_model("governance", "Purpose")
    purpose = Purpose.objects.filter(key="coaching").first()
    agents = Group.objects.filter(name="Support Agent").first()
    if purpose is not None and agents is not None:
        purpose.allowed_roles.remove(agents)


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0001_initial"),
        ("governance", "0002_roles_and_purposes"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
