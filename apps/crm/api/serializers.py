"""API shapes of the CRM app."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.core.api.serializers import ValidatedModelSerializer
from apps.crm.models import Account, Contact, ContactIdentity, Segment


class SegmentSerializer(ValidatedModelSerializer):
    class Meta:
        model = Segment
        fields = ("id", "name", "slug", "description", "created", "updated")


class AccountSerializer(ValidatedModelSerializer):
    # Any active user may be named manager: the visibility of users is not object-governed.
    account_manager = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True
    )
    account_manager_username = serializers.CharField(source="account_manager.username", read_only=True, default=None)

    class Meta:
        model = Account
        fields = (
            "id",
            "name",
            "external_id",
            "domain",
            "tier",
            "is_key_account",
            "account_manager",
            "account_manager_username",
            "segment",
            "journey_stage",
            "lifecycle_status",
            "renewal_date",
            "arr",
            "currency",
            "created",
            "updated",
        )


class ContactIdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactIdentity
        fields = ("kind", "platform", "value")


class ContactSerializer(ValidatedModelSerializer):
    identities = ContactIdentitySerializer(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = (
            "id",
            "account",
            "name",
            "email",
            "phone",
            "title",
            "is_vulnerable",
            "identities",
            "created",
            "updated",
        )


# --- the emotion context (read-only, documented for the OpenAPI schema) -----------------------------


class _ContextAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()
    stage = serializers.CharField(help_text="The account's journey stage.")


class _ContextCurrentSerializer(serializers.Serializer):
    health = serializers.IntegerField(allow_null=True, help_text="0–100; null without scored messages.")
    valence = serializers.FloatField(allow_null=True, help_text="Mean valence, −1..1.")
    intensity = serializers.FloatField(allow_null=True)
    negative_share = serializers.FloatField(allow_null=True, help_text="Share of messages with valence ≤ −0.2.")
    dominant = serializers.CharField(help_text="Dominant business emotion if any, else base emotion (a key).")
    dominant_name = serializers.CharField()
    dominant_base = serializers.CharField()
    dominant_business = serializers.CharField()
    n = serializers.IntegerField(help_text="Scored customer messages in the window.")
    window = serializers.IntegerField(help_text="Days.")
    base_counts = serializers.DictField(child=serializers.IntegerField())
    business_counts = serializers.DictField(child=serializers.IntegerField())


class _ContextTrendSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down", "steady", "unknown"])
    delta = serializers.IntegerField(allow_null=True, help_text="Health points, last 14 days minus the 14 before.")
    previous = serializers.IntegerField(allow_null=True)
    current = serializers.IntegerField(allow_null=True)
    days = serializers.IntegerField()


class _ContextBaselineSerializer(serializers.Serializer):
    segment = serializers.CharField()
    segment_id = serializers.IntegerField(allow_null=True)
    n = serializers.IntegerField()
    health = serializers.IntegerField(allow_null=True)
    valence = serializers.FloatField(allow_null=True)
    negative_share = serializers.FloatField(allow_null=True)


class _ContextDriverSerializer(serializers.Serializer):
    message = serializers.IntegerField(help_text="Message id.")
    contact = serializers.IntegerField(allow_null=True)
    created = serializers.DateTimeField()
    excerpt = serializers.CharField()
    dominant = serializers.CharField()
    dominant_base = serializers.CharField()
    dominant_business = serializers.CharField()
    valence = serializers.FloatField()
    intensity = serializers.FloatField(allow_null=True)
    why = serializers.ListField(child=serializers.CharField(), help_text='Terms that drove it: "furious → anger".')


class _ContextAlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    severity = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    escalation_level = serializers.IntegerField()
    created = serializers.DateTimeField()


class _ContextNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_team = serializers.CharField()
    to_team = serializers.CharField()
    context = serializers.CharField()
    author = serializers.CharField(allow_null=True)
    new_owner = serializers.CharField(allow_null=True)
    created = serializers.DateTimeField()


class _ContextTemplateSerializer(serializers.Serializer):
    template_id = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    emotion = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField(help_text="Filled from the account's and contact's data; edit before use.")
    guidance = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="Placeholders that could not be filled.")
    journey_stage = serializers.CharField()
    channel = serializers.CharField()
    requested_emotion = serializers.CharField()


class EmotionContextSerializer(serializers.Serializer):
    """The compact emotion context of one account, for a CRM sidebar."""

    account = _ContextAccountSerializer()
    current = _ContextCurrentSerializer()
    trend = _ContextTrendSerializer()
    at_risk = serializers.BooleanField()
    baseline = _ContextBaselineSerializer()
    top_drivers = _ContextDriverSerializer(many=True)
    open_alerts = _ContextAlertSerializer(many=True)
    last_handoff_note = _ContextNoteSerializer(allow_null=True)
    suggested_template = _ContextTemplateSerializer(allow_null=True)


class EmbedLinkSerializer(serializers.Serializer):
    """A signed URL of the embeddable panel, to put in a CRM's iframe before it expires."""

    url = serializers.URLField()
    expires_at = serializers.DateTimeField()
    purpose = serializers.CharField()
