"""Admin for the taxonomy, domain lexicon, scoring models and scores."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from apps.core.admin import AuditedAdminMixin
from apps.governance.pages import PurposeBoundAdminMixin
from apps.scoring import pipeline, services
from apps.scoring.engines.base import EngineUnavailable
from apps.scoring.models import (
    BaseEmotion,
    BusinessEmotion,
    BusinessEmotionComponent,
    EmotionScore,
    LexiconEntry,
    ScoringModel,
)


@admin.register(BaseEmotion)
class BaseEmotionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("key", "name", "valence", "arousal", "order")
    list_editable = ("valence", "arousal")
    search_fields = ("key", "name")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # engines emit these labels; deleting one would orphan every score


class ComponentInline(admin.TabularInline):
    model = BusinessEmotionComponent
    fields = ("base_emotion", "weight")
    extra = 0


@admin.register(BusinessEmotion)
class BusinessEmotionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("key", "name", "outcome", "direction", "definition", "is_active")
    list_filter = ("outcome", "direction", "is_active")
    search_fields = ("key", "name", "description")
    inlines = [ComponentInline]

    @admin.display(description="defined as")
    def definition(self, obj: BusinessEmotion) -> str:
        parts = [f"{c.weight:+.2f}×{c.base_emotion.key}" for c in obj.components.select_related("base_emotion")]
        cues = f" + cues: {', '.join(obj.cues[:4])}{'…' if len(obj.cues) > 4 else ''}" if obj.cues else ""
        return " ".join(parts) + cues


@admin.register(LexiconEntry)
class LexiconEntryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("term", "kind", "adjustments_display", "platform", "is_active", "updated")
    list_filter = ("kind", "is_active", "platform")
    search_fields = ("term", "note")
    actions = ["activate", "deactivate"]

    @admin.display(description="adjustments")
    def adjustments_display(self, obj: LexiconEntry) -> str:
        return ", ".join(f"{label} {delta:+.2f}" for label, delta in (obj.adjustments or {}).items())

    @admin.action(description="Activate selected entries")
    def activate(self, request, queryset):
        for entry in queryset:
            entry.is_active = True
            entry.save()

    @admin.action(description="Deactivate selected entries")
    def deactivate(self, request, queryset):
        for entry in queryset:
            entry.is_active = False
            entry.save()


class TryForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), max_length=20000)
    platform = forms.CharField(required=False, max_length=20, help_text="Optional: applies platform-only entries.")


@admin.register(ScoringModel)
class ScoringModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "engine", "version", "is_active", "updated")
    list_filter = ("engine", "is_active")
    readonly_fields = ("version", "is_active", "created", "updated")
    actions = ["activate"]
    change_list_template = "admin/scoring/scoringmodel/change_list.html"

    @admin.action(description="Activate (load it, then score new messages with it)")
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one scoring model to activate.", messages.ERROR)
            return
        model = queryset.get()
        try:
            services.scoring_model_activate(scoring_model=model)
        except (ValidationError, EngineUnavailable, ValueError, OSError) as exc:
            self.message_user(request, f"{model} was not activated: {exc}", messages.ERROR)
            return
        self.message_user(request, f"{model} is now active (version {model.version}).", messages.SUCCESS)

    def get_urls(self):
        return [path("try/", self.admin_site.admin_view(self.try_view), name="scoring_try"), *super().get_urls()]

    def try_view(self, request):
        """Score a text with the active engine and show the explanation (no storage)."""
        form = TryForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            engine = services.active_engine()
            result = pipeline.score_texts(
                [form.cleaned_data["text"]], engine=engine, platforms=[form.cleaned_data["platform"]]
            )[0]
        context = {
            **self.admin_site.each_context(request),
            "title": "Try the active scoring model",
            "form": form,
            "result": result,
            "result_json": json.dumps(result.as_dict(), indent=2) if result else "",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/scoring/try.html", context)


@admin.register(EmotionScore)
class EmotionScoreAdmin(PurposeBoundAdminMixin, admin.ModelAdmin):
    list_display = (
        "message",
        "account",
        "dominant",
        "dominant_business",
        "valence",
        "intensity",
        "confidence",
        "model_version",
        "is_current",
        "message_created_at",
    )
    list_filter = ("is_current", "status", "dominant", "dominant_business", "engine")
    search_fields = ("message__external_id", "account__name", "model_version")
    list_select_related = ("message__source", "account")
    date_hierarchy = "message_created_at"
    show_full_result_count = False
    readonly_fields = [f.name for f in EmotionScore._meta.fields if f.name != "explanation"] + ["explanation_pretty"]
    exclude = ("explanation",)

    @admin.display(description="explanation")
    def explanation_pretty(self, obj: EmotionScore) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.explanation, indent=2, ensure_ascii=False))

    def has_add_permission(self, request) -> bool:
        return False  # scores are written by the scoring service only

    def has_change_permission(self, request, obj=None) -> bool:
        return False
