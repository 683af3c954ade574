"""The built-in policies: stricter ones for vulnerable contacts and sensitive messages, and a general default.

Created active: they are the safe defaults (the strictest two win by priority). An admin can dry-run,
tighten or switch them off like any other policy.
"""

from django.db import migrations

DEFAULTS = [
    {
        "name": "Vulnerable contacts",
        "priority": 10,
        "sensitivity": "vulnerable_contacts_only",
        "keep_text_days": 30,
        "keep_scores_days": 90,
        "description": "Messages of contacts flagged vulnerable: text anonymised after 30 days, scores deleted after 90.",
    },
    {
        "name": "Sensitive messages",
        "priority": 20,
        "sensitivity": "sensitive_only",
        "keep_text_days": 30,
        "keep_scores_days": 90,
        "description": "Hardship, health, bereavement or distress: text anonymised after 30 days, scores deleted after 90.",
    },
    {
        "name": "Default",
        "priority": 1000,
        "sensitivity": "any",
        "keep_text_days": 365,
        "keep_scores_days": 730,
        "description": "Every other message: text anonymised after a year, scores deleted after two.",
    },
]


def create_defaults(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    for values in DEFAULTS:
        RetentionPolicy.objects.get_or_create(
            name=values["name"], defaults={**values, "action": "anonymise", "is_active": True}
        )


def remove_defaults(apps, schema_editor):
    RetentionPolicy = apps.get_model("retention", "RetentionPolicy")
    RetentionPolicy.objects.filter(name__in=[d["name"] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
