"""API shapes of the scoring app."""

from __future__ import annotations

from rest_framework import serializers

from apps.scoring.models import EmotionScore

MAX_TEXTS = 100
MAX_TEXT_CHARS = 100_000


class EmotionScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmotionScore
        fields = (
            "id",
            "message",
            "account",
            "message_created_at",
            "engine",
            "model_version",
            "status",
            "scores",
            "business_scores",
            "dominant",
            "dominant_business",
            "valence",
            "intensity",
            "confidence",
            "explanation",
            "is_current",
            "created",
        )
        read_only_fields = fields


class ScoreRequestSerializer(serializers.Serializer):
    """``{"text": "..."}`` or ``{"texts": ["...", ...]}``, optionally with a platform and a language."""

    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_TEXT_CHARS)
    texts = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=MAX_TEXT_CHARS),
        required=False,
        min_length=1,
        max_length=MAX_TEXTS,
    )
    platform = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    language = serializers.CharField(required=False, allow_blank=True, default="", max_length=12)

    def validate(self, attrs):
        if ("text" in attrs) == ("texts" in attrs):
            raise serializers.ValidationError(
                "Send either 'text' (one string) or 'texts' (a list), not both or neither."
            )
        attrs["texts"] = [attrs.pop("text")] if "text" in attrs else attrs["texts"]
        return attrs


class ScoreResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    reason = serializers.CharField()
    language = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    scores = serializers.DictField(child=serializers.FloatField())
    labels = serializers.ListField(child=serializers.CharField())
    business_scores = serializers.DictField(child=serializers.FloatField())
    dominant = serializers.CharField()
    dominant_business = serializers.CharField()
    valence = serializers.FloatField(allow_null=True)
    intensity = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True)
    drivers = serializers.ListField(child=serializers.DictField())
    domain_terms = serializers.ListField(child=serializers.CharField())
    sensitive = serializers.BooleanField(help_text="Hardship, health or bereavement cues, or high-intensity distress.")


class ScoreResponseSerializer(serializers.Serializer):
    engine = serializers.CharField()
    model_version = serializers.CharField()
    results = ScoreResultSerializer(many=True)
