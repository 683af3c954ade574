"""Admin for retention policies (dry run, run now), legal holds and the record of runs."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from apps.core.admin import AuditedAdminMixin
from apps.retention import services
from apps.retention.models import LegalHold, RetentionPolicy, RetentionRun


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "is_active", "priority", "scope", "keep_text_days", "keep_scores_days", "action")
    list_filter = ("is_active", "action", "sensitivity", "source_kind", "platform")
    search_fields = ("name", "description")
    list_select_related = ("segment",)
    fieldsets = (
        (None, {"fields": ("name", "description", "is_active", "priority")}),
        (_("Which messages"), {"fields": ("source_kind", "platform", "segment", "sensitivity")}),
        (_("How long"), {"fields": ("keep_text_days", "keep_scores_days", "action")}),
        (_("History"), {"fields": ("created", "updated")}),
    )
    actions = ["dry_run", "run_retention_now"]
    change_form_template = "admin/retention/retentionpolicy/change_form.html"

    @admin.display(description=_("scope"))
    def scope(self, obj: RetentionPolicy) -> str:
        return obj.scope_label

    def get_urls(self):
        return [
            path(
                "<int:pk>/dry-run/",
                self.admin_site.admin_view(self.dry_run_view),
                name="retention_retentionpolicy_dry_run",
            ),
            *super().get_urls(),
        ]

    def dry_run_view(self, request, pk: int):
        """The "Dry run" button: what this one policy would do now (nothing is written)."""
        policy = get_object_or_404(RetentionPolicy, pk=pk)
        if not self.has_view_permission(request, policy):
            raise PermissionDenied
        return self._dry_run_page(request, [policy])

    @admin.action(description=_("Dry run: show what the selected policies would purge now"), permissions=["view"])
    def dry_run(self, request, queryset):
        return self._dry_run_page(request, list(queryset.select_related("segment")))

    def _dry_run_page(self, request, policies: list[RetentionPolicy]):
        results = [services.retention_policy_dry_run(policy=policy) for policy in policies]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Retention dry run"),
            "results": results,
            # Message excerpts are customers' words: only for those who may read messages.
            "show_excerpts": request.user.has_perm("sources.view_message"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/retention/dry_run.html", context)

    @admin.action(description=_("Run retention now (real: purges per every active policy)"), permissions=["run"])
    def run_retention_now(self, request, queryset):
        if request.POST.get("confirm") == "yes":
            async_task("apps.retention.tasks.run_retention", request.user.pk, group="retention")
            self.message_user(
                request,
                _("Retention run queued for every active policy; its counts appear under Retention runs."),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run retention now?"),
            "active_policies": RetentionPolicy.objects.filter(is_active=True),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action": "run_retention_now",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/retention/run_confirm.html", context)

    def has_run_permission(self, request) -> bool:
        return request.user.has_perm("retention.run_retention")


@admin.register(LegalHold)
class LegalHoldAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("reason", "account", "contact", "source", "is_active", "in_force_now", "starts_at", "ends_at")
    list_filter = ("is_active",)
    search_fields = ("reason", "account__name", "source__name")
    list_select_related = ("account", "contact", "source", "placed_by")
    raw_id_fields = ("account", "contact", "source")
    readonly_fields = ("placed_by", "created", "updated")
    actions = ["release"]

    @admin.display(description=_("in force"), boolean=True)
    def in_force_now(self, obj: LegalHold) -> bool:
        return obj.in_force()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.placed_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Release the selected holds"), permissions=["change"])
    def release(self, request, queryset):
        for hold in queryset.filter(is_active=True):
            services.legal_hold_release(hold=hold)
        self.message_user(request, _("Released. The next retention run purges what is overdue."), messages.SUCCESS)


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "dry_run", "status", "triggered_by", "summary")
    list_filter = ("status", "dry_run")
    date_hierarchy = "started_at"
    fields = ("started_at", "finished_at", "dry_run", "status", "triggered_by", "counts_table", "error")
    readonly_fields = fields

    @admin.display(description=_("totals"))
    def summary(self, obj: RetentionRun) -> str:
        return ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in obj.totals.items() if n) or "—"

    @admin.display(description=_("counts"))
    def counts_table(self, obj: RetentionRun) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.counts, indent=2, sort_keys=True, cls=DjangoJSONEncoder))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
