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
