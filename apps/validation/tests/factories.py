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


#: Invented words no lexicon knows, so only training can teach them.
NONSENSE = {"anger": "zorblax", "joy": "glimmerfy", "sadness": "mournwick", "neutral": "plinthor"}
FILLERS = (
    "the {w} happened again today",
    "honestly {w} is all I can say",
    "we saw {w} at the office",
    "{w} describes this week",
    "my team said {w} twice",
    "another round of {w} here",
    "so much {w} with this release",
    "it was pure {w} this morning",
    "{w} all over the support thread",
    "that felt like {w} to me",
)


def tiny_training_data(folder, *, inverted: bool = False) -> None:
    """A GoEmotions-format folder (train.tsv, dev.tsv, labels.txt) teaching the nonsense words: each word
    means its emotion, or (``inverted``) another one."""
    from pathlib import Path

    from apps.scoring.engines.base import BASE_LABELS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "labels.txt").write_text("\n".join(BASE_LABELS) + "\n", encoding="utf-8")
    labels = list(NONSENSE)
    lines = []
    for i, label in enumerate(labels):
        taught = labels[(i + 1) % len(labels)] if inverted else label
        for filler in FILLERS:
            lines.append(f"{filler.format(w=NONSENSE[label])}\t{BASE_LABELS.index(taught)}\tx{len(lines)}")
    (folder / "train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "dev.tsv").write_text("\n".join(lines[::5]) + "\n", encoding="utf-8")


TINY_PARAMS = {"word_min_df": 1, "char_min_df": 1, "cv_folds": 2}
