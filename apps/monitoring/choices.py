"""Fixed vocabularies of the model monitoring app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutcomeKind(models.TextChoices):
    """What happened to an account's business with us."""

    CHURNED = "churned", _("Churned")
    RENEWED = "renewed", _("Renewed")
    EXPANDED = "expanded", _("Expanded")
    CONTRACTED = "contracted", _("Contracted")


class OutcomeSource(models.TextChoices):
    """How an outcome reached us."""

    API = "api", _("API")
    CSV = "csv", _("CSV import")
    ADMIN = "admin", _("Admin")


class ReferenceMode(models.TextChoices):
    """Which weeks drift is measured against."""

    FIRST_WEEKS = "first_weeks", _("The first N weeks of messages the model version scored")
    FIXED = "fixed", _("A fixed date range")


class DriftStatus(models.TextChoices):
    OK = "ok", _("Stable")
    WATCH = "watch", _("Watch")
    DRIFT = "drift", _("Drift")
    INSUFFICIENT = "insufficient", _("Too few messages")
    NO_REFERENCE = "no_reference", _("No reference yet")


class DriftAlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
