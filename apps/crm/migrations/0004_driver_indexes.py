"""Indexes for the account page's "what drove it": the strongest current scores of one account and dominant emotion.

They live on the scoring app's table but serve only the CRM workspace's query (``selectors.account_context``),
so this app owns them. Partial (current scores only) and ordered like the query (intensity, strongest first),
PostgreSQL reads the five strongest without sorting an account's whole window. Created on PostgreSQL only:
SQLite, the embedded demo database, has no ``NULLS LAST`` in index definitions and does not need them.
"""

from django.db import migrations

INDEXES = {
    "crm_drivers_base": "(account_id, dominant, intensity DESC NULLS LAST, message_created_at DESC)",
    "crm_drivers_business": "(account_id, dominant_business, intensity DESC NULLS LAST, message_created_at DESC)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON scoring_emotionscore {columns} WHERE is_current")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_segment_rollups"), ("scoring", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
