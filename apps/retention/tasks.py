"""Background jobs of the retention app: thin, take ids, safe to run twice."""

from __future__ import annotations

from apps.retention import services
from apps.retention.choices import RunStatus


def run_retention(actor_id: int | None = None) -> str:
    """Periodic (daily), or queued from the admin: one real retention run.

    Safe to run twice: a copy that starts while another runs records a skipped run and does
    nothing, and a second run after the first finds nothing more to purge.
    """
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = services.retention_run(dry_run=False, actor=actor)
    if run.status == RunStatus.FAILED:
        raise RuntimeError(f"Retention run #{run.pk} failed: {run.error}")
    return f"retention run #{run.pk} {run.status}: {run.totals}"
