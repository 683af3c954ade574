"""Admin: draw and close annotation batches, read annotations, gold labels, feedback, evaluation and calibration
runs; roll back to an earlier model version. Writes go through the services."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html

from apps.governance.pages import PurposeBoundAdminMixin
from apps.scoring.engines.base import EngineUnavailable
from apps.validation import services
from apps.validation.forms import BatchForm
from apps.validation.models import (
    Annotation,
    AnnotationBatch,
    AnnotationItem,
    CalibrationRun,
    EmotionFeedback,
    EvaluationRun,
    GoldLabel,
    ModelActivation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only: viewable here, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AnnotationBatch)
class AnnotationBatchAdmin(admin.ModelAdmin):
    list_display = ("name", "strategy", "size", "annotators_required", "seed", "is_open", "created_by", "created")
    list_filter = ("strategy", "is_open")
    search_fields = ("name",)
    readonly_fields = ("strategy", "size", "seed", "annotators_required", "platform", "created_by", "created")
    fields = ("name", "is_open", *readonly_fields)
    actions = ["close_batches"]

    def add_view(self, request, form_url="", extra_context=None):
        """Adding a batch is drawing one: the sampling service picks its messages."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BatchForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                batch = services.batch_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for error in exc.messages:
                    messages.error(request, error)
            else:
                self.message_user(request, f"{batch}: {batch.items.count()} messages drawn.", messages.SUCCESS)
                return redirect("admin:validation_annotationbatch_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Draw an annotation batch",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "validation/admin_draw_batch.html", context)

    @admin.action(description="Close (stop serving) the selected batches")
    def close_batches(self, request, queryset):
        for batch in queryset:
            services.batch_close(batch=batch)
        self.message_user(request, f"{queryset.count()} batch(es) closed.", messages.SUCCESS)


@admin.register(AnnotationItem)
class AnnotationItemAdmin(ReadOnlyAdmin):
    list_display = ("batch", "position", "message", "status", "predicted", "confidence")
    list_filter = ("status", "batch")
    list_select_related = ("batch", "message__source")
    readonly_fields = ("batch", "message", "position", "status", "predicted", "confidence", "model_version")


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = ("item", "annotator", "labels", "skipped", "skip_reason", "duration_ms", "created")
    list_filter = ("skipped", "skip_reason", "item__batch")
    list_select_related = ("item__batch", "annotator")


@admin.register(GoldLabel)
class GoldLabelAdmin(PurposeBoundAdminMixin, ReadOnlyAdmin):
    list_display = ("message", "labels", "source", "decided_by", "decided_at")
    list_filter = ("source",)
    list_select_related = ("message__source", "decided_by")
    date_hierarchy = "decided_at"


@admin.register(EmotionFeedback)
class EmotionFeedbackAdmin(PurposeBoundAdminMixin, ReadOnlyAdmin):
    list_display = ("message", "user", "predicted", "correct_labels", "status", "created")
    list_filter = ("status",)
    list_select_related = ("message__source", "user")


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ("created", "model_version", "kind", "n_items", "macro_f1_display", "created_by")
    list_filter = ("kind", "engine")
    search_fields = ("model_version",)
    readonly_fields = ("scoring_model", "model_version", "engine", "kind", "n_items", "created_by", "metrics_pretty")
    exclude = ("metrics",)
    actions = ["evaluate_again"]

    @admin.display(description="macro-F1")
    def macro_f1_display(self, obj: EvaluationRun) -> str:
        return f"{obj.macro_f1:.4f}"

    @admin.display(description="metrics")
    def metrics_pretty(self, obj: EvaluationRun) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.metrics, indent=2))

    @admin.action(description="Evaluate the same models again on today's gold labels")
    def evaluate_again(self, request, queryset):
        if not request.user.has_perm("validation.add_evaluationrun"):
            raise PermissionDenied
        for run in queryset.select_related("scoring_model"):
            try:
                new = services.evaluation_run_create(scoring_model=run.scoring_model, user=request.user)
            except (ValidationError, EngineUnavailable, ValueError, OSError) as exc:
                self.message_user(request, f"{run.model_version}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{new}", messages.SUCCESS)


@admin.register(CalibrationRun)
class CalibrationRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "created", "status", "n_gold", "requested_by", "decision")
    list_filter = ("status",)
    readonly_fields = [f.name for f in CalibrationRun._meta.fields]


@admin.register(ModelActivation)
class ModelActivationAdmin(ReadOnlyAdmin):
    list_display = ("created", "scoring_model", "model_version", "reason", "previous_model", "activated_by", "note")
    list_filter = ("reason",)
    list_select_related = ("scoring_model", "previous_model", "activated_by")
    actions = ["roll_back_to"]

    @admin.action(description="Roll back to this version (make it the active model again)")
    def roll_back_to(self, request, queryset):
        if not request.user.has_perm("validation.rollback_scoringmodel"):
            raise PermissionDenied
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version to roll back to.", messages.ERROR)
            return
        target = queryset.get().scoring_model
        try:
            services.model_version_rollback(scoring_model=target, user=request.user, note="admin rollback")
        except (ValidationError, EngineUnavailable, ValueError, OSError) as exc:
            self.message_user(
                request, f"Not rolled back: {'; '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
            )
            return
        self.message_user(request, f"Rolled back: {target} is active again.", messages.SUCCESS)
