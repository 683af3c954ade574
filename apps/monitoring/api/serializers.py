"""Serializers of the model monitoring API."""

from __future__ import annotations

from rest_framework import serializers

from apps.monitoring.choices import OutcomeKind
from apps.monitoring.models import AccountOutcome, DriftReport


class AccountOutcomeSerializer(serializers.ModelSerializer):
    """An outcome as read back."""

    # A plain string when read (the input documents the enum): one enum in two components collides with other
    # apps' "kind" enums in the OpenAPI schema.
    kind = serializers.CharField(read_only=True, help_text="churned, renewed, expanded or contracted")
    account_external_id = serializers.CharField(source="account.external_id", read_only=True)

    class Meta:
        model = AccountOutcome
        fields = (
            "id",
            "account",
            "account_external_id",
            "kind",
            "occurred_on",
            "value",
            "note",
            "source",
            "external_ref",
            "created",
            "updated",
        )
        read_only_fields = fields


class AccountOutcomeInputSerializer(serializers.Serializer):
    """One outcome to record: name the account by ``account_external_id`` or ``account_id``. Validated by the
    service (``outcomes_record``); this serializer documents the shape."""

    account_external_id = serializers.CharField(required=False)
    account_id = serializers.IntegerField(required=False)
    kind = serializers.ChoiceField(choices=OutcomeKind.choices)
    occurred_on = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    external_ref = serializers.CharField(required=False, allow_blank=True, max_length=120)


class AccountOutcomeBatchSerializer(serializers.Serializer):
    """Up to 1,000 outcomes at once (a bare list is accepted too)."""

    outcomes = AccountOutcomeInputSerializer(many=True)


class RowResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(source="row")
    status = serializers.ChoiceField(choices=("created", "updated", "unchanged", "invalid"))
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class BatchResultSerializer(serializers.Serializer):
    written = serializers.BooleanField()
    summary = serializers.DictField(child=serializers.IntegerField())
    results = RowResultSerializer(many=True)


class DriftReportSerializer(serializers.ModelSerializer):
    iso_week = serializers.CharField(read_only=True)

    class Meta:
        model = DriftReport
        fields = (
            "id",
            "iso_week",
            "week_start",
            "platform",
            "model_version",
            "n_messages",
            "status",
            "psi",
            "psi_labels",
            "psi_confidence",
            "p_labels",
            "p_confidence",
            "label_shares",
            "confidence_hist",
            "reference",
            "unknown_term_rate",
            "tokens",
            "gold_n",
            "gold_accuracy",
            "computed_at",
        )
        read_only_fields = fields


class ModelCardSummarySerializer(serializers.Serializer):
    """One scoring model in the list of model cards."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    engine = serializers.CharField()
    version = serializers.CharField()
    is_active = serializers.BooleanField()


class ValidityQuerySerializer(serializers.Serializer):
    """The parameters of the predictive validity report."""

    as_of = serializers.DateField(required=False, help_text="Reference date (default: see the report).")
    window = serializers.IntegerField(required=False, min_value=7, max_value=365, default=90)
    horizon = serializers.IntegerField(required=False, min_value=7, max_value=365, default=90)
    stage = serializers.CharField(required=False, allow_blank=True, default="")
