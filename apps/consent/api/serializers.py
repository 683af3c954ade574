from apps.consent.models import ConsentRecord
from apps.core.api.serializers import ValidatedModelSerializer


class ConsentRecordSerializer(ValidatedModelSerializer):
    class Meta:
        model = ConsentRecord
        fields = ("id", "contact", "channel", "status", "origin", "recorded_at", "note", "created")
        read_only_fields = ("id", "created")
