"""Background jobs of the CRM app."""

from __future__ import annotations

from apps.crm import services


def rebuild_emotion_rollups(account_ids: list[int] | None = None) -> int:
    """Nightly: rebuild the per-account daily emotion rollups from the current scores (idempotent)."""
    return services.account_rollups_rebuild(account_ids=account_ids)
