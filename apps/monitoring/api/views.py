"""Model monitoring API: outcomes (business data: no purpose needed), drift reports, model cards, and the
predictive validity report (emotion data joined with outcomes: ``X-Purpose: analytics``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from apps.core.api.viewsets import BaseReadOnlyViewSet, BaseViewSet
from apps.crm.choices import JourneyStage
from apps.monitoring import modelcard, selectors, services
from apps.monitoring.api.serializers import (
    AccountOutcomeBatchSerializer,
    AccountOutcomeSerializer,
    BatchResultSerializer,
    DriftReportSerializer,
    ModelCardSummarySerializer,
    ValidityQuerySerializer,
)
from apps.monitoring.models import AccountOutcome, DriftReport
from apps.monitoring.purpose import ANALYTICS, api_bind_analytics

_PURPOSE = OpenApiParameter(
    "X-Purpose",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    enum=[ANALYTICS],
    description="Why: analytics.",
)


class HasPerm(permissions.BasePermission):
    """The whole endpoint needs one model-wide permission (a report, not a row): 403 without it."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(view.required_perm))


class AccountOutcomeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Outcomes of the accounts you may see. ``POST`` one outcome, a list, or ``{"outcomes": [...]}`` (at most
    1,000): every item is validated first and, when any is invalid, nothing is written and each item's errors
    are returned (400). With ``?partial=true`` the valid items are written and the rest reported (207).
    Recording the same (account, kind, date) again updates its value and note, or is ``unchanged``.
    Needs ``monitoring.add_accountoutcome`` (the Integration and CX Analyst roles)."""

    queryset = AccountOutcome.objects.all()
    serializer_class = AccountOutcomeSerializer
    filterset_fields = ("kind", "account", "source")
    ordering_fields = ("occurred_on", "created")

    def get_base_queryset(self):
        return AccountOutcome.objects.select_related("account")

    @extend_schema(
        request=AccountOutcomeBatchSerializer,
        parameters=[
            OpenApiParameter("partial", OpenApiTypes.BOOL, description="Write the valid items, report the rest.")
        ],
        responses={
            201: BatchResultSerializer,
            200: BatchResultSerializer,
            207: BatchResultSerializer,
            400: BatchResultSerializer,
        },
    )
    def create(self, request, *args, **kwargs):
        data = request.data
        single = isinstance(data, dict) and "outcomes" not in data
        items = [data] if single else data.get("outcomes") if isinstance(data, dict) else data
        if not isinstance(items, list) or not items:
            raise exceptions.ValidationError({"outcomes": ['Send one outcome, a list, or {"outcomes": [...]}.']})
        partial = str(request.query_params.get("partial", "")).lower() in ("1", "true", "yes")
        try:
            report = services.outcomes_record(items=items, user=request.user, partial=partial)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"outcomes": exc.messages}) from None
        body = BatchResultSerializer(
            {"written": report.written, "summary": report.summary(), "results": report.results}
        ).data
        if not report.written or (report.errors and not any(r.status != "invalid" for r in report.results)):
            code = status.HTTP_400_BAD_REQUEST
        elif report.errors:
            code = status.HTTP_207_MULTI_STATUS
        elif report.count("created"):
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_200_OK
        return Response(body, status=code)


class DriftReportViewSet(BaseReadOnlyViewSet):
    """Weekly drift reports per platform and model version: distributions of customers' emotions, aggregated
    (no account's or contact's data), read like the drift page for analytics only: send ``X-Purpose: analytics``.
    Needs ``monitoring.view_driftreport`` (CX Analyst, Privacy Officer, Admin); without it the list is empty."""

    queryset = DriftReport.objects.all()
    serializer_class = DriftReportSerializer
    filterset_fields = ("platform", "model_version", "status", "week_start")
    ordering_fields = ("week_start", "psi")
    emotion_data = True
    only_purpose = ANALYTICS

    @extend_schema(parameters=[_PURPOSE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[_PURPOSE])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class ModelCardViewSet(ViewSet):
    """The model card of a scoring model version, as JSON. Needs ``monitoring.view_model_card`` (Admin,
    Privacy Officer, CX Analyst); it holds no one's emotion data, so no purpose is asked."""

    permission_classes = [permissions.IsAuthenticated, HasPerm]
    required_perm = selectors.MODEL_CARD_PERMISSION
    lookup_value_regex = r"\d+"

    @extend_schema(responses={200: ModelCardSummarySerializer(many=True)})
    def list(self, request):
        models = selectors.model_cards_for(request.user)
        return Response(ModelCardSummarySerializer(models, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The scoring model's id.")],
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiResponse(description="No such scoring model.")},
    )
    def retrieve(self, request, pk=None):
        return Response(modelcard.model_card(selectors.get_scoring_model_for_user(request.user, int(pk))))


class PredictiveValidityViewSet(ViewSet):
    """Churn within the horizon by expressed-emotion cohort, lift, and the AUC of each emotion feature (and of a
    cross-validated combined model), overall and by journey stage, over the accounts you may see. Emotion data:
    send ``X-Purpose: analytics``. Needs ``monitoring.view_validity_report``."""

    permission_classes = [permissions.IsAuthenticated, HasPerm]
    required_perm = selectors.REPORT_PERMISSION

    @extend_schema(
        parameters=[
            ValidityQuerySerializer,
            _PURPOSE,
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        query = ValidityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        stage = params.get("stage", "")
        if stage and stage not in JourneyStage.values:
            raise exceptions.ValidationError(
                {"stage": [f"Unknown stage {stage!r}; one of {', '.join(JourneyStage.values)}."]}
            )
        log = api_bind_analytics(request, resource="api:predictive-validity")
        as_of = params.get("as_of") or selectors.default_reference_date(horizon_days=params["horizon"])
        data, result = selectors.validity_report(
            user=request.user, as_of=as_of, window_days=params["window"], horizon_days=params["horizon"], stage=stage
        )
        from apps.governance import services as governance

        governance.access_update(log=log, account_ids=data.account_ids, contact_ids=[], count=len(data.rows))
        return Response(
            {
                "as_of": as_of.isoformat(),
                "window_days": data.window_days,
                "horizon_days": data.horizon_days,
                "horizon_complete": data.horizon_complete,
                "stage": stage,
                "accounts_without_messages": data.silent,
                "excluded_already_churned": data.excluded_already_churned,
                **result,
            }
        )
