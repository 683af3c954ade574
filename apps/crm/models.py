"""Accounts, the people at them, and the segments they belong to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel
from apps.crm.choices import AccountTier, IdentityKind, JourneyStage, LifecycleStatus


class Segment(BaseModel):
    """A group of accounts compared with each other (baselines are per segment)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class Account(BaseModel):
    """A customer organisation. Visibility is per object: its account manager, or a model-wide grant."""

    object_permissions = True

    name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The account's id in the CRM of record."),
    )
    domain = models.CharField(_("email domain"), max_length=200, blank=True, db_index=True)
    tier = models.CharField(_("tier"), max_length=20, choices=AccountTier.choices, default=AccountTier.SMB)
    is_key_account = models.BooleanField(_("key account"), default=False, db_index=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_accounts",
    )
    segment = models.ForeignKey(
        Segment, verbose_name=_("segment"), on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    journey_stage = models.CharField(
        _("journey stage"), max_length=20, choices=JourneyStage.choices, default=JourneyStage.ONBOARDING
    )
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=20, choices=LifecycleStatus.choices, default=LifecycleStatus.ACTIVE
    )
    renewal_date = models.DateField(_("renewal date"), null=True, blank=True)
    arr = models.DecimalField(
        _("ARR"), max_digits=14, decimal_places=2, default=0, help_text=_("Annual recurring revenue.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["segment", "journey_stage"]), models.Index(fields=["renewal_date"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.arr is not None and self.arr < 0:
            raise ValidationError({"arr": _("ARR cannot be negative.")})
        if self.currency and (len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper()):
            raise ValidationError({"currency": _("Use a three-letter ISO 4217 code such as EUR.")})
        if self.domain:
            self.domain = self.domain.strip().lower()


class Contact(BaseModel):
    """A person at an account whose communications we receive. Visible with their account."""

    restrict_via = "account"

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    is_vulnerable = models.BooleanField(
        _("vulnerable"),
        default=False,
        help_text=_("Stricter retention and no commercial use of emotion data (e.g. hardship, health, bereavement)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.account})"

    def clean(self) -> None:
        if self.email:
            self.email = self.email.strip().lower()


class ContactIdentity(BaseModel):
    """One identifier (email, social handle, id in another system) that resolves to a contact."""

    restrict_via = "contact"

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=20, choices=IdentityKind.choices)
    platform = models.CharField(
        _("platform"), max_length=40, blank=True, help_text=_("For handles and external ids: where the id lives.")
    )
    value = models.CharField(_("value"), max_length=255)

    class Meta:
        verbose_name = _("contact identity")
        verbose_name_plural = _("contact identities")
        constraints = [
            models.UniqueConstraint(fields=["kind", "platform", "value"], name="crm_identity_unique_per_platform"),
        ]

    def __str__(self) -> str:
        where = f"@{self.platform}" if self.platform else ""
        return f"{self.get_kind_display()}: {self.value}{where}"

    def clean(self) -> None:
        self.value = (self.value or "").strip()
        if self.kind in (IdentityKind.EMAIL, IdentityKind.HANDLE):
            self.value = self.value.lower()
        if self.kind == IdentityKind.HANDLE:
            self.value = self.value.lstrip("@")
            if not self.platform:
                raise ValidationError({"platform": _("A social handle needs the platform it belongs to.")})
