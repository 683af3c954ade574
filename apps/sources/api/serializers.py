"""API shapes of the sources app."""

from __future__ import annotations

from rest_framework import serializers

from apps.sources.models import DeadLetter, Message, Source


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ("id", "name", "slug", "kind", "platform", "is_active", "description", "created", "updated")


class MessageSerializer(serializers.ModelSerializer):
    source_slug = serializers.CharField(source="source.slug", read_only=True)
    emotion = serializers.SerializerMethodField(help_text="The current emotion score, or null when not scored.")

    class Meta:
        model = Message
        fields = (
            "id",
            "source",
            "source_slug",
            "external_id",
            "account",
            "contact",
            "author_role",
            "author_handle",
            "text",
            "language",
            "journey_stage",
            "thread_id",
            "created_at_source",
            "received_at",
            "status",
            "emotion",
        )
        read_only_fields = fields

    def get_emotion(self, obj: Message) -> dict | None:
        from apps.scoring.api.serializers import EmotionScoreSerializer

        current = getattr(obj, "current_scores", None)
        if current is None:
            current = [s for s in obj.emotion_scores.all() if s.is_current]
        return EmotionScoreSerializer(current[0]).data if current else None


class DeadLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadLetter
        fields = (
            "id",
            "source",
            "channel",
            "payload",
            "raw_body",
            "reason",
            "errors",
            "status",
            "attempts",
            "replayed_at",
            "created",
        )
        read_only_fields = fields
