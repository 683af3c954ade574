"""Coaching API: an agent's figures (read-only) and coaching reviews with share and sign actions.

The same rule as the pages (``apps.coaching.selectors``): a supervisor reaches their teams' agents and reviews,
an agent their own; anyone else gets a 404. Everything here is coaching data: every request states
``X-Purpose: coaching`` and lands in the data-access log (another purpose is refused, 403, logged).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.coaching import metrics, selectors, services
from apps.coaching.api.serializers import (
    AgentMetricsSerializer,
    AgentProfileSerializer,
    CoachingReviewSerializer,
    SignSerializer,
)
from apps.coaching.models import AgentProfile, CoachingReview
from apps.core.api.viewsets import BaseViewSet
from apps.governance import services as governance

COACHING = "coaching"
PURPOSE_PARAMETER = OpenApiParameter(
    "X-Purpose", str, OpenApiParameter.HEADER, required=True, enum=[COACHING], description="Always coaching."
)


class CoachingPurposeMixin:
    """Every request (reads and writes) states ``X-Purpose: coaching``; another purpose is refused and logged."""

    emotion_data = True
    only_purpose = COACHING

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self._bind_purpose(request)  # writes state a purpose too: they show the review back
        self.queryset = self.visible(request)

    def visible(self, request):
        raise NotImplementedError


def _period(params) -> metrics.Period:
    try:
        return metrics.period_parse(params)
    except ValueError as exc:
        raise drf_serializers.ValidationError({"period": [str(exc)]}) from None


@extend_schema_view(
    list=extend_schema(parameters=[PURPOSE_PARAMETER]), retrieve=extend_schema(parameters=[PURPOSE_PARAMETER])
)
class AgentViewSet(CoachingPurposeMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Agents of the teams you supervise (or yourself, as an agent), and their figures per period."""

    queryset = AgentProfile.objects.all()
    serializer_class = AgentProfileSerializer

    def visible(self, request):
        return selectors.agents_visible_to(request.user)

    @extend_schema(
        parameters=[
            PURPOSE_PARAMETER,
            OpenApiParameter("from", str, description="First day, YYYY-MM-DD (with to)."),
            OpenApiParameter("to", str, description="Last day, YYYY-MM-DD (with from)."),
            OpenApiParameter("period", str, enum=["7", "30", "90"], description="Or the last N days (default 30)."),
        ],
        responses={200: AgentMetricsSerializer, 400: OpenApiResponse(description="A bad period, saying why.")},
    )
    @action(detail=True, methods=["get"])
    def metrics(self, request, pk=None):
        """``GET /api/v1/coaching/agents/<id>/metrics/?from=&to=``: customer outcomes, behaviour, exposure."""
        agent = self.get_object()
        period = _period(request.query_params)
        figures = selectors.agent_metrics(agent, period)
        payload = {
            "agent_id": agent.pk,
            "period": period,
            "summary": figures.summary(),
            "explanations": {k: {n: str(t) for n, t in v.items()} for k, v in metrics.EXPLANATIONS.items()},
            "thresholds": metrics.thresholds(),
            "not_used": [{"name": str(n), "why": str(w)} for n, w in metrics.NOT_USED],
            "shifts": figures.shifts,
            "conversations": figures.conversations,
        }
        self.shown = figures.conversations
        return Response(AgentMetricsSerializer(payload).data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        decision = getattr(self, "purpose_decision", None)
        shown = getattr(self, "shown", None)
        if decision is not None and decision.log is not None and shown is not None and response.status_code < 400:
            accounts = [c.account_id for c in shown if c.account_id]
            contacts = [c.contact_id for c in shown if c.contact_id]
            governance.access_update(log=decision.log, account_ids=accounts, contact_ids=contacts, count=len(shown))
        return response


@extend_schema_view(
    list=extend_schema(parameters=[PURPOSE_PARAMETER]),
    retrieve=extend_schema(parameters=[PURPOSE_PARAMETER]),
    create=extend_schema(parameters=[PURPOSE_PARAMETER]),
    partial_update=extend_schema(parameters=[PURPOSE_PARAMETER]),
)
class CoachingReviewViewSet(
    CoachingPurposeMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Coaching reviews: a supervisor creates and edits a draft, shares it; the agent and the supervisor sign it.

    Refusals say why (400): editing a shared or signed review, signing a draft, signing twice.
    """

    queryset = CoachingReview.objects.all()
    serializer_class = CoachingReviewSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ("agent", "status")

    def visible(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return selectors.reviews_visible_to(request.user)
        return selectors.reviews_writable_by(request.user)

    @staticmethod
    def _call(service, **kwargs):
        try:
            return service(**kwargs)
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            raise drf_serializers.ValidationError(detail) from None

    @staticmethod
    def _refs(data) -> tuple[list, list]:
        conversations = [
            services.ConversationRef(source_id=c["source"].pk, thread_id=c["thread_id"], note=c.get("note", ""))
            for c in data.get("conversations", [])
        ]
        actions = [
            services.ActionInput(text=a["text"], owner_id=a["owner"].pk, due_date=a["due_date"])
            for a in data.get("actions", [])
        ]
        return conversations, actions

    def perform_create(self, serializer):
        data = serializer.validated_data
        conversations, actions = self._refs(data)
        serializer.instance = self._call(
            services.review_create,
            supervisor=self.request.user,
            agent=data["agent"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            notes=data.get("notes", ""),
            conversations=conversations,
            actions=actions,
        )

    def perform_update(self, serializer):
        review, data = serializer.instance, serializer.validated_data
        conversations, actions = self._refs(data)
        if "conversations" not in data:
            conversations = [
                services.ConversationRef(source_id=c.source_id, thread_id=c.thread_id, note=c.note)
                for c in review.conversations.all()
            ]
        if "actions" not in data:
            actions = [
                services.ActionInput(text=a.text, owner_id=a.owner_id, due_date=a.due_date)
                for a in review.actions.all()
            ]
        serializer.instance = self._call(
            services.review_update,
            review=review,
            user=self.request.user,
            notes=data.get("notes", review.notes),
            conversations=conversations,
            actions=actions,
        )

    def _respond(self, review):
        review = selectors.reviews_visible_to(self.request.user).get(pk=review.pk)
        return Response(CoachingReviewSerializer(review, context=self.get_serializer_context()).data)

    @extend_schema(parameters=[PURPOSE_PARAMETER], request=None, responses={200: CoachingReviewSerializer})
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """Share a draft with the agent (its supervisor only)."""
        review = self.get_object()
        return self._respond(self._call(services.review_share, review=review, user=request.user))

    @extend_schema(parameters=[PURPOSE_PARAMETER], request=SignSerializer, responses={200: CoachingReviewSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign a shared review: the agent (with an optional comment) or its supervisor, once each."""
        review = self.get_object()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signed = self._call(
            services.review_sign, review=review, user=request.user, comment=data.validated_data["comment"]
        )
        return self._respond(signed)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}
