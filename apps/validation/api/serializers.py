"""Serializers of the validation API."""

from __future__ import annotations

from rest_framework import serializers

from apps.scoring.engines.base import BASE_LABELS
from apps.scoring.models import ScoringModel
from apps.validation.choices import SkipReason
from apps.validation.models import (
    Annotation,
    AnnotationBatch,
    AnnotationItem,
    CalibrationRun,
    EmotionFeedback,
    EvaluationRun,
    GoldLabel,
)

LABELS_HELP = f"Base emotions ({', '.join(BASE_LABELS)}), the main one first; 'neutral' only alone."


class AnnotationBatchSerializer(serializers.ModelSerializer):
    n_items = serializers.IntegerField(read_only=True)
    n_gold = serializers.IntegerField(read_only=True)
    n_adjudication = serializers.IntegerField(read_only=True)
    n_annotations = serializers.IntegerField(read_only=True)
    strategy = serializers.CharField(read_only=True, help_text="random, stratified, low_confidence, platform, feedback")

    class Meta:
        model = AnnotationBatch
        fields = (
            "id",
            "name",
            "strategy",
            "size",
            "seed",
            "annotators_required",
            "platform",
            "is_open",
            "created",
            "n_items",
            "n_gold",
            "n_adjudication",
            "n_annotations",
        )
        read_only_fields = fields


class AnnotationSerializer(serializers.ModelSerializer):
    # Annotators reach items through the queue, not object grants: any item of an open batch.
    item = serializers.PrimaryKeyRelatedField(queryset=AnnotationItem.objects.filter(batch__is_open=True))
    labels = serializers.ListField(child=serializers.CharField(), required=False, help_text=LABELS_HELP)
    skip_reason = serializers.ChoiceField(choices=SkipReason.choices, required=False, allow_blank=True)

    class Meta:
        model = Annotation
        fields = ("id", "item", "labels", "skipped", "skip_reason", "skip_note", "duration_ms", "created")
        read_only_fields = ("id", "created")


class GoldLabelSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="message.account_id", read_only=True)
    contact = serializers.IntegerField(source="message.contact_id", read_only=True, allow_null=True)
    source = serializers.CharField(read_only=True, help_text="unanimous, adjudicated or feedback_confirmed")

    class Meta:
        model = GoldLabel
        fields = ("id", "message", "account", "contact", "labels", "source", "decided_by", "decided_at")
        read_only_fields = fields


class EmotionFeedbackSerializer(serializers.ModelSerializer):
    message = serializers.IntegerField(source="message_id", help_text="A message you can see (else 404).")
    correct_labels = serializers.ListField(child=serializers.CharField(), help_text=LABELS_HELP)
    account = serializers.IntegerField(source="message.account_id", read_only=True)
    contact = serializers.IntegerField(source="message.contact_id", read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True, help_text="new, queued, confirmed or rejected")

    class Meta:
        model = EmotionFeedback
        fields = ("id", "message", "account", "contact", "correct_labels", "note", "predicted", "status", "created")
        read_only_fields = ("id", "account", "contact", "predicted", "status", "created")


class EvaluationRunSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="manual, baseline or candidate")

    class Meta:
        model = EvaluationRun
        fields = ("id", "scoring_model", "model_version", "engine", "kind", "n_items", "metrics", "created")
        read_only_fields = ("id", "model_version", "engine", "kind", "n_items", "metrics", "created")
        extra_kwargs = {
            "scoring_model": {"required": False, "allow_null": True, "queryset": ScoringModel.objects.all()}
        }


class CalibrationRunSerializer(serializers.ModelSerializer):
    # A plain string: other apps already own a "status" enum component in the schema.
    status = serializers.CharField(read_only=True, help_text="queued, running, activated, refused or failed")
    tolerance = serializers.FloatField(required=False, min_value=0, max_value=1)

    class Meta:
        model = CalibrationRun
        fields = (
            "id",
            "status",
            "tolerance",
            "n_gold",
            "baseline_model",
            "candidate_model",
            "baseline_run",
            "candidate_run",
            "decision",
            "artifact_dir",
            "created",
            "started_at",
            "finished_at",
        )
        read_only_fields = tuple(f for f in fields if f != "tolerance")
