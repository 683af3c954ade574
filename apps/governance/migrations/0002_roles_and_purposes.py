"""The role groups with their permissions, and the register of purposes (switched off until a DPIA is approved)."""

from django.db import migrations

from apps.governance.choices import PURPOSES
from apps.governance.roles import apply_roles

DPIA_TEXT = {
    "title": "Customer emotion analytics (EmotionHub)",
    "processing_activity": (
        "Inference of emotions (anger, frustration, delight, ...) from what customers write to us in support "
        "tickets, social posts, reviews, forums, surveys and email; linking them to account outcomes; alerting "
        "the people who serve the account. Employees' own messages are never analysed."
    ),
    "data_categories": ["customer messages", "contact identifiers", "inferred emotion scores", "account data"],
    "risks": "Inferences about individuals; use against vulnerable customers; function creep into employee monitoring.",
    "mitigations": (
        "Consent and opt-out before analysis; purpose binding with logged access; prohibited uses for vulnerable "
        "customers; retention limits; no inference about employees (EU AI Act Art. 5(1)(f))."
    ),
    "ai_act_classification": "limited_risk",
    "status": "draft",
}


def forwards(apps, schema_editor):
    apply_roles(apps)
    Group = apps.get_model("auth", "Group")
    DPIA = apps.get_model("governance", "DPIA")
    Purpose = apps.get_model("governance", "Purpose")
    ProhibitedUse = apps.get_model("governance", "ProhibitedUse")
    dpia, _ = DPIA.objects.get_or_create(title=DPIA_TEXT["title"], defaults=DPIA_TEXT)
    for key, name, description, roles in PURPOSES:
        purpose, created = Purpose.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "dpia": dpia, "is_active": False}
        )
        if created:
            purpose.allowed_roles.set(Group.objects.filter(name__in=roles))
    marketing = Purpose.objects.get(key="marketing")
    ProhibitedUse.objects.get_or_create(
        purpose=marketing, name="Targeting a vulnerable customer for upsell",
        defaults={"scope": "vulnerable_contacts",
                  "description": "Emotion data of contacts flagged vulnerable is never used for marketing."},
    )
    ProhibitedUse.objects.get_or_create(
        purpose=marketing, name="Marketing on sensitive messages",
        defaults={"scope": "sensitive_messages",
                  "description": "Hardship, health, bereavement or distress is never a sales opportunity."},
    )
    outreach = Purpose.objects.get(key="retention_outreach")
    ProhibitedUse.objects.get_or_create(
        purpose=outreach, name="Retention pressure on vulnerable customers",
        defaults={"scope": "vulnerable_contacts",
                  "description": "Vulnerable customers are supported through support, not retention campaigns."},
    )


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
