"""CRM endpoints: thin, restricted by the base viewset, writes through services."""

from __future__ import annotations

from apps.core.api.viewsets import BaseModelViewSet
from apps.crm import services
from apps.crm.api.serializers import AccountSerializer, ContactSerializer, SegmentSerializer
from apps.crm.models import Account, Contact, Segment


class SegmentViewSet(BaseModelViewSet):
    """Segments: accounts are compared within their segment."""

    queryset = Segment.objects.all()
    serializer_class = SegmentSerializer
    search_fields = ("name", "slug")
    ordering_fields = ("name", "created")

    def perform_create(self, serializer):
        serializer.instance = services.segment_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.segment_save(segment=serializer.instance, **serializer.validated_data)


class AccountViewSet(BaseModelViewSet):
    """Accounts. An account manager sees and edits the accounts assigned to them; nobody else's."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    filterset_fields = ("tier", "is_key_account", "segment", "journey_stage", "lifecycle_status", "account_manager")
    search_fields = ("name", "external_id", "domain")
    ordering_fields = ("name", "arr", "renewal_date", "created")

    def get_base_queryset(self):
        return Account.objects.select_related("segment", "account_manager")

    def perform_create(self, serializer):
        serializer.instance = services.account_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.account_update(account=serializer.instance, **serializer.validated_data)


class ContactViewSet(BaseModelViewSet):
    """Contacts, visible with their account."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_fields = ("account", "is_vulnerable", "email")
    search_fields = ("name", "email")
    ordering_fields = ("name", "created")

    def get_base_queryset(self):
        return Contact.objects.select_related("account").prefetch_related("identities")

    def perform_create(self, serializer):
        serializer.instance = services.contact_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contact_save(contact=serializer.instance, **serializer.validated_data)
