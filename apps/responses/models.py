"""Response templates by emotional state, journey stage and channel; their versions; and their use."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel, RestrictedQuerySet
from apps.crm.choices import JourneyStage
from apps.responses import placeholders
from apps.sources.choices import SourceKind


def emotion_keys() -> dict[str, str]:
    """The taxonomy keys a template may target, from the live tables: key -> display name."""
    from apps.scoring.models import BaseEmotion, BusinessEmotion

    keys = {key: str(name) for key, name in BusinessEmotion.objects.filter(is_active=True).values_list("key", "name")}
    keys.update({key: str(name) for key, name in BaseEmotion.objects.values_list("key", "name")})
    return keys


def emotion_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for forms: business emotions first (what CX teams talk in), then base emotions."""
    from apps.scoring.models import BaseEmotion, BusinessEmotion

    return [
        (str(_("Business emotions")), list(BusinessEmotion.objects.filter(is_active=True).values_list("key", "name"))),
        (str(_("Base emotions")), list(BaseEmotion.objects.values_list("key", "name"))),
    ]


class ResponseTemplate(BaseModel):
    """A suggested reply for an emotional state, optionally narrowed to a journey stage and a channel.

    The text fields hold the current version; every change of text is kept as a ``ResponseTemplateVersion``
    (write through ``services.template_save``). Visibility is model-wide (``responses.view_responsetemplate``).
    """

    name = models.CharField(_("name"), max_length=120)
    emotion = models.CharField(
        _("emotional state"),
        max_length=40,
        db_index=True,
        help_text=_("A business emotion (frustration, delight, …) or a base emotion (anger, joy, …) of the taxonomy."),
    )
    journey_stage = models.CharField(
        _("journey stage"),
        max_length=20,
        choices=JourneyStage.choices,
        blank=True,
        help_text=_("Blank: any stage."),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=SourceKind.choices, blank=True, help_text=_("Blank: any channel.")
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    guidance = models.TextField(
        _("guidance for the agent"),
        blank=True,
        help_text=_("The framework behind the reply, e.g. “Acknowledge – Apologise – Act – Follow up”. Never sent."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.PositiveIntegerField(_("current version"), default=0, editable=False)

    class Meta:
        ordering = ["emotion", "journey_stage", "channel", "name"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        indexes = [models.Index(fields=["emotion", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} (v{self.current_version})"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        keys = emotion_keys()
        if self.emotion and self.emotion not in keys:
            errors["emotion"] = [
                _("“%(key)s” is not in the taxonomy. Use one of: %(keys)s.")
                % {"key": self.emotion, "keys": ", ".join(sorted(keys))}
            ]
        for field in ("subject", "body"):
            problems = placeholders.find_errors(getattr(self, field))
            if problems:
                errors[field] = problems
        if errors:
            raise ValidationError(errors)

    @property
    def specificity(self) -> int:
        """2 for a journey stage, 1 for a channel: emotion+stage+channel > emotion+stage > emotion+channel > emotion."""
        return (2 if self.journey_stage else 0) + (1 if self.channel else 0)


class ResponseTemplateVersion(models.Model):
    """An immutable snapshot of a template's text, one per change; restoring one makes a new version."""

    restrict_via = "template"

    template = models.ForeignKey(
        ResponseTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"), validators=[MinValueValidator(1)])
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    guidance = models.TextField(_("guidance for the agent"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True
    )
    restored_from = models.PositiveIntegerField(
        _("restored from version"), null=True, blank=True, help_text=_("Set when this version restored an older one.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("response template version")
        verbose_name_plural = _("response template versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="responses_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A template version cannot be changed; save the template to make a new one."))
        super().save(*args, **kwargs)


class TemplateUsage(models.Model):
    """One use of a suggested reply: which version, for which account and contact, by whom, and whether it was
    edited. Only a SHA-256 and the length of the final text are kept, never the text: it carries the customer's
    personal data and already lives in the channel it was sent through, so a copy here would only need purging."""

    restrict_via = "account"

    template = models.ForeignKey(
        ResponseTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="usages"
    )
    version = models.ForeignKey(
        ResponseTemplateVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="usages"
    )
    account = models.ForeignKey(
        "crm.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="template_usages"
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="template_usages",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("used by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="template_usages",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=SourceKind.choices, blank=True)
    edited = models.BooleanField(_("edited"), help_text=_("The text sent differs from the suggestion."))
    text_sha256 = models.CharField(_("SHA-256 of the final text"), max_length=64)
    text_length = models.PositiveIntegerField(_("length of the final text"))
    used_at = models.DateTimeField(_("used at"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-used_at", "-id"]
        verbose_name = _("template usage")
        verbose_name_plural = _("template usages")

    def __str__(self) -> str:
        return f"{self.template.name} v{self.version.number} → {self.account}"

    def clean(self) -> None:
        if self.version_id and self.template_id and self.version.template_id != self.template_id:
            raise ValidationError({"version": _("This version belongs to another template.")})
        if self.contact_id and self.account_id and self.contact.account_id != self.account_id:
            raise ValidationError({"contact": _("This contact is not at the account.")})
