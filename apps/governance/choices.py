from django.db import models
from django.utils.translation import gettext_lazy as _


class DpiaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    EXPIRED = "expired", _("Expired")


class AiActClass(models.TextChoices):
    """The EU AI Act classification of the processing."""

    PROHIBITED = "prohibited", _("Prohibited practice (Art. 5)")
    HIGH_RISK = "high_risk", _("High-risk (Annex III)")
    LIMITED_RISK = "limited_risk", _("Limited risk (transparency obligations, Art. 50)")
    MINIMAL_RISK = "minimal_risk", _("Minimal risk")


class ProhibitedScope(models.TextChoices):
    """Whose emotion data a prohibited use concerns."""

    VULNERABLE_CONTACTS = "vulnerable_contacts", _("Vulnerable contacts")
    SENSITIVE_MESSAGES = "sensitive_messages", _("Sensitive messages")
    EVERYONE = "everyone", _("Everyone")


class AccessOutcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    REFUSED = "refused", _("Refused")


#: The register of purposes (key, name, description, roles allowed by default).
PURPOSES = (
    (
        "support",
        "Customer support",
        "Helping the customer with the case in front of us.",
        ("Admin", "Support Agent", "Support Supervisor", "Account Manager", "Integration"),
    ),
    (
        "retention_outreach",
        "Retention outreach",
        "Reaching out to accounts at risk of leaving, to fix what is wrong.",
        ("Admin", "Account Manager", "CX Analyst"),
    ),
    (
        "coaching",
        "Coaching",
        "Reviewing customer outcomes of conversations with the agents who handled them.",
        ("Admin", "Support Supervisor", "Support Agent"),
    ),
    (
        "analytics",
        "Analytics",
        "Aggregate reporting of customer emotion across segments and journeys.",
        ("Admin", "CX Analyst", "Privacy Officer"),
    ),
    (
        "product_research",
        "Product research",
        "Learning what frustrates or delights customers about the product.",
        ("Admin", "CX Analyst"),
    ),
    ("marketing", "Marketing", "Commercial campaigns. Never with a vulnerable customer's emotion data.", ("Admin",)),
    (
        "quality_assurance",
        "Quality assurance",
        "Quality assurance of the emotion model: people label a sample of messages to measure and improve it.",
        ("Admin", "CX Analyst", "Annotator"),
    ),
)
