"""The consent check: may this contact's message from this channel be analysed?"""

from __future__ import annotations

from collections.abc import Iterable

from apps.consent.choices import ALL_CHANNELS, ConsentStatus, Verdict
from apps.consent.models import ConsentRecord


def consent_states(contact_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """For each contact, the status in force per channel (latest record wins), in one query."""
    states: dict[int, dict[str, str]] = {}
    rows = (
        ConsentRecord.objects.filter(contact_id__in=set(contact_ids))
        .order_by("contact_id", "channel", "-recorded_at", "-id")
        .values_list("contact_id", "channel", "status")
    )
    for contact_id, channel, status in rows:
        states.setdefault(contact_id, {}).setdefault(channel, status)
    return states


def verdict(states: dict[str, str] | None, *, channel: str, requires_opt_in: bool) -> str:
    """The verdict for one message, from its contact's states (``consent_states()[contact_id]``).

    An opt-out for all channels, or for this one, overrides any opt-in. A source that requires
    opt-in (passive email tone analysis, say) analyses only contacts who opted in for it or for all.
    Messages with no known contact are analysed only where no opt-in is required.
    """
    states = states or {}
    if ConsentStatus.OPTED_OUT in (states.get(ALL_CHANNELS), states.get(channel)):
        return Verdict.OPTED_OUT
    if requires_opt_in and ConsentStatus.OPTED_IN not in (states.get(ALL_CHANNELS), states.get(channel)):
        return Verdict.NO_OPT_IN
    return Verdict.ANALYSE


def contact_verdict(contact_id: int | None, *, channel: str, requires_opt_in: bool) -> str:
    """``verdict`` for a single contact (one query)."""
    states = consent_states([contact_id]).get(contact_id) if contact_id else None
    return verdict(states, channel=channel, requires_opt_in=requires_opt_in)
