"""Serializers of the response templates API."""

from __future__ import annotations

from rest_framework import serializers

from apps.responses import placeholders
from apps.responses.models import ResponseTemplate, ResponseTemplateVersion, TemplateUsage
from apps.sources.choices import SourceKind

# A plain string in the schema: the sources app's "channel" enum (how a message arrived) owns that component name.
CHANNEL_HELP = "A source kind: " + ", ".join(SourceKind.values) + "."


class ResponseTemplateSerializer(serializers.ModelSerializer):
    """A template with its current text. Writes go through ``services.template_save`` (a version per change)."""

    emotion = serializers.CharField(
        max_length=40,
        help_text="A key of the live taxonomy: a business emotion (frustration, delight, …) or a base emotion "
        "(anger, joy, …).",
    )
    subject = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=f"Placeholders: {placeholders.syntax_help()}"
    )
    body = serializers.CharField(help_text=f"Placeholders: {placeholders.syntax_help()}")
    channel = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=f"{CHANNEL_HELP} Blank: any."
    )

    class Meta:
        model = ResponseTemplate
        fields = (
            "id",
            "name",
            "emotion",
            "journey_stage",
            "channel",
            "subject",
            "body",
            "guidance",
            "is_active",
            "current_version",
            "created",
            "updated",
        )
        read_only_fields = ("current_version", "created", "updated")


class ResponseTemplateVersionSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = ResponseTemplateVersion
        fields = ("number", "subject", "body", "guidance", "author", "restored_from", "created_at")
        read_only_fields = fields


class RenderRequestSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, help_text="An account you may see.")
    contact = serializers.IntegerField(min_value=1, required=False, help_text="A contact at that account.")


class RenderedSerializer(serializers.Serializer):
    """A template filled for an account: ``missing`` lists the placeholders left unfilled (still in the text)."""

    template_id = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    emotion = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    guidance = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())
    journey_stage = serializers.CharField()
    channel = serializers.CharField()
    requested_emotion = serializers.CharField()


class TemplateUsageSerializer(serializers.ModelSerializer):
    """One use of a template. Post the text actually sent; only its SHA-256 and length are kept."""

    version = serializers.IntegerField(source="version.number", help_text="The version number that was shown.")
    user = serializers.StringRelatedField()
    subject = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)
    body = serializers.CharField(write_only=True, help_text="The reply as sent (after any edits).")
    account = serializers.IntegerField(source="account_id", min_value=1)
    contact = serializers.IntegerField(source="contact_id", min_value=1, required=False, allow_null=True)
    template = serializers.IntegerField(source="template_id", min_value=1)
    channel = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=CHANNEL_HELP)

    class Meta:
        model = TemplateUsage
        fields = (
            "id",
            "template",
            "version",
            "account",
            "contact",
            "user",
            "channel",
            "subject",
            "body",
            "edited",
            "text_sha256",
            "text_length",
            "used_at",
        )
        read_only_fields = ("user", "edited", "text_sha256", "text_length", "used_at")
