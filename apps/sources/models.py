"""Where communications come from, the messages themselves, and what could not be accepted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel
from apps.crm.choices import JourneyStage
from apps.sources.choices import AuthorRole, DeadLetterStatus, MessageStatus, Platform, SourceKind


class Source(BaseModel):
    """A channel we receive customer communications from (a helpdesk, a social listening feed, …)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Used in webhook URLs."))
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, default=Platform.OTHER)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive sources refuse new messages."))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class Message(BaseModel):
    """One communication: a ticket comment, a post, a review, an email, a survey answer.

    Visible with its account (``restrict_via``); a message with no account only to holders of the
    model-wide permission.
    """

    restrict_via = "account"

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="messages")
    external_id = models.CharField(_("external id"), max_length=200, help_text=_("The id at the source."))
    account = models.ForeignKey(
        "crm.Account",
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    author_role = models.CharField(
        _("author role"), max_length=10, choices=AuthorRole.choices, default=AuthorRole.CUSTOMER
    )
    author_handle = models.CharField(_("author handle"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True, help_text=_("ISO 639-1 code, if known."))
    journey_stage = models.CharField(_("journey stage"), max_length=20, choices=JourneyStage.choices, blank=True)
    thread_id = models.CharField(_("thread id"), max_length=200, blank=True, db_index=True)
    created_at_source = models.DateTimeField(_("created at source"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    status = models.CharField(_("status"), max_length=24, choices=MessageStatus.choices, default=MessageStatus.RECEIVED)

    class Meta:
        ordering = ["-created_at_source", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="sources_message_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at_source"], name="sources_msg_account_time"),
            models.Index(fields=["source", "-created_at_source"], name="sources_msg_source_time"),
            models.Index(fields=["status"], name="sources_msg_status"),
        ]

    def __str__(self) -> str:
        return f"{self.source.slug}:{self.external_id}"

    @property
    def is_customer_written(self) -> bool:
        return self.author_role == AuthorRole.CUSTOMER

    def clean(self) -> None:
        if self.contact_id and self.account_id and self.contact.account_id != self.account_id:
            raise ValidationError({"contact": _("The contact belongs to another account.")})
        if self.contact_id and not self.account_id:
            self.account_id = self.contact.account_id


class DeadLetter(BaseModel):
    """A payload we could not accept, kept with the reason so that nothing is lost silently."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.SET_NULL, null=True, blank=True, related_name="dead_letters"
    )
    channel = models.CharField(_("channel"), max_length=40, help_text=_("How it arrived: api, webhook, connector, …"))
    payload = models.JSONField(
        _("payload"), null=True, blank=True, help_text=_("The item as received, when it was JSON.")
    )
    raw_body = models.TextField(
        _("raw body"), blank=True, help_text=_("The bytes as received, when they were not JSON.")
    )
    reason = models.CharField(_("reason"), max_length=255)
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DeadLetterStatus.choices, default=DeadLetterStatus.NEW
    )
    attempts = models.PositiveIntegerField(_("replay attempts"), default=0)
    replayed_at = models.DateTimeField(_("replayed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        indexes = [models.Index(fields=["status", "-created"], name="sources_dl_status_time")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.reason}"
