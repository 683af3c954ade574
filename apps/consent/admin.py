from django.contrib import admin

from apps.consent.models import ConsentRecord, ErasedSubject, OptOutRequest
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


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OptOutRequest)
class OptOutRequestAdmin(AuditedAdminMixin, _ReadOnlyAdmin):
    """Portal requests for an opt-out link; the address is cleared once the link is used."""

    list_display = ("__str__", "created", "expires_at", "used_at")
    list_filter = ("used_at",)
    date_hierarchy = "created"
    exclude = ("email",)


@admin.register(ErasedSubject)
class ErasedSubjectAdmin(AuditedAdminMixin, _ReadOnlyAdmin):
    """The suppression list: keyed digests of erased subjects' email addresses, nothing else."""

    list_display = ("__str__", "erased_at")
    date_hierarchy = "erased_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # removing a row would let an erased person's next message be analysed
