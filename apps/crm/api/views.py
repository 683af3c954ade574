"""CRM endpoints: thin, restricted by the base viewset, writes through services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.viewsets import BaseModelViewSet, BaseViewSet
from apps.crm import embedding, selectors, services
from apps.crm.api.serializers import (
    AccountSerializer,
    ContactSerializer,
    EmbedLinkSerializer,
    EmotionContextSerializer,
    SegmentSerializer,
)
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


class AccountEmotionContextViewSet(BaseViewSet):
    """``GET /api/v1/accounts/<id>/emotion-context/``: emotion data, so ``X-Purpose`` is required and the read
    is logged with the account and the contacts whose messages it returns; an account you may not see is a 404."""

    queryset = Account.objects.all()
    serializer_class = EmotionContextSerializer
    emotion_data = True
    read_actions = ("embed_link",)
    pagination_class = None

    def get_base_queryset(self):
        return Account.objects.select_related("segment")

    @extend_schema(
        summary="The emotion context of an account (CRM sidebar)",
        parameters=[
            OpenApiParameter(
                "X-Purpose", str, OpenApiParameter.HEADER, required=True, description="Why you read it, e.g. support."
            )
        ],
        responses={200: EmotionContextSerializer},
    )
    @action(detail=True, methods=["get"], url_path="emotion-context", url_name="emotion-context")
    def emotion_context(self, request, pk=None):
        account = self.get_object()
        decision = self.purpose_decision
        context = selectors.account_context(
            user=request.user, account=account, withheld_scopes=decision.withheld_scopes
        )
        self.accessed = ([account.pk], context.contact_ids)
        return Response(EmotionContextSerializer(context.as_dict()).data)

    @extend_schema(
        summary="A signed, short-lived link to the embeddable panel (for a CRM on another site)",
        description=(
            "The panel opened with this URL shows what the requesting user may see, for the purpose stated here; "
            "each view is checked and logged again. Valid for CRM_EMBED_LINK_SECONDS (default 300 s)."
        ),
        parameters=[
            OpenApiParameter(
                "X-Purpose", str, OpenApiParameter.HEADER, required=True, description="Why the panel is shown."
            )
        ],
        request=None,
        responses={201: EmbedLinkSerializer},
    )
    @action(detail=True, methods=["post"], url_path="embed-link", url_name="embed-link")
    def embed_link(self, request, pk=None):
        account = self.get_object()
        link = embedding.embed_link_create(
            user=request.user, account_id=account.pk, purpose_key=self.purpose_decision.purpose
        )
        self.accessed = ([account.pk], [])
        return Response(EmbedLinkSerializer(link).data, status=status.HTTP_201_CREATED)

    def finalize_response(self, request, response, *args, **kwargs):
        # The context is not a row of the queryset: log whose data it held here, instead of the base's row scan.
        decision = getattr(self, "purpose_decision", None)
        accessed = getattr(self, "accessed", None)
        if decision is not None and decision.log is not None and accessed and response.status_code < 400:
            from apps.governance import services as governance

            accounts, contacts = accessed
            governance.access_update(log=decision.log, account_ids=accounts, contact_ids=contacts, count=1)
            self.purpose_decision = None
        return super().finalize_response(request, response, *args, **kwargs)
