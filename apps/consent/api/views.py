"""Consent records, opt-outs forwarded by a CRM, and data-subject requests (export, erasure)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.consent import services, subject_rights
from apps.consent.api.serializers import (
    ConsentRecordSerializer,
    ErasureReportSerializer,
    OptOutReportSerializer,
    OptOutSerializer,
)
from apps.consent.choices import ConsentOrigin
from apps.consent.models import ConsentRecord
from apps.consent.selectors import contact_emails, contacts_with_email
from apps.core.api.viewsets import BaseViewSet
from apps.crm.models import Contact

#: Who may export or erase a data subject's data.
SUBJECT_REQUEST_PERMISSION = "consent.handle_subject_request"


class ConsentRecordViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Consent history per contact and channel (latest record per channel is in force)."""

    queryset = ConsentRecord.objects.all()
    serializer_class = ConsentRecordSerializer
    filterset_fields = ("contact", "channel", "status", "origin")

    def perform_create(self, serializer):
        serializer.instance = services.consent_record(**serializer.validated_data)


class OptOutViewSet(BaseViewSet):
    """``POST /api/v1/opt-outs/``: a CRM forwards an opt-out; it takes effect at once.

    Needs ``consent.add_consentrecord``. Covers the contacts the user may see: the one named by
    ``contact``, or every one known by ``email``; none visible is a 404.
    """

    queryset = ConsentRecord.objects.all()
    serializer_class = OptOutSerializer

    @extend_schema(request=OptOutSerializer, responses={200: OptOutReportSerializer})
    def create(self, request, *args, **kwargs):
        serializer = OptOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visible = Contact.objects.restrict(request.user, "view")
        if "contact" in data:
            contacts = list(visible.filter(pk=data["contact"]))
            emails = contact_emails(contacts[0]) if contacts else set()
        else:
            contacts = list(contacts_with_email(data["email"], visible))
            emails = {data["email"]}
        if not contacts:
            raise Http404
        report = services.optout_apply(
            contacts=contacts, channels=data.get("channels"), origin=ConsentOrigin.API, emails=emails
        )
        return Response({**report.as_dict(), "contact_ids": sorted(c.pk for c in contacts)}, status=status.HTTP_200_OK)


class HandlesSubjectRequests(permissions.BasePermission):
    message = "Handling data-subject requests needs the consent.handle_subject_request permission."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm(SUBJECT_REQUEST_PERMISSION)


class DataSubjectViewSet(BaseViewSet):
    """Data-subject requests about one contact the user may see (else 404).

    ``GET …/export/``: everything held, as JSON (logged in the data-access log as a data-subject request;
    no ``X-Purpose`` needed). ``POST …/erase/``: erase it, except what a legal hold keeps.
    """

    queryset = Contact.objects.all()
    serializer_class = ErasureReportSerializer
    permission_classes = [permissions.IsAuthenticated, HandlesSubjectRequests]

    def get_queryset(self):
        # Seeing the contact is what is needed, for the erasure too: the right is the subject's.
        return Contact.objects.select_related("account").restrict(self.request.user, "view")

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        contact = self.get_object()
        return Response(subject_rights.subject_export(contact=contact, user=request.user, request=request))

    @extend_schema(request=None, responses={200: ErasureReportSerializer})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        contact = self.get_object()
        report = subject_rights.subject_erase(contact=contact, origin=ConsentOrigin.API)
        return Response(report.as_dict(), status=status.HTTP_200_OK)
