"""Factories and helpers of the validation tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.scoring.engines.base import BASE_LABELS
from apps.scoring.models import EmotionScore
from tests.factories import MessageFactory


def scored_message(account=None, *, dominant: str = "neutral", confidence: float = 0.8, at=None, **fields):
    """A customer message with a current score (``dominant`` at ``confidence``)."""
    at = at or timezone.now() - dt.timedelta(hours=1)
    fields.setdefault("status", "scored")
    message = MessageFactory(**({"account": account} if account is not None else {}), created_at_source=at, **fields)
    rest = (1 - confidence) / (len(BASE_LABELS) - 1)
    EmotionScore.objects.create(
        message=message,
        account=message.account,
        message_created_at=at,
        engine="lexicon",
        model_version="test-v1",
        scores={label: (confidence if label == dominant else rest) for label in BASE_LABELS},
        business_scores={},
        dominant=dominant,
        confidence=confidence,
        valence=0.0,
        intensity=confidence,
    )
    return message
