"""Reads of the scoring app, restricted to the user."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.scoring.models import EmotionScore


def score_list(*, user, current_only: bool = True) -> QuerySet[EmotionScore]:
    """Emotion scores of the messages ``user`` may see (the current version unless asked otherwise)."""
    queryset = EmotionScore.objects.restrict(user, "view")
    return queryset.filter(is_current=True) if current_only else queryset
