"""Admin: rules (with the backtest), escalation policies, baselines, alerts, webhooks and their delivery log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.alerts import selectors, services
from apps.alerts.models import (
    Alert,
    AlertEvent,
    AlertRule,
    Baseline,
    EscalationLevel,
    EscalationPolicy,
    WebhookDelivery,
    WebhookEndpoint,
)
from apps.governance.pages import PurposeBoundAdminMixin


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "condition", "scope", "label", "threshold", "severity", "backtest_link")
    list_filter = ("is_active", "condition", "scope", "severity")
    search_fields = ("name", "label")
    fieldsets = (
        (None, {"fields": ("name", "is_active", "severity", "escalation_policy")}),
        ("Scope", {"fields": ("scope", "segment", "tier", "source_kind", "platform", "journey_stage")}),
        (
            "Condition",
            {
                "fields": (
                    "condition",
                    ("label_kind", "label"),
                    "threshold",
                    ("k_sigma", "ratio"),
                    ("window_minutes", "ephemeral_window_minutes"),
                    "min_volume",
                    "by_journey_stage",
                    "days",
                    ("growth_factor", "weight_by_reach"),
                )
            },
        ),
        ("Noise control", {"fields": ("cooldown_minutes", "dedup_key_template")}),
    )

    @admin.display(description="backtest")
    def backtest_link(self, obj: AlertRule) -> str:
        return format_html('<a href="{}">Backtest</a>', reverse("admin:alerts_alertrule_backtest", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view(self.backtest_view)
        return [path("<int:pk>/backtest/", view, name="alerts_alertrule_backtest"), *super().get_urls()]

    def backtest_view(self, request, pk: int):
        """ "This rule would have fired N times in the last 30 days, here they are": nothing is written."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        rule = get_object_or_404(AlertRule, pk=pk)
        try:
            days = max(1, min(int(request.GET.get("days", 30)), 365))
        except ValueError:
            days = 30
        incidents = selectors.rule_backtest(rule=rule, days=days)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Backtest: {rule.name}",
            "rule": rule,
            "days": days,
            "incidents": incidents,
            "triggers": sum(i.count for i in incidents),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/alerts/backtest.html", context)


class EscalationLevelInline(admin.TabularInline):
    model = EscalationLevel
    extra = 1


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    inlines = [EscalationLevelInline]


@admin.register(Baseline)
class BaselineAdmin(admin.ModelAdmin):
    list_display = (
        "segment",
        "journey_stage",
        "label_kind",
        "label",
        "mean_share",
        "std",
        "n",
        "buckets",
        "computed_at",
    )
    list_filter = ("segment", "journey_stage", "label_kind", "label")
    actions = ["recompute"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Recompute all baselines now")
    def recompute(self, request, queryset):
        made = services.baselines_recompute()
        self.message_user(request, f"{made} baselines recomputed.", messages.SUCCESS)


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor", "at", "from_status", "to_status", "level", "note")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(PurposeBoundAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "severity",
        "status",
        "account",
        "owner",
        "trigger_count",
        "escalation_level",
        "last_triggered_at",
    )
    list_filter = ("status", "severity", "rule")
    search_fields = ("title", "dedup_key")
    readonly_fields = [f.name for f in Alert._meta.fields if f.name not in ("owner",)]
    inlines = [AlertEventInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "is_active", "min_severity")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("endpoint", "event", "alert", "status", "attempts", "response_code", "next_attempt_at", "created")
    list_filter = ("status", "endpoint")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
