"""Helpers for the CRM workspace tests: scored customer messages made directly, at chosen days."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from apps.scoring.models import EmotionScore
from tests.factories import MessageFactory

_seq = itertools.count()
LABELS = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")


def at_day(days_ago: int, hour: int = 12) -> dt.datetime:
    """Noon (local time) ``days_ago`` days before today."""
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def scored(
    account,
    *,
    days_ago: int = 0,
    dominant: str = "neutral",
    valence: float = 0.0,
    intensity: float = 0.5,
    business: str = "",
    stage: str = "",
    contact=None,
    status: str = "scored",
    score_status: str = "scored",
    text: str = "",
    explanation: dict | None = None,
    model_version: str = "test",
    is_current: bool = True,
    **message_fields,
):
    """A stored customer message with one score (``dominant`` at ``intensity``), ``days_ago`` days back."""
    at = message_fields.pop("at", None) or at_day(days_ago)
    message = MessageFactory(
        account=account,
        contact=contact,
        created_at_source=at,
        status=status,
        journey_stage=stage,
        text=text or f"Customer message {next(_seq)} feeling {dominant}.",
        **message_fields,
    )
    EmotionScore.objects.create(
        message=message,
        account=account,
        message_created_at=at,
        engine="lexicon",
        model_version=model_version,
        status=score_status,
        scores={label: (intensity if label == dominant else 0.02) for label in LABELS},
        business_scores={business: 0.7} if business else {},
        dominant=dominant if score_status == "scored" else "",
        dominant_business=business,
        valence=valence if score_status == "scored" else None,
        intensity=intensity,
        explanation=explanation
        if explanation is not None
        else {"drivers": [{"term": "again", "label": dominant, "weight": 0.6, "source": "lexicon"}]},
        is_current=is_current,
    )
    return message


def ensure_taxonomy() -> None:
    """The default emotion taxonomy (response templates target its keys; names and tie-breaks read it).

    A transactional test that ran earlier in the same process may have flushed the migration's rows, as
    ``purposes_switched_on`` notes for the purpose register; putting them back is idempotent."""
    import importlib

    from django.apps import apps as registry

    from apps.scoring.taxonomy import invalidate

    importlib.import_module("apps.scoring.migrations.0002_default_taxonomy").forwards(registry, None)
    invalidate()
