"""q2 tasks of the model monitoring app."""

from __future__ import annotations


def compute_last_week_drift() -> int:
    """Weekly: the drift reports of the last complete ISO week (recomputing updates them; alerts are raised once)."""
    from apps.monitoring.services import drift_last_week_compute

    return drift_last_week_compute()
