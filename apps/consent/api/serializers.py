from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.consent.choices import CHANNEL_CHOICES
from apps.consent.models import ConsentRecord
from apps.core.api.serializers import ValidatedModelSerializer


class ConsentRecordSerializer(ValidatedModelSerializer):
    class Meta:
        model = ConsentRecord
        fields = ("id", "contact", "channel", "status", "origin", "recorded_at", "note", "created")
        read_only_fields = ("id", "created")


class OptOutSerializer(serializers.Serializer):
    """An opt-out forwarded by a CRM: by email (every visible contact known by it) or by contact id."""

    email = serializers.EmailField(required=False)
    contact = serializers.IntegerField(required=False, min_value=1)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=CHANNEL_CHOICES),
        required=False,
        allow_empty=True,
        help_text=_("Source kinds to opt out of; none, or 'all': every channel."),
    )

    def validate(self, attrs):
        if ("email" in attrs) == ("contact" in attrs):
            raise serializers.ValidationError(_('Send either "email" or "contact", not both and not neither.'))
        return attrs


class OptOutReportSerializer(serializers.Serializer):
    """What the opt-out did."""

    channels = serializers.ListField(child=serializers.CharField())
    contacts = serializers.IntegerField()
    contact_ids = serializers.ListField(child=serializers.IntegerField())
    consent_records = serializers.IntegerField()
    messages_reduced = serializers.IntegerField()
    scores_deleted = serializers.IntegerField()
    messages_held = serializers.IntegerField()
    scores_held = serializers.IntegerField()
    holds = serializers.ListField(child=serializers.DictField())


class ErasureReportSerializer(serializers.Serializer):
    """What the erasure removed, and what it kept and why."""

    contact_id = serializers.IntegerField()
    erased_at = serializers.DateTimeField()
    contact_deleted = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    kept = serializers.ListField(child=serializers.DictField())
    holds = serializers.ListField(child=serializers.DictField())
