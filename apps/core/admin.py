"""Admin building blocks shared by every app."""

from __future__ import annotations

from django.contrib import admin


class AuditedAdminMixin:
    """Timestamps are shown read-only; the change history lives in the audit log (auditlog admin)."""

    readonly_fields: tuple[str, ...] = ("created", "updated")

    def get_readonly_fields(self, request, obj=None):
        return tuple(dict.fromkeys((*super().get_readonly_fields(request, obj), *self.readonly_fields)))


admin.site.site_header = "EmotionHub administration"
admin.site.site_title = "EmotionHub admin"
admin.site.index_title = "Policies, data and audit"
