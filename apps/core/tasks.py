"""Queueing helpers shared by every app: jobs that record who asked for them in the audit log."""

from __future__ import annotations

from django.utils.module_loading import import_string
from django_q.tasks import async_task

from apps.core.audit import acting_as


def run_audited(func_path: str, actor_id: int | None, *args, **kwargs):
    """q2 task: call ``func_path`` with audit entries attributed to ``actor_id``."""
    with acting_as(actor_id):
        return import_string(func_path)(*args, **kwargs)


def enqueue_audited(func_path: str, *args, actor=None, **kwargs) -> str:
    """Queue ``func_path(*args, **kwargs)``; changes it makes are audited as ``actor`` (a user or None)."""
    actor_id = getattr(actor, "pk", actor)
    return async_task("apps.core.tasks.run_audited", func_path, actor_id, *args, **kwargs)
