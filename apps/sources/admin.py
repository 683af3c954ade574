"""Admin for sources, messages and dead letters."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator

from apps.core.admin import AuditedAdminMixin
from apps.sources.models import DeadLetter, Message, Source


@admin.register(Source)
class SourceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "platform", "is_active", "updated")
    list_filter = ("kind", "platform", "is_active")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Message)
class MessageAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at_source", "source", "author_role", "account", "excerpt", "journey_stage", "status")
    list_filter = ("status", "author_role", "source__kind", "source", "journey_stage", "language")
    search_fields = ("external_id", "thread_id", "account__name", "contact__email", "author_handle")
    list_select_related = ("source", "account")
    date_hierarchy = "created_at_source"
    autocomplete_fields = ("account", "contact")
    readonly_fields = ("received_at", "created", "updated")
    list_per_page = 50
    show_full_result_count = False  # exact counts of a big message table are slow and rarely needed

    @admin.display(description="text")
    def excerpt(self, obj: Message) -> str:
        return Truncator(obj.text).chars(80)


@admin.register(DeadLetter)
class DeadLetterAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("created", "channel", "source", "reason", "status", "attempts")
    list_filter = ("status", "channel", "source")
    search_fields = ("reason",)
    readonly_fields = (
        "source",
        "channel",
        "payload_pretty",
        "raw_body",
        "reason",
        "errors",
        "attempts",
        "replayed_at",
        "created",
        "updated",
    )
    fields = ("status", *readonly_fields)

    @admin.display(description="payload")
    def payload_pretty(self, obj: DeadLetter) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    def has_add_permission(self, request) -> bool:
        return False  # dead letters are written by ingestion, never by hand
