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
        permissions = [("handle_subject_request", "Can export or erase everything held about a data subject")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.channel}: {self.get_status_display()}"


class OptOutRequest(BaseModel):
    """A request for an opt-out link, made on the public portal; the emailed link works once, for 48 hours.

    Made only for addresses we know (the portal answers the same either way). The address is kept
    only until the link is used; its keyed digest stays, so an erasure can find the row.
    """

    email = models.EmailField(_("email"), blank=True, help_text=_("Cleared once the link is used."))
    email_digest = models.CharField(_("email digest"), max_length=64, db_index=True, editable=False)
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    sent_at = models.DateTimeField(_("link sent at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("opt-out request")
        verbose_name_plural = _("opt-out requests")

    def __str__(self) -> str:
        return f"Opt-out request {self.pk}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())


class ErasedSubject(BaseModel):
    """Someone whose data was erased. Only a keyed digest of their email is kept (a suppression list), so
    that a later message from that address is still treated as opted out."""

    email_digest = models.CharField(_("email digest"), max_length=64, unique=True, editable=False)
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)

    class Meta:
        ordering = ["-erased_at", "-id"]
        verbose_name = _("erased subject")
        verbose_name_plural = _("erased subjects (suppression list)")

    def __str__(self) -> str:
        return f"Erased subject {self.pk} ({self.erased_at:%Y-%m-%d})"
