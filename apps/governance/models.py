"""Purpose binding: which roles may use emotion data for what, under which DPIA; and the access log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel
from apps.governance.choices import AccessOutcome, AiActClass, DpiaStatus, ProhibitedScope


class DPIA(BaseModel):
    """A data protection impact assessment of one processing activity."""

    title = models.CharField(_("title"), max_length=200)
    processing_activity = models.TextField(_("processing activity"))
    data_categories = models.JSONField(
        _("data categories"),
        default=list,
        blank=True,
        help_text=_('e.g. ["customer messages", "inferred emotion scores"]'),
    )
    risks = models.TextField(_("risks"), blank=True)
    mitigations = models.TextField(_("mitigations"), blank=True)
    ai_act_classification = models.CharField(
        _("EU AI Act classification"), max_length=20, choices=AiActClass.choices, default=AiActClass.LIMITED_RISK
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    status = models.CharField(_("status"), max_length=12, choices=DpiaStatus.choices, default=DpiaStatus.DRAFT)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    next_review_date = models.DateField(_("next review date"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("DPIA")
        verbose_name_plural = _("DPIAs")

    def __str__(self) -> str:
        return f"{self.title} ({self.effective_status})"

    @property
    def effective_status(self) -> str:
        """Approved DPIAs past their review date are expired, whatever the stored status says."""
        if (
            self.status == DpiaStatus.APPROVED
            and self.next_review_date
            and self.next_review_date < timezone.localdate()
        ):
            return DpiaStatus.EXPIRED
        return self.status

    @property
    def is_valid(self) -> bool:
        return self.effective_status == DpiaStatus.APPROVED

    def clean(self) -> None:
        if self.ai_act_classification == AiActClass.PROHIBITED and self.status == DpiaStatus.APPROVED:
            raise ValidationError({"status": _("A prohibited practice cannot be approved.")})
        if self.status == DpiaStatus.APPROVED:
            if self.reviewer_id is None:
                raise ValidationError({"reviewer": _("An approved DPIA names its reviewer.")})
            if not self.next_review_date:
                raise ValidationError({"next_review_date": _("An approved DPIA has a next review date.")})
            if self.next_review_date > timezone.localdate() + dt.timedelta(days=3 * 366):
                raise ValidationError({"next_review_date": _("Review at least every three years.")})


class Purpose(BaseModel):
    """Why emotion data may be read. Every read states one; the roles allowed and the DPIA decide."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    allowed_roles = models.ManyToManyField(Group, blank=True, related_name="purposes", verbose_name=_("allowed roles"))
    dpia = models.ForeignKey(DPIA, on_delete=models.PROTECT, null=True, blank=True, related_name="purposes")
    is_active = models.BooleanField(_("switched on"), default=False)

    class Meta:
        ordering = ["key"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.is_active and (self.dpia is None or not self.dpia.is_valid):
            raise ValidationError(
                {"is_active": _("A purpose can be switched on only with an approved, unexpired DPIA.")}
            )


class ProhibitedUse(BaseModel):
    """A use of emotion data that is refused even to allowed roles (targeting a vulnerable customer for upsell)."""

    purpose = models.ForeignKey(Purpose, on_delete=models.CASCADE, related_name="prohibited_uses")
    name = models.CharField(_("name"), max_length=150)
    scope = models.CharField(_("concerns"), max_length=24, choices=ProhibitedScope.choices)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["purpose", "name"]
        verbose_name = _("prohibited use")
        verbose_name_plural = _("prohibited uses")

    def __str__(self) -> str:
        return self.name


class DataAccessLog(models.Model):
    """One read of emotion data: who, whose, for which purpose, allowed or refused. Append-only."""

    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(_("user"), max_length=150, blank=True, help_text=_("Kept if the user is deleted."))
    purpose = models.CharField(_("purpose"), max_length=40, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=AccessOutcome.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    resource = models.CharField(_("what was read"), max_length=120)
    account_ids = models.JSONField(_("accounts"), default=list, blank=True)
    contact_ids = models.JSONField(_("contacts"), default=list, blank=True)
    object_count = models.PositiveIntegerField(_("records"), default=0)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("data access")
        verbose_name_plural = _("data access log")
        indexes = [models.Index(fields=["user", "-created"], name="governance_access_user")]

    def __str__(self) -> str:
        return f"{self.username} {self.outcome} {self.purpose} {self.resource}"
