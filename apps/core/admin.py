"""Admin building blocks shared by every app."""

from __future__ import annotations

from django.contrib import admin

from apps.core.models import SecurityEvent


class AuditedAdminMixin:
    """Timestamps are shown read-only; the change history lives in the audit log (auditlog admin)."""

    readonly_fields: tuple[str, ...] = ("created", "updated")

    def get_readonly_fields(self, request, obj=None):
        return tuple(dict.fromkeys((*super().get_readonly_fields(request, obj), *self.readonly_fields)))


admin.site.site_header = "EmotionHub administration"
admin.site.site_title = "EmotionHub admin"
admin.site.index_title = "Policies, data and audit"


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("created", "kind", "subject", "remote_addr")
    list_filter = ("kind",)
    search_fields = ("subject", "remote_addr")
    date_hierarchy = "created"
    readonly_fields = ("created", "kind", "subject", "remote_addr", "detail")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
