"""Alerts API: listable and actionable by integrations, restricted like everything else."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.alerts import services
from apps.alerts.api.serializers import (
    AlertDetailSerializer,
    AlertSerializer,
    DismissSerializer,
    EscalationPolicySerializer,
    NoteSerializer,
)
from apps.alerts.models import Alert, EscalationPolicy
from apps.core.api.viewsets import BaseReadOnlyViewSet


class AlertViewSet(BaseReadOnlyViewSet):
    """Alerts visible through their account. The actions need change rights on the account (a POST is
    restricted to ``change`` on the parent) or the model-wide ``alerts.change_alert``; otherwise 404."""

    queryset = Alert.objects.all()
    serializer_class = AlertSerializer
    emotion_data = True
    filterset_fields = ("status", "severity", "rule", "account", "owner")
    ordering_fields = ("last_triggered_at", "first_triggered_at", "severity")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action in ("acknowledge", "resolve", "dismiss"):
            # A POST would map to "add"; acting on an alert is changing it.
            self.queryset = self.get_base_queryset().restrict(request.user, "change")

    def get_base_queryset(self):
        return Alert.objects.select_related("rule", "owner").prefetch_related("events__actor")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AlertDetailSerializer
        if self.action == "dismiss":
            return DismissSerializer
        if self.action in ("acknowledge", "resolve"):
            return NoteSerializer
        return AlertSerializer

    def _act(self, request, service, **extra):
        alert = self.get_object()
        try:
            alert = service(alert=alert, user=request.user, **extra)
        except DjangoValidationError as exc:
            raise drf_serializers.ValidationError(exc.message_dict) from None
        return Response(AlertDetailSerializer(alert, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(request, services.alert_acknowledge, note=data.validated_data.get("note", ""))

    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(request, services.alert_resolve, note=data.validated_data.get("note", ""))

    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        data = DismissSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(request, services.alert_dismiss, reason=data.validated_data["reason"])


class EscalationPolicyViewSet(BaseReadOnlyViewSet):
    """Escalation policies and their levels (model-wide permission)."""

    queryset = EscalationPolicy.objects.all()
    serializer_class = EscalationPolicySerializer

    def get_base_queryset(self):
        return EscalationPolicy.objects.prefetch_related("levels")
