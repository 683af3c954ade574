"""Serializers of the coaching API: reviews (with their conversations and actions) and an agent's figures."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.coaching import selectors
from apps.coaching.models import AgentProfile, CoachingReview, DiscussedConversation, ReviewAction
from apps.sources.models import Source


class AgentProfileSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None)

    class Meta:
        model = AgentProfile
        fields = ("id", "username", "name", "team", "team_name", "handles", "is_active")
        read_only_fields = fields


class DiscussedConversationSerializer(serializers.ModelSerializer):
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all())
    thread_id = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        model = DiscussedConversation
        fields = ("source", "thread_id", "note")


class ReviewActionSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())

    class Meta:
        model = ReviewAction
        fields = ("text", "owner", "due_date")


class CoachingReviewSerializer(serializers.ModelSerializer):
    """A review; on create, ``agent`` must be a member of a team the caller supervises."""

    agent = serializers.PrimaryKeyRelatedField(queryset=AgentProfile.objects.none())
    supervisor = serializers.CharField(source="supervisor.username", read_only=True)
    # A plain string in the schema: another app's "status" enum already owns that component name.
    status = serializers.CharField(read_only=True, help_text="draft, shared or signed")
    conversations = DiscussedConversationSerializer(many=True, required=False)
    actions = ReviewActionSerializer(many=True, required=False)

    class Meta:
        model = CoachingReview
        fields = (
            "id",
            "agent",
            "supervisor",
            "period_start",
            "period_end",
            "notes",
            "status",
            "shared_at",
            "supervisor_signed_at",
            "agent_signed_at",
            "agent_comment",
            "conversations",
            "actions",
        )
        read_only_fields = ("status", "shared_at", "supervisor_signed_at", "agent_signed_at", "agent_comment")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        self.fields["agent"].queryset = selectors.agents_coachable_by(user) if user else AgentProfile.objects.none()
        if self.instance is not None:  # the agent and period of an existing review do not change
            for name in ("agent", "period_start", "period_end"):
                self.fields[name].read_only = True


class SignSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class CustomerEmotionSerializer(serializers.Serializer):
    message = serializers.IntegerField(source="message_id")
    at = serializers.DateTimeField()
    valence = serializers.FloatField()
    dominant = serializers.CharField()
    band = serializers.CharField()


class ConversationSerializer(serializers.Serializer):
    source = serializers.IntegerField(source="source_id")
    thread_id = serializers.CharField()
    account = serializers.IntegerField(source="account_id", allow_null=True)
    contact = serializers.IntegerField(source="contact_id", allow_null=True)
    first_reply_at = serializers.DateTimeField()
    last_reply_at = serializers.DateTimeField()
    agent_messages = serializers.IntegerField()
    start = CustomerEmotionSerializer(allow_null=True)
    end = CustomerEmotionSerializer(allow_null=True)
    recovered = serializers.BooleanField(allow_null=True)
    repeat_contact = serializers.BooleanField()
    behaviours = serializers.ListField(child=serializers.CharField())
    hostile = serializers.BooleanField()
    shift = serializers.IntegerField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["behaviours"] = sorted(instance.behaviours)
        return data


class ShiftSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    conversations = serializers.IntegerField()
    hostile = serializers.IntegerField()
    longest_hostile_run = serializers.IntegerField()


class AgentMetricsSerializer(serializers.Serializer):
    """An agent's figures over a period, with what each measures and the thresholds behind them."""

    agent = serializers.IntegerField(source="agent_id")
    period_from = serializers.DateField(source="period.start")
    period_to = serializers.DateField(source="period.end")
    summary = serializers.DictField(help_text="The figures: counts, rates (0..1 or null), exposure, support flag.")
    explanations = serializers.DictField(help_text="Per figure: label, what it measures, why, how it could mislead.")
    thresholds = serializers.DictField()
    not_used = serializers.ListField(child=serializers.DictField(), help_text="What is deliberately not measured.")
    shifts = ShiftSerializer(many=True)
    conversations = ConversationSerializer(many=True)
