"""Alert rules, baselines, alerts and their transitions, escalation policies, notifications and webhooks."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.alerts.choices import (
    AlertStatus,
    Condition,
    DeliveryStatus,
    EventKind,
    LabelKind,
    OwnerRole,
    Scope,
    Severity,
)
from apps.core.models import BaseModel, RestrictedQuerySet
from apps.crm.choices import AccountTier, JourneyStage
from apps.sources.choices import Platform, SourceKind

DEDUP_FIELDS = ("rule", "account", "segment", "label", "thread", "platform", "theme")


class EscalationPolicy(BaseModel):
    """Who owns a trigger, level by level, and how long each level has to acknowledge it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


class EscalationLevel(BaseModel):
    """One step of a policy: its owner and the SLA to acknowledge before the next level takes over."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="levels")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    owner_role = models.CharField(_("owner"), max_length=20, choices=OwnerRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey("auth.Group", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sla_minutes = models.PositiveIntegerField(_("SLA to acknowledge (minutes)"), default=60)

    class Meta:
        ordering = ["policy", "order"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        constraints = [models.UniqueConstraint(fields=["policy", "order"], name="alerts_level_unique_order")]

    def __str__(self) -> str:
        return f"{self.policy} #{self.order}: {self.get_owner_role_display()}"

    def clean(self) -> None:
        if self.owner_role == OwnerRole.USER and not self.user_id:
            raise ValidationError({"user": _("Name the user who owns this level.")})
        if self.owner_role == OwnerRole.GROUP and not self.group_id:
            raise ValidationError({"group": _("Name the group that owns this level.")})


class AlertRule(BaseModel):
    """A condition on emotion signals within a scope, with severity, cooldown and de-duplication."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    is_active = models.BooleanField(_("active"), default=False, help_text=_("Backtest it before switching it on."))
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.ALL)
    segment = models.ForeignKey(
        "crm.Segment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("segment")
    )
    tier = models.CharField(_("account tier"), max_length=20, choices=AccountTier.choices, blank=True)
    source_kind = models.CharField(_("source kind"), max_length=20, choices=SourceKind.choices, blank=True)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, blank=True)
    journey_stage = models.CharField(_("journey stage"), max_length=20, choices=JourneyStage.choices, blank=True)
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices, default=Condition.THRESHOLD)
    label_kind = models.CharField(_("label kind"), max_length=10, choices=LabelKind.choices, default=LabelKind.BASE)
    label = models.CharField(_("emotion"), max_length=40, default="anger", help_text=_("e.g. anger, frustration."))
    threshold = models.FloatField(
        _("threshold"), default=0.8, help_text=_("Threshold: the score to exceed. Viral: the valence to fall below.")
    )
    k_sigma = models.FloatField(_("k (standard deviations)"), null=True, blank=True, default=3.0)
    ratio = models.FloatField(_("or ratio to baseline"), null=True, blank=True)
    window_minutes = models.PositiveIntegerField(_("window (minutes)"), default=60)
    ephemeral_window_minutes = models.PositiveIntegerField(
        _("window for ephemeral content (minutes)"), default=15, help_text=_("Stories and other expiring posts.")
    )
    min_volume = models.PositiveIntegerField(_("minimum volume"), default=10)
    by_journey_stage = models.BooleanField(
        _("per journey stage"), default=False, help_text=_("Spike: compare within segment and journey stage.")
    )
    days = models.PositiveSmallIntegerField(_("N days"), default=14, help_text=_("Disengagement look-back."))
    growth_factor = models.FloatField(_("growth factor"), default=2.0, help_text=_("Viral: window over previous."))
    weight_by_reach = models.BooleanField(_("weight by author reach"), default=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    cooldown_minutes = models.PositiveIntegerField(
        _("cooldown (minutes)"),
        default=240,
        help_text=_("A breach within this time of the last one for the same key is the same incident."),
    )
    escalation_policy = models.ForeignKey(
        EscalationPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="rules"
    )
    dedup_key_template = models.CharField(
        _("de-duplication key"),
        max_length=200,
        blank=True,
        help_text=_(
            "Fields: {rule} {account} {segment} {label} {thread} {platform} {theme}. Blank: per account for "
            "thresholds and disengagement, per segment and emotion for spikes, per theme for viral narratives."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        needs = {
            Scope.SEGMENT: "segment",
            Scope.TIER: "tier",
            Scope.SOURCE_KIND: "source_kind",
            Scope.PLATFORM: "platform",
            Scope.JOURNEY_STAGE: "journey_stage",
        }
        field = needs.get(self.scope)
        if field and not getattr(self, f"{field}_id" if field == "segment" else field):
            raise ValidationError({field: _("This scope needs a value.")})
        if self.condition == Condition.SPIKE and not (self.k_sigma or self.ratio):
            raise ValidationError({"k_sigma": _("A spike needs k standard deviations or a ratio.")})
        try:
            (self.dedup_key_template or "").format(**dict.fromkeys(DEDUP_FIELDS, "x"))
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError({"dedup_key_template": _("Unknown field %s.") % exc}) from None


class Baseline(models.Model):
    """The usual share of an emotion per segment and journey stage ("" = all stages).

    What every spike is measured against."""

    segment = models.ForeignKey("crm.Segment", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    journey_stage = models.CharField(_("journey stage"), max_length=20, blank=True)
    label_kind = models.CharField(_("label kind"), max_length=10, choices=LabelKind.choices, default=LabelKind.BASE)
    label = models.CharField(_("emotion"), max_length=40)
    mean_share = models.FloatField(_("mean share"))
    std = models.FloatField(_("standard deviation"))
    n = models.PositiveIntegerField(_("messages"))
    buckets = models.PositiveIntegerField(_("windows"), default=0)
    window_minutes = models.PositiveIntegerField(_("bucket (minutes)"), default=60)
    window_days = models.PositiveSmallIntegerField(_("look-back (days)"), default=30)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["segment", "journey_stage", "label"]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "journey_stage", "label_kind", "label"], name="alerts_baseline_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.segment or 'all'} / {self.journey_stage or 'all stages'} / {self.label}"


class Alert(BaseModel):
    """One incident: every breach of a rule for the same de-duplication key within its cooldown.

    Visible with its account (``restrict_via``): the account manager sees the alerts of their accounts;
    an alert without an account only to holders of the model-wide permission (and its owner, on pages).
    """

    restrict_via = "account"

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    segment = models.ForeignKey("crm.Segment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    dedup_key = models.CharField(_("de-duplication key"), max_length=255)
    title = models.CharField(_("title"), max_length=255)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_alerts"
    )
    dismiss_reason = models.TextField(_("dismiss reason"), blank=True)
    first_triggered_at = models.DateTimeField(_("first triggered"))
    last_triggered_at = models.DateTimeField(_("last triggered"), db_index=True)
    trigger_count = models.PositiveIntegerField(_("triggers"), default=1)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation at"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_triggered_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["rule", "dedup_key", "-last_triggered_at"], name="alerts_incident"),
            models.Index(fields=["owner", "status"], name="alerts_inbox"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class AlertTrigger(models.Model):
    """One message that broke a rule, folded into an alert; unique per rule and message (evaluation is idempotent)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="triggers")
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("sources.Message", on_delete=models.CASCADE, related_name="+")
    triggered_at = models.DateTimeField(_("triggered at"))
    value = models.FloatField(_("value"), null=True)

    class Meta:
        ordering = ["triggered_at"]
        constraints = [models.UniqueConstraint(fields=["rule", "message"], name="alerts_one_trigger_per_message")]

    def __str__(self) -> str:
        return f"alert {self.alert_id} <- message {self.message_id}"


class AlertEvent(models.Model):
    """The transition log of an alert: who, when, from, to, and why."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    level = models.PositiveSmallIntegerField(_("escalation level"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind} {self.from_status}→{self.to_status}"


class Notification(models.Model):
    """An email sent about an alert (console backend in the demo)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class WebhookEndpoint(BaseModel):
    """An integration receiving alert events, signed with HMAC-SHA256 like inbound webhooks."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=128)
    is_active = models.BooleanField(_("active"), default=True)
    min_severity = models.CharField(_("minimum severity"), max_length=10, choices=Severity.choices, default="low")

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event to one endpoint: retried with exponential backoff, every attempt's outcome kept."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, null=True, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=12, choices=DeliveryStatus.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now, db_index=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
