"""Helpers for the coaching tests: teams, agents, and threads of customer and agent messages at chosen times."""

from __future__ import annotations

import datetime as dt
import itertools

from apps.coaching import services
from apps.scoring.models import EmotionScore
from tests.factories import MessageFactory, UserFactory

_seq = itertools.count()
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def team_with(name: str, *, supervisors=(), agents=()):
    """A team supervised by ``supervisors``; ``agents`` are (username, handle) pairs. Returns (team, profiles)."""
    team = services.team_save(name=name, supervisors=list(supervisors))
    profiles = [
        services.agent_profile_save(user=UserFactory(username=username), team=team, handles=[handle])
        for username, handle in agents
    ]
    return team, profiles


def customer_says(source, thread: str, at, *, account, contact=None, valence=None, dominant="neutral", **fields):
    """A customer message in ``thread``; with ``valence``, a current score too (the customer's words only)."""
    message = MessageFactory(
        source=source,
        account=account,
        contact=contact,
        thread_id=thread,
        created_at_source=at,
        author_role="customer",
        author_handle=contact.email if contact else "someone@customer.example",
        status="scored" if valence is not None else "received",
        external_id=f"c-{next(_seq)}",
        **fields,
    )
    if valence is not None:
        EmotionScore.objects.create(
            message=message,
            account=account,
            message_created_at=at,
            engine="lexicon",
            model_version="test",
            scores={dominant: 0.9},
            business_scores={},
            dominant=dominant,
            valence=valence,
            intensity=0.8,
        )
    return message


def agent_says(source, thread: str, at, *, handle: str, account, text: str = "Here is how to do it.", **fields):
    """An agent's reply in ``thread`` (never scored: status not_scored, as ingestion leaves it)."""
    return MessageFactory(
        source=source,
        account=account,
        thread_id=thread,
        created_at_source=at,
        author_role="agent",
        author_handle=handle,
        text=text,
        status="not_scored",
        external_id=f"a-{next(_seq)}",
        **fields,
    )
