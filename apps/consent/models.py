"""Consent records: the history of what each contact agreed to, per channel."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.consent.choices import ALL_CHANNELS, CHANNEL_CHOICES, ConsentOrigin, ConsentStatus
from apps.core.models import BaseModel


class ConsentRecord(BaseModel):
    """One statement of consent (or its withdrawal) by a contact for a channel.

    Records are never edited to change their meaning: a new statement is a new record, and the
    latest record per channel is in force.
    """

    restrict_via = "contact"

    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="consent_records")
    channel = models.CharField(_("channel"), max_length=20, choices=CHANNEL_CHOICES, default=ALL_CHANNELS)
    status = models.CharField(_("status"), max_length=12, choices=ConsentStatus.choices)
    origin = models.CharField(_("recorded through"), max_length=12, choices=ConsentOrigin.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["contact", "channel", "-recorded_at"], name="consent_latest")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.channel}: {self.get_status_display()}"
