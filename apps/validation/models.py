"""Annotation batches and items, annotations, gold labels, frontline feedback, evaluation and calibration runs.

Label lists are base-emotion keys (``apps.scoring.engines.base.BASE_LABELS``); their first element is the
primary label (the one agreement on the "primary label" and the confusion matrix use).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import BaseModel, RestrictedQuerySet
from apps.scoring.engines.base import BASE_LABELS
from apps.validation.choices import (
    ActivationReason,
    CalibrationStatus,
    EvaluationKind,
    FeedbackStatus,
    GoldSource,
    ItemStatus,
    SkipReason,
    Strategy,
)


def normalise_labels(labels) -> list[str]:
    """A clean, de-duplicated label list (primary first), or ValidationError saying what is wrong.

    At least one label; only base emotions; "neutral" cannot be combined with another emotion.
    """
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, list | tuple) or not all(isinstance(x, str) for x in labels):
        raise ValidationError(_("Labels must be a list of emotion keys."))
    cleaned = list(dict.fromkeys(x.strip().lower() for x in labels if x.strip()))
    if not cleaned:
        raise ValidationError(_("Choose at least one emotion."))
    unknown = [x for x in cleaned if x not in BASE_LABELS]
    if unknown:
        raise ValidationError(
            _("%(unknown)s: not a base emotion (choose from %(labels)s).")
            % {"unknown": ", ".join(unknown), "labels": ", ".join(BASE_LABELS)}
        )
    if "neutral" in cleaned and len(cleaned) > 1:
        raise ValidationError(_('"neutral" cannot be combined with another emotion.'))
    return cleaned


class AnnotationBatch(BaseModel):
    """A sample of customer messages drawn by one strategy, each to be labelled by N annotators."""

    name = models.CharField(_("name"), max_length=120)
    strategy = models.CharField(_("strategy"), max_length=20, choices=Strategy.choices)
    size = models.PositiveIntegerField(_("size asked for"))
    seed = models.IntegerField(_("seed"), default=0, help_text=_("The same seed draws the same sample."))
    annotators_required = models.PositiveSmallIntegerField(
        _("annotators per item"), default=2, help_text=_("How many people label each message (at least 1).")
    )
    platform = models.CharField(
        _("platform"), max_length=20, blank=True, help_text=_('Only with the "one platform" strategy.')
    )
    is_open = models.BooleanField(_("open"), default=True, help_text=_("Closed batches are not served."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("annotation batch")
        verbose_name_plural = _("annotation batches")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.annotators_required < 1:
            raise ValidationError({"annotators_required": _("At least one annotator per item.")})
        if self.size < 1:
            raise ValidationError({"size": _("Ask for at least one message.")})
        if self.strategy == Strategy.PLATFORM and not self.platform:
            raise ValidationError({"platform": _('The "one platform" strategy needs a platform.')})


class AnnotationItem(BaseModel):
    """One message of a batch. The model's prediction is kept for sampling and reports, never shown to
    annotators (it would anchor them)."""

    batch = models.ForeignKey(AnnotationBatch, on_delete=models.CASCADE, related_name="items")
    message = models.ForeignKey("sources.Message", on_delete=models.CASCADE, related_name="annotation_items")
    position = models.PositiveIntegerField(_("position"))
    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    predicted = models.CharField(_("predicted emotion"), max_length=40, blank=True)
    confidence = models.FloatField(_("model confidence"), null=True, blank=True)
    model_version = models.CharField(_("model version"), max_length=120, blank=True)

    class Meta:
        ordering = ["batch", "position"]
        verbose_name = _("annotation item")
        verbose_name_plural = _("annotation items")
        constraints = [
            models.UniqueConstraint(fields=["batch", "message"], name="validation_item_once_per_batch"),
        ]
        indexes = [models.Index(fields=["status", "batch", "position"], name="validation_item_queue")]

    def __str__(self) -> str:
        return f"{self.batch} #{self.position}"


class AnnotationClaim(models.Model):
    """An annotator holds one slot of an item while labelling it, so the last slot is not handed out twice."""

    item = models.ForeignKey(AnnotationItem, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("annotation claim")
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="validation_one_claim_per_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.item}"


class Annotation(BaseModel):
    """One annotator's labels for one item (or a skip with its reason)."""

    item = models.ForeignKey(AnnotationItem, on_delete=models.CASCADE, related_name="annotations")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    labels = models.JSONField(_("labels"), default=list, blank=True, help_text=_("Primary label first."))
    skipped = models.BooleanField(_("skipped"), default=False)
    skip_reason = models.CharField(_("skip reason"), max_length=20, choices=SkipReason.choices, blank=True)
    skip_note = models.CharField(_("skip note"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("time taken (ms)"), null=True, blank=True)

    class Meta:
        ordering = ["item", "created", "id"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        constraints = [models.UniqueConstraint(fields=["item", "annotator"], name="validation_one_annotation_each")]

    def __str__(self) -> str:
        return f"{self.annotator} · {self.item}: {'skipped' if self.skipped else ', '.join(self.labels)}"

    def clean(self) -> None:
        if self.skipped:
            if not self.skip_reason:
                raise ValidationError({"skip_reason": _("Say why you skip this message.")})
            if self.skip_reason == SkipReason.OTHER and not self.skip_note.strip():
                raise ValidationError({"skip_note": _('Describe the reason when you choose "other".')})
            self.labels = []
        else:
            try:
                self.labels = normalise_labels(self.labels)
            except ValidationError as exc:
                raise ValidationError({"labels": exc.messages}) from None
            self.skip_reason, self.skip_note = "", ""


class GoldLabel(BaseModel):
    """The decided labels of one message: what evaluation and calibration measure against."""

    restrict_via = "message"

    message = models.OneToOneField("sources.Message", on_delete=models.CASCADE, related_name="gold_label")
    item = models.ForeignKey(AnnotationItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    labels = models.JSONField(_("labels"), help_text=_("Primary label first."))
    source = models.CharField(_("source"), max_length=20, choices=GoldSource.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), db_index=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("gold label")
        verbose_name_plural = _("gold labels")
        permissions = [("adjudicate_goldlabel", "Can adjudicate disagreements into gold labels")]

    def __str__(self) -> str:
        return f"{self.message_id}: {', '.join(self.labels)} ({self.source})"

    def clean(self) -> None:
        try:
            self.labels = normalise_labels(self.labels)
        except ValidationError as exc:
            raise ValidationError({"labels": exc.messages}) from None


class EmotionFeedback(BaseModel):
    """An agent's "wrong emotion" on a message, with the right one: a weak label that enters the queue."""

    restrict_via = "message"

    message = models.ForeignKey("sources.Message", on_delete=models.CASCADE, related_name="emotion_feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    correct_labels = models.JSONField(_("correct emotions"), help_text=_("Primary label first."))
    predicted = models.CharField(_("model's emotion at the time"), max_length=40, blank=True)
    model_version = models.CharField(_("model version"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("emotion feedback")
        verbose_name_plural = _("emotion feedback")

    def __str__(self) -> str:
        return f"{self.message_id}: {self.predicted or '?'} → {', '.join(self.correct_labels)}"

    def clean(self) -> None:
        try:
            self.correct_labels = normalise_labels(self.correct_labels)
        except ValidationError as exc:
            raise ValidationError({"correct_labels": exc.messages}) from None


class EvaluationRun(BaseModel):
    """One model version scored in memory against the gold labels: the figures, kept as history.

    ``metrics``: {"macro_f1", "micro_f1", "per_label": {label: {precision, recall, f1, support}},
    "by_platform": {platform: {n, macro_f1, per_label}}, "by_segment": {...},
    "confusion": {"labels": [...], "matrix": [[int]]}} (rows gold primary label, columns predicted).
    """

    scoring_model = models.ForeignKey(
        "scoring.ScoringModel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    model_version = models.CharField(_("model version"), max_length=120, db_index=True)
    engine = models.CharField(_("engine"), max_length=20)
    kind = models.CharField(_("kind"), max_length=12, choices=EvaluationKind.choices, default=EvaluationKind.MANUAL)
    n_items = models.PositiveIntegerField(_("gold messages"))
    metrics = models.JSONField(_("metrics"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")

    def __str__(self) -> str:
        return f"{self.model_version} · {self.created:%Y-%m-%d %H:%M} · macro-F1 {self.macro_f1:.3f}"

    @property
    def created_at(self):
        return self.created

    @property
    def macro_f1(self) -> float:
        return float(self.metrics.get("macro_f1", 0.0))


class CalibrationRun(BaseModel):
    """One retraining of the default engine from the gold labels, its shadow evaluation and the decision."""

    status = models.CharField(
        _("status"), max_length=12, choices=CalibrationStatus.choices, default=CalibrationStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    baseline_model = models.ForeignKey(
        "scoring.ScoringModel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate_model = models.ForeignKey(
        "scoring.ScoringModel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    baseline_run = models.ForeignKey(EvaluationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    candidate_run = models.ForeignKey(EvaluationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    tolerance = models.FloatField(
        _("tolerance"), default=0.0, help_text=_("How much lower the candidate's macro-F1 may be (0: not lower).")
    )
    n_gold = models.PositiveIntegerField(_("gold labels used"), default=0)
    artifact_dir = models.CharField(_("artifact folder"), max_length=500, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("calibration run")
        verbose_name_plural = _("calibration runs")
        permissions = [("rollback_scoringmodel", "Can roll the active scoring model back to an earlier version")]

    def __str__(self) -> str:
        return f"calibration #{self.pk} ({self.get_status_display()})"


class ModelActivation(models.Model):
    """Which scoring model became active, when, why and on whose word (calibrations and rollbacks)."""

    scoring_model = models.ForeignKey("scoring.ScoringModel", on_delete=models.CASCADE, related_name="+")
    previous_model = models.ForeignKey(
        "scoring.ScoringModel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    model_version = models.CharField(_("model version"), max_length=120)
    reason = models.CharField(_("reason"), max_length=12, choices=ActivationReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("model activation")
        verbose_name_plural = _("model activations")

    def __str__(self) -> str:
        return f"{self.model_version} ({self.get_reason_display()})"
