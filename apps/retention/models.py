"""Retention policies, legal holds, the runs that purge per policy, and the ledger of what they anonymised."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel
from apps.retention.choices import AnonymisedBecause, RetentionAction, RunStatus, Sensitivity
from apps.sources.choices import Platform, SourceKind

#: The counts key of content purged because it expired, whatever the policy; no policy may be called this.
EPHEMERAL_KEY = "ephemeral"
#: A hundred years: more than any policy means, and small enough for date arithmetic never to overflow.
MAX_DAYS = 36500


class RetentionPolicy(BaseModel):
    """How long one kind of message keeps its text and its scores, and what happens to it then.

    Scope fields left blank match anything. When several active policies match a message, the one
    with the lowest priority governs it, alone.
    """

    name = models.CharField(
        _("name"), max_length=120, unique=True, help_text=_("Also the key of this policy's counts in each run.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("Switch a policy on after its dry run showed what it would do.")
    )
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower wins when several active policies match a message.")
    )
    source_kind = models.CharField(_("source kind"), max_length=20, choices=SourceKind.choices, blank=True)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, blank=True)
    segment = models.ForeignKey(
        "crm.Segment",
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention_policies",
        help_text=_("Messages of accounts in this segment."),
    )
    sensitivity = models.CharField(
        _("sensitivity"), max_length=30, choices=Sensitivity.choices, default=Sensitivity.ANY
    )
    keep_text_days = models.PositiveIntegerField(
        _("keep text (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_DAYS)],
        help_text=_("Blank: keep the text. Older messages are anonymised or deleted (see action)."),
    )
    keep_scores_days = models.PositiveIntegerField(
        _("keep scores (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_DAYS)],
        help_text=_("Blank: keep the scores. Emotion scores of older messages are deleted."),
    )
    action = models.CharField(
        _("action"), max_length=12, choices=RetentionAction.choices, default=RetentionAction.ANONYMISE
    )

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.keep_text_days is None and self.keep_scores_days is None:
            raise ValidationError(_("Say how long to keep the text, the scores, or both."))
        for name in ("keep_text_days", "keep_scores_days"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValidationError({name: _("Days cannot be negative.")})
        if (self.name or "").strip().lower() == EPHEMERAL_KEY:
            raise ValidationError({"name": _("'ephemeral' is reserved for expired ephemeral content.")})

    def scope_q(self) -> Q:
        """The messages in this policy's scope (a Q on Message), whatever other policies say."""
        q = Q()
        if self.source_kind:
            q &= Q(source__kind=self.source_kind)
        if self.platform:
            # A message's own platform wins; else it was posted where its source lives.
            q &= Q(platform=self.platform) | Q(platform="", source__platform=self.platform)
        if self.segment_id:
            q &= Q(account__segment_id=self.segment_id)
        if self.sensitivity == Sensitivity.SENSITIVE_ONLY:
            q &= Q(is_sensitive=True)
        elif self.sensitivity == Sensitivity.VULNERABLE_CONTACTS_ONLY:
            q &= Q(contact__is_vulnerable=True)
        return q

    @property
    def scope_label(self) -> str:
        """The scope in words, for lists."""
        parts = []
        if self.source_kind:
            parts.append(self.get_source_kind_display())
        if self.platform:
            parts.append(self.get_platform_display())
        if self.segment_id:
            parts.append(f"segment {self.segment}")
        if self.sensitivity != Sensitivity.ANY:
            parts.append(self.get_sensitivity_display())
        return ", ".join(str(p) for p in parts) or str(_("all messages"))


class LegalHold(BaseModel):
    """Data that must not be purged: an account's, a contact's or a source's messages, or where they meet.

    Each scope field set narrows the hold (account and source: that account's messages from that source).
    A held message is never anonymised or deleted by retention, nor by erasure elsewhere.
    The scoped rows are protected from deletion while the hold exists.
    """

    reason = models.CharField(_("reason"), max_length=500, help_text=_("The matter or request it is for."))
    account = models.ForeignKey(
        "crm.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    source = models.ForeignKey(
        "sources.Source",
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Clear it to release the hold."))
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True, help_text=_("Blank: until released."))

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"{self.reason} ({self.scope_label})"

    @property
    def scope_label(self) -> str:
        parts = [
            f"{label} {obj}"
            for label, obj in (("account", self.account), ("contact", self.contact), ("source", self.source))
            if obj is not None
        ]
        return ", ".join(parts)

    def in_force(self, now=None) -> bool:
        """Whether the hold applies at ``now``."""
        now = now or timezone.now()
        return self.is_active and self.starts_at <= now and (self.ends_at is None or self.ends_at > now)

    def message_q(self) -> Q:
        """The messages this hold covers (a Q on Message)."""
        q = Q()
        for name in ("account_id", "contact_id", "source_id"):
            value = getattr(self, name)
            if value is not None:
                q &= Q(**{name: value})
        return q

    def clean(self) -> None:
        if not (self.account_id or self.contact_id or self.source_id):
            raise ValidationError(_("Hold an account, a contact or a source (at least one)."))
        if self.account_id and self.contact_id and self.contact.account_id != self.account_id:
            raise ValidationError({"contact": _("The contact belongs to another account.")})
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A hold ends after it starts.")})


class RetentionRun(BaseModel):
    """One pass of the retention job, real or dry, with what it did (or would do) per policy."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank: the daily schedule."),
    )
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING)
    counts = models.JSONField(
        _("counts"),
        default=dict,
        blank=True,
        help_text=_('Per policy name (and "ephemeral"): text_anonymised, messages_deleted, scores_deleted, held.'),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        permissions = [("run_retention", "Can run retention now")]
        constraints = [
            # The claim: a second real run cannot start while one is running (the insert fails).
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running", dry_run=False),
                name="retention_one_real_run_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        kind = "dry run" if self.dry_run else "run"
        return f"Retention {kind} {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def totals(self) -> dict[str, int]:
        """The counts summed over every policy and the ephemeral purge."""
        totals: dict[str, int] = {}
        for per_key in (self.counts or {}).values():
            for name, n in per_key.items():
                totals[name] = totals.get(name, 0) + n
        return totals


class AnonymisedMessage(BaseModel):
    """The ledger of what retention anonymised: no content, only which policy and run, and when.

    It marks the message as done (a second run leaves it alone) and keeps it under the policy that
    anonymised it: detaching the contact must not move a vulnerable contact's message to a laxer policy.
    Written in bulk, one row per message, so not diffed in the audit log; the run records the counts.
    """

    message = models.OneToOneField(
        "sources.Message", verbose_name=_("message"), on_delete=models.CASCADE, related_name="anonymisation"
    )
    policy = models.ForeignKey(
        RetentionPolicy,
        verbose_name=_("policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="anonymised_messages",
        help_text=_("Blank: no policy governed it (ephemeral content), or the policy was deleted."),
    )
    run = models.ForeignKey(
        RetentionRun, verbose_name=_("run"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    because = models.CharField(_("because"), max_length=12, choices=AnonymisedBecause.choices)
    anonymised_at = models.DateTimeField(_("anonymised at"), default=timezone.now)

    class Meta:
        verbose_name = _("anonymised message")
        verbose_name_plural = _("anonymised messages")

    def __str__(self) -> str:
        return f"message {self.message_id} ({self.because})"
