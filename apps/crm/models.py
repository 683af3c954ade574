"""Accounts, the people at them, and the segments they belong to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel, RestrictedQuerySet
from apps.crm.choices import REASSIGNING_TEAMS, AccountTier, IdentityKind, JourneyStage, LifecycleStatus, Team


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


class AccountEmotionDay(models.Model):
    """One account's scored customer messages on one day, summed: the rollup every workspace page reads.

    Derived data, recomputed from the current emotion scores (never incremented), so a refresh can run
    any number of times. Only messages that count are in it: customer-written, scored, not noise, not a
    tombstone, the current score version. Visible with its account.
    """

    restrict_via = "account"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="emotion_days")
    day = models.DateField(_("day"))
    n = models.PositiveIntegerField(_("scored messages"), default=0)
    negative = models.PositiveIntegerField(_("negative messages"), default=0)
    positive = models.PositiveIntegerField(_("positive messages"), default=0)
    valence_sum = models.FloatField(_("sum of valence"), default=0)
    intensity_sum = models.FloatField(_("sum of intensity"), default=0)
    base_counts = models.JSONField(_("messages per dominant base emotion"), default=dict, blank=True)
    business_counts = models.JSONField(_("messages per dominant business emotion"), default=dict, blank=True)
    stage_stats = models.JSONField(
        _("per journey stage"),
        default=dict,
        blank=True,
        help_text=_('{"renewal": {"n": 3, "negative": 1, "valence_sum": -0.4, "base": {"anger": 1, …}}, …}'),
    )
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "day"]
        verbose_name = _("account emotion day")
        verbose_name_plural = _("account emotion days")
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="crm_one_rollup_per_account_day")]
        # The baseline sums a segment's accounts over a window of days.
        indexes = [models.Index(fields=["day", "account"], name="crm_rollup_day_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.n}"


class SegmentEmotionDay(models.Model):
    """A segment's scored customer messages on one day, summed over its accounts: the baseline an account is
    compared with. ``scope`` is the segment's id, or ``all`` for every account (the baseline of an account
    without a segment). Derived from the account rollups, recomputed (never incremented) when they change."""

    ALL = "all"

    scope = models.CharField(_("segment id or all"), max_length=20)
    day = models.DateField(_("day"))
    accounts = models.PositiveIntegerField(_("accounts with messages"), default=0)
    n = models.PositiveIntegerField(_("scored messages"), default=0)
    negative = models.PositiveIntegerField(_("negative messages"), default=0)
    positive = models.PositiveIntegerField(_("positive messages"), default=0)
    valence_sum = models.FloatField(_("sum of valence"), default=0)

    class Meta:
        ordering = ["scope", "day"]
        verbose_name = _("segment emotion day")
        verbose_name_plural = _("segment emotion days")
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="crm_one_rollup_per_segment_day")]

    def __str__(self) -> str:
        return f"{self.scope} {self.day}: {self.n}"


class HandoffNote(BaseModel):
    """The emotional context of an account written when it moves between teams, shown first to the next owner."""

    restrict_via = "account"

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="handoff_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    from_team = models.CharField(_("from team"), max_length=20, choices=Team.choices)
    to_team = models.CharField(_("to team"), max_length=20, choices=Team.choices)
    context = models.TextField(
        _("emotional context"),
        max_length=4000,
        help_text=_("How the customer feels and why, what was promised, what to avoid."),
    )
    new_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("handoff note")
        verbose_name_plural = _("handoff notes")
        indexes = [models.Index(fields=["account", "-created"], name="crm_handoff_account_time")]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_from_team_display()} → {self.get_to_team_display()}"

    def clean(self) -> None:
        self.context = (self.context or "").strip()
        if not self.context:
            raise ValidationError({"context": _("Write the emotional context for the next owner.")})
        if self.from_team and self.from_team == self.to_team:
            raise ValidationError({"to_team": _("A handoff goes to another team than the one it comes from.")})
        if self.new_owner_id and self.to_team not in REASSIGNING_TEAMS:
            raise ValidationError(
                {"new_owner": _("Only a handoff to customer success or renewals moves the account to a new manager.")}
            )
