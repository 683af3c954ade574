"""Audit helpers: who is acting when there is no request (background tasks, commands)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from auditlog.context import auditlog_value, set_actor
from django.contrib.auth import get_user_model


@contextlib.contextmanager
def acting_as(user_or_id) -> Iterator[None]:
    """Record ``user_or_id`` as the actor of every audit entry written inside the block."""
    user = user_or_id
    if user is not None and not isinstance(user, get_user_model()):
        user = get_user_model().objects.filter(pk=user_or_id).first()
    if user is None:
        yield
        return
    with set_actor(user):
        yield


def record_actor(user) -> None:
    """Name ``user`` as the actor for the rest of the current request's audit context.

    The auditlog middleware runs before DRF authenticates a token, so it saw an anonymous user;
    this fills the actor in once the token is known.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None and user is not None and user.is_authenticated:
        context["actor"] = user


def mask_fully(value: str) -> str:
    """Audit diffs of personal fields show that something changed, never what it said (not even half of it)."""
    return "[masked]" if value not in (None, "", "None") else value
