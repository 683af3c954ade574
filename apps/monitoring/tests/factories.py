"""Factories for the monitoring tests: scored messages with chosen emotions, outcomes."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import types
from collections.abc import Iterator

from django.utils import timezone

from apps.monitoring.models import AccountOutcome
from apps.scoring.models import EmotionScore
from tests.factories import MessageFactory

VERSION = "test-model-1"
VALENCE = {"frustration": -0.7, "disappointment": -0.6, "delight": 0.8, "trust": 0.5, "": 0.0}


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def scored_message(
    *,
    account=None,
    when: dt.datetime,
    dominant: str = "neutral",
    business: str = "",
    valence: float | None = None,
    confidence: float = 0.8,
    version: str = VERSION,
    text: str = "The export keeps failing and nobody answers my ticket.",
    source=None,
    platform: str = "",
    is_current: bool = True,
) -> EmotionScore:
    """A customer message and its stored score, without running an engine."""
    extra = {"source": source} if source is not None else {}
    if account is not None:
        extra["account"] = account
    message = MessageFactory(text=text, created_at_source=when, platform=platform, **extra)
    return EmotionScore.objects.create(
        message=message,
        account=message.account,
        message_created_at=when,
        engine="linear",
        model_version=version,
        scores={dominant: 0.9},
        dominant=dominant,
        dominant_business=business,
        valence=VALENCE.get(business, 0.0) if valence is None else valence,
        confidence=confidence,
        is_current=is_current,
    )


def outcome(*, account, kind: str = "churned", occurred_on: dt.date, value=None) -> AccountOutcome:
    row = AccountOutcome(account=account, kind=kind, occurred_on=occurred_on, value=value, source="admin")
    row.full_clean()
    row.save()
    return row


@contextlib.contextmanager
def fake_validation_selectors(**functions) -> Iterator[None]:
    """Stand in for ``apps.validation.selectors`` (the contract with the validation app) during the block.

    Only that one module entry is swapped and restored: ``mock.patch.dict(sys.modules)`` would also drop every
    module first imported inside the block (numpy cannot be imported twice in one process)."""
    name = "apps.validation.selectors"
    fake = types.ModuleType(name)
    for key, function in functions.items():
        setattr(fake, key, function)
    previous = sys.modules.get(name)
    sys.modules[name] = fake
    try:
        yield
    finally:
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
