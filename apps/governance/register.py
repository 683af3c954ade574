"""The default register of purposes, prohibited uses and the DPIA they stand under (switched off until approved).

Created by a migration; ``ensure_register`` is idempotent and takes an app registry, so the migration (with
historical models) and tests that flushed the database (with the real ones) build the same register.
"""

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


def ensure_register(apps) -> None:
    """Roles, the DPIA, the purposes and their prohibited uses; nothing that exists is changed."""
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
        purpose=marketing,
        name="Targeting a vulnerable customer for upsell",
        defaults={
            "scope": "vulnerable_contacts",
            "description": "Emotion data of contacts flagged vulnerable is never used for marketing.",
        },
    )
    ProhibitedUse.objects.get_or_create(
        purpose=marketing,
        name="Marketing on sensitive messages",
        defaults={
            "scope": "sensitive_messages",
            "description": "Hardship, health, bereavement or distress is never a sales opportunity.",
        },
    )
    outreach = Purpose.objects.get(key="retention_outreach")
    ProhibitedUse.objects.get_or_create(
        purpose=outreach,
        name="Retention pressure on vulnerable customers",
        defaults={
            "scope": "vulnerable_contacts",
            "description": "Vulnerable customers are supported through support, not retention campaigns.",
        },
    )
