"""Background jobs of the alerts app: thin, take ids, safe to run twice."""

from __future__ import annotations

from collections.abc import Sequence

from apps.alerts import services


def evaluate_messages(message_ids: Sequence[int]) -> dict[str, int]:
    """q2 task, queued by scoring: evaluate the active rules on these freshly scored messages."""
    return services.alerts_evaluate(message_ids=message_ids)


def notify_alert(alert_id: int, event: str) -> dict[str, int]:
    """q2 task: email the owner and send the signed webhooks for one alert event."""
    return services.alert_notify(alert_id=alert_id, event=event)


def escalate_due() -> int:
    """Every minute: unacknowledged alerts past their SLA move to the next level."""
    return services.alerts_escalate_due()


def recompute_baselines() -> int:
    """Hourly: rolling emotional profiles per segment and journey stage."""
    return services.baselines_recompute()


def retry_webhooks() -> int:
    """Every minute: webhook deliveries whose backoff has passed."""
    return services.webhooks_retry_due()


def check_disengagement() -> int:
    """Daily: key accounts going quiet or trending negative."""
    return services.disengagement_check()
