"""Fixed vocabularies of the scoring app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """The business outcome a business emotion signals."""

    CHURN_RISK = "churn_risk", _("Churn risk")
    RETENTION = "retention", _("Retention")
    EXPANSION = "expansion", _("Expansion")


class Direction(models.TextChoices):
    RAISES = "raises", _("raises")
    LOWERS = "lowers", _("lowers")


class EngineName(models.TextChoices):
    LINEAR = "linear", _("Default (linear n-gram model, shipped)")
    LEXICON = "lexicon", _("Lexicon (VADER + NRC)")
    TRANSFORMERS = "transformers", _("Transformers (local Hugging Face model)")


class LexiconKind(models.TextChoices):
    JARGON = "jargon", _("Industry jargon")
    PRODUCT = "product", _("Product name")
    SARCASM = "sarcasm", _("Sarcasm cue")
    SLANG = "slang", _("Platform slang")
    OTHER = "other", _("Other")


class ScoreStatus(models.TextChoices):
    SCORED = "scored", _("Scored")
    TRUNCATED = "truncated", _("Scored (text truncated)")
    UNSCORABLE = "unscorable", _("Unscorable")
    UNSUPPORTED_LANGUAGE = "unsupported_language", _("Language not supported")
