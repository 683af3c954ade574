"""Background jobs of the sources app: thin, take ids, safe to run twice."""

from __future__ import annotations

from apps.sources import connectors, services


def poll_connector(connector_id: int) -> str:
    """q2 task: one run of a pull connector (claimed, so a second copy of this task does nothing)."""
    return connectors.connector_poll(connector_id=connector_id)


def poll_due_connectors() -> int:
    """Periodic: queue every connector that is due."""
    return connectors.connectors_poll_due()


def recompute_platform_baselines() -> int:
    """Periodic: the typical raw signal per platform over the last 30 days."""
    return services.platform_baselines_recompute()


def purge_idempotency_keys() -> int:
    """Periodic: forget Idempotency-Keys older than 48 h."""
    from apps.core.api.idempotency import purge_expired

    return purge_expired()
