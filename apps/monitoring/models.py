"""Model monitoring: business outcomes per account, drift settings, weekly drift reports and drift alerts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel, RestrictedQuerySet
from apps.monitoring.choices import DriftAlertStatus, DriftStatus, OutcomeKind, OutcomeSource, ReferenceMode


class AccountOutcome(BaseModel):
    """Something that happened to an account's business (churned, renewed, expanded, contracted) on a date.

    Business data, not emotion data: it is visible with its account (``restrict_via``). One outcome per
    account, kind and date, so importing the same file twice changes nothing.
    """

    restrict_via = "account"

    account = models.ForeignKey(
        "crm.Account", on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OutcomeKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    value = models.DecimalField(
        _("ARR change"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Optional: the change in annual recurring revenue; negative for a churn or a contraction."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=OutcomeSource.choices, default=OutcomeSource.ADMIN)
    external_ref = models.CharField(
        _("external reference"), max_length=120, blank=True, help_text=_("The outcome's id in the CRM of record.")
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("account outcome")
        verbose_name_plural = _("account outcomes")
        permissions = [("view_validity_report", "Can view the predictive validity report")]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "occurred_on"], name="monitoring_outcome_unique"),
        ]
        indexes = [models.Index(fields=["kind", "occurred_on"], name="monitoring_outcome_kind_date")]

    def __str__(self) -> str:
        return f"{self.account} {self.kind} {self.occurred_on}"

    def clean(self) -> None:
        errors = {}
        if self.occurred_on and self.occurred_on > timezone.localdate():
            errors["occurred_on"] = _("An outcome cannot be in the future (%(d)s).") % {"d": self.occurred_on}
        if self.occurred_on and self.occurred_on < dt.date(2000, 1, 1):
            errors["occurred_on"] = _("Dates before 2000 are not accepted (%(d)s).") % {"d": self.occurred_on}
        if self.value is not None:
            if self.kind in (OutcomeKind.CHURNED, OutcomeKind.CONTRACTED) and self.value > 0:
                errors["value"] = _("A churn or contraction loses ARR: give the value as a negative number.")
            if self.kind == OutcomeKind.EXPANDED and self.value < 0:
                errors["value"] = _("An expansion adds ARR: give the value as a positive number.")
        if errors:
            raise ValidationError(errors)


class DriftSettings(BaseModel):
    """The drift policy (one row): the reference window, the PSI thresholds and the minimum volume."""

    reference_mode = models.CharField(
        _("reference window"), max_length=12, choices=ReferenceMode.choices, default=ReferenceMode.FIRST_WEEKS
    )
    reference_weeks = models.PositiveSmallIntegerField(
        _("first N weeks"), default=4, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    reference_start = models.DateField(_("fixed range: from"), null=True, blank=True)
    reference_end = models.DateField(_("fixed range: to (inclusive)"), null=True, blank=True)
    watch_psi = models.FloatField(
        _("watch above PSI"), default=0.1, validators=[MinValueValidator(0.0), MaxValueValidator(10.0)]
    )
    alert_psi = models.FloatField(
        _("alert above PSI"), default=0.25, validators=[MinValueValidator(0.0), MaxValueValidator(10.0)]
    )
    max_p_value = models.FloatField(
        _("alert only below p"),
        default=0.01,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "A PSI above the alert level is drift only when a chi-square test says a shift that large is unlikely "
            "from sampling noise (p below this); otherwise it is shown as watch."
        ),
    )
    min_messages = models.PositiveIntegerField(
        _("minimum messages per week"),
        default=30,
        help_text=_("Weeks (and reference windows) with fewer scored messages are reported, never alerted on."),
    )

    class Meta:
        verbose_name = _("drift settings")
        verbose_name_plural = _("drift settings")

    def __str__(self) -> str:
        return str(_("Drift settings"))

    def clean(self) -> None:
        if self.watch_psi >= self.alert_psi:
            raise ValidationError({"watch_psi": _("The watch level must be below the alert level.")})
        if self.reference_mode == ReferenceMode.FIXED:
            if not self.reference_start or not self.reference_end:
                raise ValidationError({"reference_start": _("A fixed reference window needs both dates.")})
            if self.reference_start > self.reference_end:
                raise ValidationError({"reference_end": _("The range ends before it starts.")})

    @classmethod
    def current(cls) -> DriftSettings:
        """The policy in force (the defaults until someone saves one)."""
        return cls.objects.order_by("pk").first() or cls()


class DriftReport(models.Model):
    """One ISO week × platform × model version, compared with the reference window. Recomputing updates it."""

    week_start = models.DateField(_("week (Monday)"))
    platform = models.CharField(_("platform"), max_length=20)
    model_version = models.CharField(_("model version"), max_length=120)
    n_messages = models.PositiveIntegerField(_("scored messages"), default=0)
    label_shares = models.JSONField(_("dominant emotion shares"), default=dict)
    confidence_hist = models.JSONField(_("confidence distribution (10 bins)"), default=list)
    reference = models.JSONField(
        _("reference"), default=dict, help_text=_("The reference window: dates, n, shares, bins, unknown-term rate.")
    )
    psi_labels = models.FloatField(_("PSI of labels"), null=True, blank=True)
    psi_confidence = models.FloatField(_("PSI of confidence"), null=True, blank=True)
    psi = models.FloatField(_("PSI (the larger)"), null=True, blank=True)
    p_labels = models.FloatField(_("p, labels (chi-square)"), null=True, blank=True)
    p_confidence = models.FloatField(_("p, confidence (chi-square)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DriftStatus.choices)
    unknown_term_rate = models.FloatField(_("unknown-term rate"), null=True, blank=True)
    tokens = models.PositiveIntegerField(_("tokens"), default=0)
    gold_n = models.PositiveIntegerField(_("gold-labelled messages"), default=0)
    gold_accuracy = models.FloatField(_("annotated accuracy"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "platform"]
        verbose_name = _("drift report")
        verbose_name_plural = _("drift reports")
        permissions = [("view_model_card", "Can view model cards")]
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "platform", "model_version"], name="monitoring_drift_one_per_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week_start:%G-W%V} {self.platform} {self.model_version}"

    @property
    def iso_week(self) -> str:
        return f"{self.week_start:%G-W%V}"


class DriftAlert(BaseModel):
    """A drift incident: one per ISO week and platform, however often the week is recomputed."""

    week_start = models.DateField(_("week (Monday)"))
    platform = models.CharField(_("platform"), max_length=20)
    model_version = models.CharField(_("model version"), max_length=120)
    report = models.ForeignKey(DriftReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    psi = models.FloatField(_("PSI"))
    threshold = models.FloatField(_("threshold"))
    status = models.CharField(
        _("status"), max_length=12, choices=DriftAlertStatus.choices, default=DriftAlertStatus.OPEN
    )
    notified = models.JSONField(_("emailed to"), default=list, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-week_start", "platform"]
        verbose_name = _("drift alert")
        verbose_name_plural = _("drift alerts")
        constraints = [
            models.UniqueConstraint(fields=["week_start", "platform"], name="monitoring_drift_alert_once"),
        ]

    def __str__(self) -> str:
        return f"Drift {self.week_start:%G-W%V} {self.platform}: PSI {self.psi:.2f}"
