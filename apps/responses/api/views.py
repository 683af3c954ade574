"""Response templates API: the library (written through the service, so every change is a version), rendering
for an account, the version history, and recording use."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.viewsets import BaseViewSet
from apps.crm.selectors import contact_list, get_account_for_user
from apps.governance.choices import ProhibitedScope
from apps.responses import selectors, services
from apps.responses.api.serializers import (
    RenderedSerializer,
    RenderRequestSerializer,
    ResponseTemplateSerializer,
    ResponseTemplateVersionSerializer,
    TemplateUsageSerializer,
)
from apps.responses.models import ResponseTemplate, TemplateUsage


class ResponseTemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Templates, visible with ``responses.view_responsetemplate``; created with ``add``, changed with ``change``
    (without it, a template is a 404 to a write). Retire a template with ``is_active=false``: uses refer to it.

    ``render`` fills a template for an account and needs only view rights on both. It reads account and contact
    fields (names, renewal date), not emotion data, so it states no purpose: the emotional state is the
    template's own key, not something inferred about this account.
    """

    queryset = ResponseTemplate.objects.all()
    serializer_class = ResponseTemplateSerializer
    filterset_fields = ("emotion", "journey_stage", "channel", "is_active")
    ordering_fields = ("name", "emotion", "updated")
    search_fields = ("name", "subject", "body")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "render_for":
            # A POST would map to "add"; rendering only reads the template.
            self.queryset = self.get_base_queryset().restrict(request.user, "view")

    def perform_create(self, serializer):
        serializer.instance = services.template_save(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.template_save(
            template=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def get_serializer_class(self):
        if self.action == "render_for":
            return RenderRequestSerializer
        if self.action == "versions":
            return ResponseTemplateVersionSerializer
        return ResponseTemplateSerializer

    @extend_schema(request=RenderRequestSerializer, responses={200: RenderedSerializer})
    @action(detail=True, methods=["post"], url_path="render", url_name="render")
    def render_for(self, request, pk=None):
        """The template filled for an account (and contact) you may see; another account is a 404."""
        template = self.get_object()
        data = RenderRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = get_account_for_user(user=request.user, pk=data.validated_data["account"])
        contact = None
        if data.validated_data.get("contact"):
            contact = contact_list(user=request.user).filter(pk=data.validated_data["contact"], account=account).first()
            if contact is None:
                raise Http404("No such contact at this account.")
        suggestion = selectors.suggestion_for(template, account=account, contact=contact, user=request.user)
        return Response(RenderedSerializer(suggestion.as_dict()).data)

    @extend_schema(responses={200: ResponseTemplateVersionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        """Every version of the template, newest first."""
        template = self.get_object()
        versions = selectors.template_versions(template=template)
        return Response(ResponseTemplateVersionSerializer(versions, many=True).data)


class TemplateUsageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BaseViewSet):
    """Uses of templates, visible through their account. Which template was used for an account says what
    emotional state we saw in it, so reads are emotion data: they state a purpose (``X-Purpose``) and are logged.

    Recording one needs ``responses.add_templateusage`` and view rights on the account (another account,
    template or contact is a 404); a reply that still holds placeholders is refused (400).
    """

    queryset = TemplateUsage.objects.all()
    serializer_class = TemplateUsageSerializer
    emotion_data = True
    prohibited_rows = {ProhibitedScope.VULNERABLE_CONTACTS: Q(contact__is_vulnerable=True)}
    filterset_fields = ("template", "account", "contact", "channel", "edited")
    ordering_fields = ("used_at",)

    def get_base_queryset(self):
        return TemplateUsage.objects.select_related("template", "version", "account", "user")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template, version, account, contact = selectors.usage_targets(
            user=request.user,
            template_pk=data["template_id"],
            version_number=data["version"]["number"],
            account_pk=data["account_id"],
            contact_pk=data.get("contact_id"),
        )
        usage = services.template_usage_record(
            template=template,
            version=version,
            account=account,
            contact=contact,
            user=request.user,
            channel=data.get("channel", ""),
            subject=data.get("subject", ""),
            body=data["body"],
        )
        return Response(self.get_serializer(usage).data, status=status.HTTP_201_CREATED)
