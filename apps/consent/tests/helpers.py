"""Shared test data for the consent tests: a customer with scored messages on two channels."""

from __future__ import annotations

from django.test import override_settings

from apps.scoring.models import EmotionScore
from apps.sources import services as sources
from apps.sources.models import Message
from tests.factories import SourceFactory

LEXICON = override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})


def ingest(testcase, source, *items: dict):
    """Ingest ``items`` into ``source`` and run the scoring queued on commit (django-q runs in-process)."""
    with testcase.captureOnCommitCallbacks(execute=True):
        return sources.messages_ingest(source=source, items=list(items), channel="api")


def item(external_id: str, email: str, text: str = "The export keeps failing, I am furious.", **extra) -> dict:
    return {"external_id": external_id, "text": text, "author": {"email": email, "role": "customer"}, **extra}


def extra_version(message: Message, version: str = "lexicon-old") -> EmotionScore:
    """An older model version's score of ``message``: history an opt-out must delete too."""
    return EmotionScore.objects.create(
        message=message,
        account_id=message.account_id,
        message_created_at=message.created_at_source,
        engine="lexicon",
        model_version=version,
        scores={"anger": 0.7},
        dominant="anger",
        explanation={"terms": ["failing"]},
        is_current=False,
    )


def sources_pair():
    """A helpdesk (tickets) and a review site."""
    return (
        SourceFactory(slug="helpdesk", name="Helpdesk", kind="ticketing", platform="zendesk"),
        SourceFactory(slug="reviews", name="Reviews", kind="review", platform="trustpilot"),
    )
