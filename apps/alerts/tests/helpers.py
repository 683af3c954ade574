"""Helpers for the alerts tests: rules and scored messages made directly, at chosen times."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from apps.alerts.models import AlertRule
from apps.scoring.models import EmotionScore
from tests.factories import MessageFactory, SourceFactory

_seq = itertools.count()
LABELS = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")


def rule(**fields) -> AlertRule:
    defaults = {"name": f"rule {next(_seq)}", "is_active": True, "condition": "threshold", "label": "anger"}
    made = AlertRule(**{**defaults, **fields})
    made.full_clean()
    made.save()
    return made


def scored(account, *, at: dt.datetime | None = None, dominant: str = "neutral", value: float = 0.9, **message_fields):
    """A stored customer message with a current score: ``dominant`` at ``value``, the rest shared out."""
    at = at or timezone.now()
    rest = (1 - value) / (len(LABELS) - 1)
    scores = {label: (value if label == dominant else rest) for label in LABELS}
    message = MessageFactory(account=account, created_at_source=at, status="scored", **message_fields)
    EmotionScore.objects.create(
        message=message,
        account=account,
        message_created_at=at,
        engine="lexicon",
        model_version="test",
        scores=scores,
        business_scores={},
        dominant=dominant,
        valence=-0.8 if dominant in ("anger", "disgust", "sadness", "fear") else 0.5,
        intensity=value,
    )
    return message


def social_source():
    return SourceFactory(slug="social-x", kind="social", platform="x")
