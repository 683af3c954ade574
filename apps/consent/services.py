"""Writes of the consent app."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.consent.choices import ALL_CHANNELS, ConsentStatus
from apps.consent.models import ConsentRecord


@transaction.atomic
def consent_record(
    *, contact, status: str, origin: str, channel: str = ALL_CHANNELS, note: str = "", recorded_at=None
) -> ConsentRecord:
    """Record a statement of consent or its withdrawal; the latest one per channel is in force."""
    record = ConsentRecord(
        contact=contact,
        status=status,
        origin=origin,
        channel=channel,
        note=note,
        recorded_at=recorded_at or timezone.now(),
    )
    record.full_clean()
    record.save()
    return record


def consent_opt_out(*, contact, origin: str, channel: str = ALL_CHANNELS, note: str = "") -> ConsentRecord:
    """Withdraw consent for ``channel`` (default: every channel)."""
    return consent_record(contact=contact, status=ConsentStatus.OPTED_OUT, origin=origin, channel=channel, note=note)


def consent_opt_in(*, contact, origin: str, channel: str = ALL_CHANNELS, note: str = "") -> ConsentRecord:
    """Give consent for ``channel``."""
    return consent_record(contact=contact, status=ConsentStatus.OPTED_IN, origin=origin, channel=channel, note=note)
