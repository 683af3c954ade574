"""Scoring endpoints: stored scores (restricted) and ad-hoc scoring for integrations (no storage)."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.viewsets import BaseReadOnlyViewSet
from apps.governance.choices import ProhibitedScope
from apps.scoring import pipeline, services
from apps.scoring.api.serializers import EmotionScoreSerializer, ScoreRequestSerializer, ScoreResponseSerializer
from apps.scoring.models import EmotionScore


class EmotionScoreViewSet(BaseReadOnlyViewSet):
    """Emotion scores of the messages you may see. ``?all_versions=1`` includes earlier model versions."""

    queryset = EmotionScore.objects.all()
    serializer_class = EmotionScoreSerializer
    emotion_data = True
    prohibited_rows = {
        ProhibitedScope.VULNERABLE_CONTACTS: Q(message__contact__is_vulnerable=True),
        ProhibitedScope.SENSITIVE_MESSAGES: Q(message__is_sensitive=True),
    }
    filterset_fields = ("message", "account", "dominant", "dominant_business", "model_version", "status", "engine")
    ordering_fields = ("message_created_at", "valence", "intensity")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("all_versions") not in ("1", "true"):
            queryset = queryset.filter(is_current=True)
        return queryset


class CanScoreText(permissions.BasePermission):
    message = "Scoring ad-hoc text needs the 'scoring.score_text' permission (the Integration role has it)."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("scoring.score_text")


class ScoreTextView(APIView):
    """``POST /api/v1/score``: score text with the active engine; nothing is stored."""

    permission_classes = [permissions.IsAuthenticated, CanScoreText]

    @extend_schema(request=ScoreRequestSerializer, responses=ScoreResponseSerializer)
    def post(self, request, *args, **kwargs):
        serializer = ScoreRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        engine = services.active_engine()
        n = len(data["texts"])
        results = pipeline.score_texts(
            data["texts"], engine=engine, platforms=[data["platform"]] * n, languages=[data["language"] or None] * n
        )
        return Response(
            {"engine": engine.name, "model_version": engine.version, "results": [r.as_dict() for r in results]}
        )
