"""Consent records: readable with their contact; new statements are added, never edited."""

from rest_framework import mixins

from apps.consent import services
from apps.consent.api.serializers import ConsentRecordSerializer
from apps.consent.models import ConsentRecord
from apps.core.api.viewsets import BaseViewSet


class ConsentRecordViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Consent history per contact and channel (latest record per channel is in force)."""

    queryset = ConsentRecord.objects.all()
    serializer_class = ConsentRecordSerializer
    filterset_fields = ("contact", "channel", "status", "origin")

    def perform_create(self, serializer):
        serializer.instance = services.consent_record(**serializer.validated_data)
