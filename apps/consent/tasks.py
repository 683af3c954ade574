"""Background jobs of the consent app: thin, take ids, safe to run twice."""

from __future__ import annotations

from apps.consent import services


def send_optout_link(request_id: int) -> bool:
    """q2 task: issue and email the link of one opt-out request (sends once, however often it runs)."""
    return services.optout_link_send(request_id=request_id)


def purge_optout_requests() -> int:
    """q2 task (periodic): forget opt-out requests whose link expired more than a day ago."""
    return services.optout_requests_purge()
