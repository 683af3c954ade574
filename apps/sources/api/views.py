"""Read endpoints of the sources app (ingestion arrives through its own endpoints)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, Q

from apps.core.api.viewsets import BaseReadOnlyViewSet
from apps.governance.choices import ProhibitedScope
from apps.sources.api.ingest import MessageIngestMixin
from apps.sources.api.serializers import DeadLetterSerializer, MessageSerializer, SourceSerializer
from apps.sources.models import DeadLetter, Message, Source


class SourceViewSet(BaseReadOnlyViewSet):
    """Sources of communications."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_fields = ("kind", "platform", "is_active")
    search_fields = ("name", "slug")


class MessageFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="created_at_source", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at_source", lookup_expr="lt")

    class Meta:
        model = Message
        fields = ("source", "account", "contact", "author_role", "status", "journey_stage", "thread_id", "language")


class MessageViewSet(MessageIngestMixin, BaseReadOnlyViewSet):
    """Messages of the accounts you may see, newest first. POST ingests one message or a batch of up to 1,000
    (needs ``sources.add_message``); send ``Idempotency-Key`` to make retries safe."""

    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    emotion_data = True  # messages carry their emotion, and are customers' words
    prohibited_rows = {
        ProhibitedScope.VULNERABLE_CONTACTS: Q(contact__is_vulnerable=True),
        ProhibitedScope.SENSITIVE_MESSAGES: Q(is_sensitive=True),
    }
    filterset_class = MessageFilter
    ordering_fields = ("created_at_source", "received_at")

    def get_base_queryset(self):
        from apps.scoring.models import EmotionScore

        current = Prefetch(
            "emotion_scores", queryset=EmotionScore.objects.filter(is_current=True), to_attr="current_scores"
        )
        return Message.objects.select_related("source").prefetch_related(current)


class DeadLetterViewSet(BaseReadOnlyViewSet):
    """What ingestion could not accept, with the reason."""

    queryset = DeadLetter.objects.all()
    serializer_class = DeadLetterSerializer
    filterset_fields = ("status", "channel", "source")
