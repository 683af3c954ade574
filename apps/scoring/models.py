"""The two-layer emotion taxonomy, domain lexicon entries, scoring models and the scores."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel
from apps.scoring.choices import Direction, EngineName, LexiconKind, Outcome, ScoreStatus
from apps.scoring.engines.base import BASE_LABELS


class BaseEmotion(BaseModel):
    """An emotion the engines emit (Ekman's six and neutral). Its weights derive valence and intensity."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    valence = models.FloatField(
        _("valence weight"),
        validators=[MinValueValidator(-1), MaxValueValidator(1)],
        help_text=_("How this emotion pulls valence: -1 (negative) … +1 (positive)."),
    )
    arousal = models.FloatField(
        _("arousal weight"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("How much this emotion counts towards intensity: 0 … 1."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("base emotion")
        verbose_name_plural = _("base emotions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.key and self.key not in BASE_LABELS:
            raise ValidationError({"key": _("Engines emit only %(labels)s.") % {"labels": ", ".join(BASE_LABELS)}})


class BusinessEmotion(BaseModel):
    """An emotion CX teams talk in (frustration, delight, …), defined from base emotions and cue words."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    outcome = models.CharField(_("outcome signalled"), max_length=20, choices=Outcome.choices)
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.RAISES,
        help_text=_("Whether this emotion raises or lowers the outcome (frustration raises churn risk)."),
    )
    cues = models.JSONField(
        _("cue terms"),
        default=list,
        blank=True,
        help_text=_('Words or phrases that signal this emotion, e.g. ["again", "still not", "third time"].'),
    )
    cue_weight = models.FloatField(
        _("cue weight"),
        default=0.15,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Added per cue found (at most three count)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("business emotion")
        verbose_name_plural = _("business emotions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.cues, list) or not all(isinstance(c, str) and c.strip() for c in self.cues):
            raise ValidationError({"cues": _("Cues must be a list of non-empty strings.")})
        self.cues = [c.strip().lower() for c in self.cues]


class BusinessEmotionComponent(BaseModel):
    """How much of a base emotion goes into a business emotion."""

    business_emotion = models.ForeignKey(BusinessEmotion, on_delete=models.CASCADE, related_name="components")
    base_emotion = models.ForeignKey(BaseEmotion, on_delete=models.PROTECT, related_name="+")
    weight = models.FloatField(_("weight"), validators=[MinValueValidator(-1), MaxValueValidator(1)])

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [
            models.UniqueConstraint(fields=["business_emotion", "base_emotion"], name="scoring_component_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.business_emotion.key} ← {self.weight:+.2f} × {self.base_emotion.key}"


class LexiconEntry(BaseModel):
    """A domain term that adjusts every engine's output when it appears ("great, another outage")."""

    term = models.CharField(
        _("term or phrase"),
        max_length=200,
        help_text=_("Matched case-insensitively on word boundaries; punctuation inside the phrase counts."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LexiconKind.choices, default=LexiconKind.OTHER)
    adjustments = models.JSONField(
        _("adjustments"),
        help_text=_('Added to base-emotion scores when the term appears, e.g. {"anger": 0.5, "joy": -0.6}.'),
    )
    platform = models.CharField(
        _("platform"), max_length=20, blank=True, help_text=_("Only on this platform (blank: everywhere).")
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("lexicon entry")
        verbose_name_plural = _("lexicon entries")
        constraints = [models.UniqueConstraint(fields=["term", "platform"], name="scoring_lexicon_unique_term")]

    def __str__(self) -> str:
        return self.term

    def clean(self) -> None:
        self.term = re.sub(r"\s+", " ", (self.term or "").strip().lower())
        if not self.term:
            raise ValidationError({"term": _("The term cannot be empty.")})
        if not isinstance(self.adjustments, dict) or not self.adjustments:
            raise ValidationError({"adjustments": _('Give at least one adjustment, e.g. {"anger": 0.5}.')})
        for label, delta in self.adjustments.items():
            if label not in BASE_LABELS:
                raise ValidationError(
                    {
                        "adjustments": _("%(label)s is not a base emotion (%(labels)s).")
                        % {"label": label, "labels": ", ".join(BASE_LABELS)}
                    }
                )
            if not isinstance(delta, int | float) or isinstance(delta, bool) or not -1 <= delta <= 1:
                raise ValidationError({"adjustments": _("%(label)s: use a number from -1 to 1.") % {"label": label}})


class ScoringModel(BaseModel):
    """An engine configuration that can score messages; exactly one is active at a time."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    engine = models.CharField(_("engine"), max_length=20, choices=EngineName.choices)
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_(
            'Engine options. transformers: {"model_path": "/models/x", "label_map": {"LABEL_0": "anger"}}; '
            'linear: {"artifact_dir": "/path"} (blank: the shipped model).'
        ),
    )
    version = models.CharField(
        _("version"),
        max_length=120,
        blank=True,
        editable=False,
        help_text=_("Filled from the engine when it is loaded."),
    )
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        ordering = ["-is_active", "name"]
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="scoring_one_active_model"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_engine_display()})"

    def clean(self) -> None:
        if not isinstance(self.options, dict):
            raise ValidationError({"options": _("Options must be a JSON object.")})
        if self.engine == EngineName.TRANSFORMERS and not self.options.get("model_path"):
            raise ValidationError({"options": _("The transformers engine needs a local model_path.")})


class EmotionScore(BaseModel):
    """The emotion of one message under one model version; history is kept per version."""

    restrict_via = "message"

    message = models.ForeignKey("sources.Message", on_delete=models.CASCADE, related_name="emotion_scores")
    # Denormalised from the message, so rollups and timelines read one table with one index.
    account = models.ForeignKey("crm.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message_created_at = models.DateTimeField(_("message created at"))
    engine = models.CharField(_("engine"), max_length=20, choices=EngineName.choices)
    model_version = models.CharField(_("model version"), max_length=120)
    status = models.CharField(_("status"), max_length=24, choices=ScoreStatus.choices, default=ScoreStatus.SCORED)
    scores = models.JSONField(_("base emotion scores"), default=dict)
    business_scores = models.JSONField(_("business emotion scores"), default=dict)
    dominant = models.CharField(_("dominant emotion"), max_length=40, blank=True, db_index=True)
    dominant_business = models.CharField(_("dominant business emotion"), max_length=40, blank=True)
    valence = models.FloatField(_("valence"), null=True, blank=True)
    intensity = models.FloatField(_("intensity"), null=True, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        ordering = ["-message_created_at", "-id"]
        verbose_name = _("emotion score")
        verbose_name_plural = _("emotion scores")
        permissions = [("score_text", "Can score ad-hoc text through the API")]
        constraints = [
            models.UniqueConstraint(fields=["message", "model_version"], name="scoring_one_score_per_version"),
        ]
        indexes = [
            models.Index(fields=["account", "is_current", "-message_created_at"], name="scoring_account_timeline"),
            models.Index(fields=["message", "is_current"], name="scoring_message_current"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self.dominant or self.status} · {self.model_version}"
