"""Fixed vocabularies of the coaching app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    """A coaching review is written as a draft, shared with the agent, then signed by both."""

    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared with the agent")
    SIGNED = "signed", _("Signed by both")


class TeamReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
