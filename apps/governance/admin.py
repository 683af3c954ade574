"""Admin for purposes, prohibited uses, DPIAs, and the read-only, exportable data-access log."""

from __future__ import annotations

import csv

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse

from apps.core.admin import AuditedAdminMixin
from apps.governance import services
from apps.governance.models import DPIA, DataAccessLog, ProhibitedUse, Purpose


class ProhibitedUseInline(admin.TabularInline):
    model = ProhibitedUse
    fields = ("name", "scope", "description", "is_active")
    extra = 0


@admin.register(Purpose)
class PurposeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("key", "name", "is_active", "dpia", "roles")
    list_filter = ("is_active",)
    filter_horizontal = ("allowed_roles",)
    inlines = [ProhibitedUseInline]
    actions = ["switch_on", "switch_off"]

    @admin.display(description="allowed roles")
    def roles(self, obj: Purpose) -> str:
        return ", ".join(g.name for g in obj.allowed_roles.all())

    @admin.action(description="Switch on (needs an approved, unexpired DPIA)")
    def switch_on(self, request, queryset):
        for purpose in queryset:
            try:
                services.purpose_switch(purpose=purpose, on=True)
            except ValidationError as exc:
                self.message_user(request, f"{purpose}: {'; '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{purpose} is switched on.", messages.SUCCESS)

    @admin.action(description="Switch off")
    def switch_off(self, request, queryset):
        for purpose in queryset:
            services.purpose_switch(purpose=purpose, on=False)


@admin.register(DPIA)
class DPIAAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "status_now", "ai_act_classification", "reviewer", "approved_at", "next_review_date")
    list_filter = ("status", "ai_act_classification")
    search_fields = ("title", "processing_activity")
    readonly_fields = ("approved_at",)

    @admin.display(description="status")
    def status_now(self, obj: DPIA) -> str:
        return obj.get_status_display() if obj.effective_status == obj.status else "Expired (review date passed)"

    def save_model(self, request, obj: DPIA, form, change: bool) -> None:
        if obj.status == "approved" and "status" in form.changed_data:
            from django.utils import timezone

            obj.approved_at = timezone.now()
        super().save_model(request, obj, form, change)


def _export_csv(queryset) -> StreamingHttpResponse:
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    header = ["when", "user", "purpose", "outcome", "reason", "resource", "accounts", "contacts", "records", "address"]

    def rows():
        yield writer.writerow(header)
        for log in queryset.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    log.created.isoformat(),
                    log.username,
                    log.purpose,
                    log.outcome,
                    log.reason,
                    log.resource,
                    " ".join(map(str, log.account_ids)),
                    " ".join(map(str, log.contact_ids)),
                    log.object_count,
                    log.remote_addr or "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="emotionhub-data-access-log.csv"'
    return response


@admin.register(DataAccessLog)
class DataAccessLogAdmin(admin.ModelAdmin):
    list_display = ("created", "username", "purpose", "outcome", "resource", "object_count", "reason")
    list_filter = ("outcome", "purpose", "resource")
    search_fields = ("username", "reason", "resource")
    date_hierarchy = "created"
    actions = ["export_csv"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the log is evidence: nobody edits or deletes it from the admin

    @admin.action(description="Export selected as CSV (for auditors)")
    def export_csv(self, request, queryset):
        return _export_csv(queryset.order_by("created"))


class ImmutableLogEntryAdmin(LogEntryAdmin):
    """The audit trail: readable, never editable or deletable from the admin."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, ImmutableLogEntryAdmin)
