"""Fixed vocabularies of the validation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Strategy(models.TextChoices):
    """How the messages of an annotation batch are drawn."""

    RANDOM = "random", _("Random")
    STRATIFIED = "stratified", _("Stratified by predicted emotion")
    LOW_CONFIDENCE = "low_confidence", _("Lowest model confidence first")
    PLATFORM = "platform", _("One platform")
    FEEDBACK = "feedback", _("Flagged by frontline feedback")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Waiting for annotations")
    ADJUDICATION = "adjudication", _("Annotators disagree: waiting for adjudication")
    GOLD = "gold", _("Gold label decided")
    DISCARDED = "discarded", _("Discarded (no usable label)")


class SkipReason(models.TextChoices):
    UNCLEAR = "unclear", _("Unclear")
    NOT_ENGLISH = "not_english", _("Not English")
    NOT_CUSTOMER = "not_customer", _("Not customer text")
    OFFENSIVE = "offensive", _("Offensive")
    OTHER = "other", _("Other")


class GoldSource(models.TextChoices):
    UNANIMOUS = "unanimous", _("Unanimous annotators")
    ADJUDICATED = "adjudicated", _("Adjudicated")
    FEEDBACK_CONFIRMED = "feedback_confirmed", _("Frontline feedback, confirmed")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New (weak label, not yet in a batch)")
    QUEUED = "queued", _("In an annotation batch")
    CONFIRMED = "confirmed", _("Confirmed by the gold label")
    REJECTED = "rejected", _("Not confirmed by the gold label")


class EvaluationKind(models.TextChoices):
    MANUAL = "manual", _("Manual")
    BASELINE = "baseline", _("Calibration: current model (shadow)")
    CANDIDATE = "candidate", _("Calibration: candidate (shadow)")


class CalibrationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    ACTIVATED = "activated", _("Candidate activated")
    REFUSED = "refused", _("Candidate refused (worse than the active model)")
    FAILED = "failed", _("Failed")


class ActivationReason(models.TextChoices):
    CALIBRATION = "calibration", _("Calibration")
    ROLLBACK = "rollback", _("Rollback")
