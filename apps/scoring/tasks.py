"""Background jobs of the scoring app: thin, take ids, safe to run twice."""

from __future__ import annotations

from collections.abc import Sequence

from django_q.tasks import async_task

from apps.scoring import services

BATCH = 500


def score_messages(message_ids: Sequence[int]) -> dict[str, int]:
    """q2 task: score these messages with the active engine, then queue the alert evaluation of them."""
    counts = services.messages_score(message_ids=message_ids)
    ids = list(message_ids)
    if ids:
        async_task("apps.alerts.tasks.evaluate_messages", ids, group="alerts")
    return counts


def enqueue_scoring(message_ids: Sequence[int]) -> int:
    """Queue scoring for ``message_ids`` in batches; returns how many tasks were queued."""
    ids = list(message_ids)
    for start in range(0, len(ids), BATCH):
        async_task("apps.scoring.tasks.score_messages", ids[start : start + BATCH], group="scoring")
    return (len(ids) + BATCH - 1) // BATCH
