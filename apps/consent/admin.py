from django.contrib import admin

from apps.consent.models import ConsentRecord
from apps.core.admin import AuditedAdminMixin


@admin.register(ConsentRecord)
class ConsentRecordAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("contact", "channel", "status", "origin", "recorded_at")
    list_filter = ("status", "channel", "origin")
    search_fields = ("contact__name", "contact__email", "note")
    autocomplete_fields = ("contact",)
    date_hierarchy = "recorded_at"

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a statement of consent is history: record a new one instead of editing it
