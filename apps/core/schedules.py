"""Every periodic job, declared in one place. ``manage.py migrate`` (post_migrate) keeps q2's schedule table in step."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    name: str
    func: str
    minutes: int  # run every this many minutes


PERIODIC_JOBS: tuple[Periodic, ...] = (
    Periodic("poll due pull connectors", "apps.sources.tasks.poll_due_connectors", 1),
    Periodic("recompute platform baselines", "apps.sources.tasks.recompute_platform_baselines", 60),
    Periodic("purge expired idempotency keys", "apps.sources.tasks.purge_idempotency_keys", 60),
    Periodic("daily retention purge", "apps.retention.tasks.run_retention", 1440),
    Periodic("purge used and expired opt-out requests", "apps.consent.tasks.purge_optout_requests", 1440),
    Periodic("escalate alerts past their SLA", "apps.alerts.tasks.escalate_due", 1),
    Periodic("retry alert webhooks", "apps.alerts.tasks.retry_webhooks", 1),
    Periodic("recompute alert baselines", "apps.alerts.tasks.recompute_baselines", 60),
    Periodic("check key-account disengagement", "apps.alerts.tasks.check_disengagement", 1440),
    Periodic("compute last week's model drift", "apps.monitoring.tasks.compute_last_week_drift", 10080),
    Periodic("rebuild account emotion rollups", "apps.crm.tasks.rebuild_emotion_rollups", 1440),
)


def sync_schedules(**kwargs) -> None:
    """Create or update a q2 schedule per job; remove our schedules that are no longer declared."""
    from django_q.models import Schedule

    names = set()
    for job in PERIODIC_JOBS:
        names.add(job.name)
        Schedule.objects.update_or_create(
            name=job.name,
            defaults={"func": job.func, "schedule_type": Schedule.MINUTES, "minutes": job.minutes, "repeats": -1},
        )
    Schedule.objects.filter(func__startswith="apps.").exclude(name__in=names).delete()
