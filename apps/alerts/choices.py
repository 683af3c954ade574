"""Fixed vocabularies of the alerts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """Which messages a rule looks at."""

    ALL = "all", _("All messages")
    SEGMENT = "segment", _("One segment")
    TIER = "tier", _("One account tier")
    KEY_ACCOUNTS = "key_accounts", _("Key accounts")
    SOURCE_KIND = "source_kind", _("One source kind")
    PLATFORM = "platform", _("One platform")
    JOURNEY_STAGE = "journey_stage", _("One journey stage")


class Condition(models.TextChoices):
    THRESHOLD = "threshold", _("Threshold: one message's emotion above a level")
    SPIKE = "spike", _("Spike: an emotion's share in a window above the segment baseline")
    DISENGAGEMENT = "disengagement", _("Disengagement: a key account going quiet or trending negative")
    VIRAL = "viral", _("Viral narrative: negative social mentions on one theme growing fast")


class LabelKind(models.TextChoices):
    BASE = "base", _("Base emotion")
    BUSINESS = "business", _("Business emotion")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class OwnerRole(models.TextChoices):
    """Who owns an alert at one escalation level."""

    ACCOUNT_MANAGER = "account_manager", _("The account manager of the alert's account")
    USER = "user", _("A named user")
    GROUP = "group", _("A group (customer success, support, executive outreach, …)")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRIGGERED = "triggered", _("Triggered again")
    TRANSITION = "transition", _("Status changed")
    ESCALATED = "escalated", _("Escalated")
    NOTIFIED = "notified", _("Notified")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")
