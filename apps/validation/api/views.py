"""Validation API: batches (read), annotations (create, own list), gold labels (read, purpose-bound), frontline
feedback (create, own list), evaluation runs (read, run one) and calibration runs (read, start one)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response

from apps.core.api.viewsets import BaseReadOnlyViewSet, BaseViewSet
from apps.governance.choices import ProhibitedScope
from apps.validation import selectors, services
from apps.validation.api.serializers import (
    AnnotationBatchSerializer,
    AnnotationSerializer,
    CalibrationRunSerializer,
    EmotionFeedbackSerializer,
    EvaluationRunSerializer,
    GoldLabelSerializer,
)
from apps.validation.models import (
    Annotation,
    AnnotationBatch,
    CalibrationRun,
    EmotionFeedback,
    EvaluationRun,
    GoldLabel,
)


def _as_drf(exc: DjangoValidationError) -> drf_serializers.ValidationError:
    return drf_serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class AnnotationBatchViewSet(BaseReadOnlyViewSet):
    """Annotation batches with their progress (model-wide permission: CX Analysts, annotators)."""

    queryset = AnnotationBatch.objects.all()
    serializer_class = AnnotationBatchSerializer
    filterset_fields = ("strategy", "is_open")

    def get_base_queryset(self):
        return selectors.batches_for(self.request.user)


class AnnotationViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, BaseViewSet):
    """Annotations: an annotator posts their labels for an item (or a skip with its reason) and lists their own.
    Holders of ``validation.view_annotation`` list everyone's."""

    queryset = Annotation.objects.all()
    serializer_class = AnnotationSerializer
    filterset_fields = ("item", "skipped")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm("validation.view_annotation"):
            self.queryset = Annotation.objects.filter(annotator=request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.annotation_submit(
                item=data["item"],
                user=self.request.user,
                labels=data.get("labels") or [],
                skipped=data.get("skipped", False),
                skip_reason=data.get("skip_reason") or "",
                skip_note=data.get("skip_note") or "",
                duration_ms=data.get("duration_ms"),
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None


class GoldLabelViewSet(BaseReadOnlyViewSet):
    """Gold labels of the messages you may see (emotion data: send ``X-Purpose``)."""

    queryset = GoldLabel.objects.all()
    serializer_class = GoldLabelSerializer
    emotion_data = True
    prohibited_rows = {
        ProhibitedScope.VULNERABLE_CONTACTS: Q(message__contact__is_vulnerable=True),
        ProhibitedScope.SENSITIVE_MESSAGES: Q(message__is_sensitive=True),
    }
    filterset_fields = ("source", "message")

    def get_base_queryset(self):
        return GoldLabel.objects.select_related("message")


class EmotionFeedbackViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Frontline "wrong emotion" feedback. ``POST`` {message, correct_labels, note}: the message must be one you
    can see (else 404); it becomes a weak label and joins the annotation queue. Lists show your own feedback
    (emotion data: send ``X-Purpose``)."""

    queryset = EmotionFeedback.objects.all()
    serializer_class = EmotionFeedbackSerializer
    emotion_data = True
    filterset_fields = ("status", "message")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method != "POST":
            self.queryset = selectors.feedback_for(request.user).filter(user=request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        message = selectors.get_message_for_feedback(self.request.user, data["message_id"])
        try:
            serializer.instance = services.feedback_submit(
                user=self.request.user,
                message=message,
                correct_labels=data["correct_labels"],
                note=data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None


class EvaluationRunViewSet(mixins.CreateModelMixin, BaseReadOnlyViewSet):
    """Evaluation runs (history). ``POST`` {scoring_model: id or null for the active one} evaluates that model
    against the gold labels now, in memory."""

    queryset = EvaluationRun.objects.all()
    serializer_class = EvaluationRunSerializer
    filterset_fields = ("model_version", "kind", "scoring_model")

    def perform_create(self, serializer):
        try:
            serializer.instance = services.evaluation_run_create(
                scoring_model=serializer.validated_data.get("scoring_model"), user=self.request.user
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None


class CalibrationRunViewSet(mixins.CreateModelMixin, BaseReadOnlyViewSet):
    """Calibration runs. ``POST`` {tolerance?} queues one (202): it retrains the default engine with the gold
    labels, evaluates it in shadow and activates it only if it is at least as good."""

    queryset = CalibrationRun.objects.all()
    serializer_class = CalibrationRunSerializer
    filterset_fields = ("status",)

    @extend_schema(responses={202: CalibrationRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            run = services.calibration_start(user=request.user, tolerance=serializer.validated_data.get("tolerance"))
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None
        run.refresh_from_db()
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)
