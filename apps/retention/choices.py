"""Fixed vocabularies of the retention app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    """Which messages a policy covers by sensitivity."""

    ANY = "any", _("Any message")
    SENSITIVE_ONLY = "sensitive_only", _("Sensitive messages only")
    VULNERABLE_CONTACTS_ONLY = "vulnerable_contacts_only", _("Messages of vulnerable contacts only")


class RetentionAction(models.TextChoices):
    """What happens to a message's content once it is older than the policy keeps text."""

    ANONYMISE = "anonymise", _("Anonymise (keep the row and its aggregate-safe fields)")
    DELETE = "delete", _("Delete the message (its scores go with it)")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (another run was in progress)")


class AnonymisedBecause(models.TextChoices):
    """Why retention anonymised a message."""

    POLICY = "policy", _("Older than its policy keeps text")
    EPHEMERAL = "ephemeral", _("Ephemeral content past its expiry")
