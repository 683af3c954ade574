"""Serializers of the alerts API."""

from __future__ import annotations

from rest_framework import serializers

from apps.alerts.models import Alert, AlertEvent, EscalationLevel, EscalationPolicy


class AlertEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = AlertEvent
        fields = ("kind", "actor", "at", "from_status", "to_status", "level", "note")


class AlertSerializer(serializers.ModelSerializer):
    owner = serializers.StringRelatedField()
    # A plain string in the schema: another app's "status" enum already owns that component name.
    status = serializers.CharField(read_only=True, help_text="open, acknowledged, resolved or dismissed")
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    escalation = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = (
            "id",
            "rule",
            "rule_name",
            "account",
            "segment",
            "title",
            "severity",
            "status",
            "owner",
            "dedup_key",
            "dismiss_reason",
            "first_triggered_at",
            "last_triggered_at",
            "trigger_count",
            "evidence",
            "acknowledged_at",
            "closed_at",
            "escalation",
        )
        read_only_fields = fields

    def get_escalation(self, alert: Alert) -> dict:
        return {
            "policy": alert.rule.escalation_policy_id,
            "level": alert.escalation_level,
            "next_escalation_at": alert.next_escalation_at,
        }


class AlertDetailSerializer(AlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = (*AlertSerializer.Meta.fields, "events")
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=False, trim_whitespace=True)


class EscalationLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationLevel
        fields = ("order", "owner_role", "user", "group", "sla_minutes")


class EscalationPolicySerializer(serializers.ModelSerializer):
    levels = EscalationLevelSerializer(many=True, read_only=True)

    class Meta:
        model = EscalationPolicy
        fields = ("id", "name", "description", "levels")
