"""Reads of the sources app, restricted to the user."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.sources.models import DeadLetter, Message, Source


def message_list(*, user) -> QuerySet[Message]:
    """Messages of the accounts ``user`` may see, newest first."""
    return Message.objects.select_related("source", "account", "contact").restrict(user, "view")


def source_list(*, user) -> QuerySet[Source]:
    return Source.objects.restrict(user, "view")


def dead_letter_list(*, user) -> QuerySet[DeadLetter]:
    return DeadLetter.objects.select_related("source").restrict(user, "view")
