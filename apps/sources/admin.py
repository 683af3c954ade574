"""Admin for sources (secrets, health), messages, dead letters (replay), connectors, surveys, noise policies."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from apps.core.admin import AuditedAdminMixin
from apps.governance.pages import PurposeBoundAdminMixin
from apps.sources import adapters, services
from apps.sources.choices import Channel, DeadLetterStatus, MessageStatus
from apps.sources.models import Connector, DeadLetter, Message, NoisePolicy, PlatformBaseline, Source, Survey


def _count_since(model, since, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(source=OuterRef("pk"), created__gte=since, **filters)
            .order_by()
            .values("source")
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


@admin.register(Source)
class SourceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "kind",
        "platform",
        "adapter",
        "is_active",
        "requires_opt_in",
        "secret",
        "last_received",
        "received_24h",
        "error_rate_24h",
    )
    list_filter = ("kind", "platform", "adapter", "is_active", "requires_opt_in")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("secret", "previous_secret_valid_until", "webhook_url", "created", "updated")
    fields = (
        "name",
        "slug",
        "kind",
        "platform",
        "adapter",
        "is_active",
        "requires_opt_in",
        "brand_terms",
        "agent_identities",
        "description",
        "webhook_url",
        "secret",
        "previous_secret_valid_until",
        "created",
        "updated",
    )
    actions = ["rotate_secret"]
    change_form_template = "admin/sources/source/change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:pk>/import-email/",
                self.admin_site.admin_view(self.import_email_view),
                name="sources_source_import_email",
            ),
            *super().get_urls(),
        ]

    def import_email_view(self, request, pk: int):
        """Upload .eml files into an email source: each goes through the same ingestion as a webhook."""
        source = get_object_or_404(Source, pk=pk)
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        if request.method == "POST":
            files = request.FILES.getlist("files")
            if not files:
                self.message_user(request, "Choose at least one .eml file.", messages.ERROR)
            for upload in files:
                raw = upload.read()
                try:
                    items = adapters.adapt("email", raw, **source.adapter_options("email"))
                except adapters.AdapterError as exc:
                    dead = services.dead_letter_record(
                        source=source,
                        channel=Channel.ADMIN,
                        raw_body=raw.decode("utf-8", "replace"),
                        reason=f"{upload.name}: unreadable email: {exc}",
                        stage="adapter",
                    )
                    self.message_user(request, f"{upload.name}: {exc} (kept as dead letter #{dead.pk})", messages.ERROR)
                    continue
                report = services.messages_ingest(source=source, items=items, channel=Channel.ADMIN)
                counts = report.counts
                level = messages.ERROR if counts["rejected"] else messages.SUCCESS
                self.message_user(
                    request,
                    f"{upload.name}: {counts['created']} stored, {counts['duplicate']} already "
                    f"there, {counts['rejected']} refused.",
                    level,
                )
            return redirect("admin:sources_source_change", source.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import emails into {source}",
            "source": source,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sources/source/import_email.html", context)

    def get_queryset(self, request):
        since = timezone.now() - dt.timedelta(hours=24)
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_message=Max("messages__received_at"),
                received_count=_count_since(Message, since),
                dead_count=_count_since(DeadLetter, since),
            )
        )

    @admin.display(description="webhook secret")
    def secret(self, obj: Source) -> str:
        # Only a fingerprint: the secret itself is shown once, when it is rotated.
        return f"{obj.webhook_secret[:10]}…" if obj.webhook_secret else "— (rotate to create one)"

    @admin.display(description="webhook URL")
    def webhook_url(self, obj: Source) -> str:
        return f"{settings.SITE_URL}/api/v1/webhooks/{obj.slug}/" if obj.slug else ""

    @admin.display(description="last received", ordering="last_message")
    def last_received(self, obj: Source):
        return obj.last_message or "never"

    @admin.display(description="received (24 h)", ordering="received_count")
    def received_24h(self, obj: Source) -> int:
        return obj.received_count

    @admin.display(description="error rate (24 h)")
    def error_rate_24h(self, obj: Source) -> str:
        total = obj.received_count + obj.dead_count
        return f"{obj.dead_count / total:.1%} ({obj.dead_count} refused)" if total else "—"

    @admin.action(description="Rotate the webhook secret (the old one stays valid for 24 h)")
    def rotate_secret(self, request, queryset):
        for source in queryset:
            secret = services.source_rotate_secret(source=source)
            self.message_user(
                request,
                f"New webhook secret for {source.slug} — copy it now, it is not shown again: {secret}",
                messages.WARNING,
            )


@admin.register(Message)
class MessageAdmin(PurposeBoundAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at_source",
        "source",
        "author_role",
        "account",
        "excerpt",
        "status",
        "noise_reason",
        "is_influencer",
    )
    list_filter = (
        "status",
        "author_role",
        "source__kind",
        "source",
        "platform",
        "is_influencer",
        "is_private",
        "ingested_via",
        "journey_stage",
        "language",
    )
    search_fields = ("external_id", "thread_id", "account__name", "contact__email", "author_handle")
    list_select_related = ("source", "account")
    date_hierarchy = "created_at_source"
    autocomplete_fields = ("account", "contact")
    readonly_fields = (
        "received_at",
        "content_hash",
        "raw_signal",
        "normalized_signal",
        "ingested_via",
        "created",
        "updated",
    )
    list_per_page = 50
    show_full_result_count = False  # exact counts of a big message table are slow and rarely needed
    actions = ["not_noise"]

    @admin.display(description="text")
    def excerpt(self, obj: Message) -> str:
        return Truncator(obj.text).chars(80)

    @admin.action(description="Not noise: include in metrics and score")
    def not_noise(self, request, queryset):
        from apps.scoring.tasks import enqueue_scoring

        ids = list(queryset.filter(status=MessageStatus.NOISE).values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(status=MessageStatus.RECEIVED, noise_reason="")
        enqueue_scoring(ids)
        self.message_user(request, f"{len(ids)} message(s) returned to metrics and queued for scoring.")


@admin.register(DeadLetter)
class DeadLetterAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("created", "channel", "source", "reason", "status", "attempts")
    list_filter = ("status", "channel", "source")
    search_fields = ("reason",)
    readonly_fields = (
        "source",
        "channel",
        "raw_body",
        "reason",
        "errors_pretty",
        "attempts",
        "replayed_at",
        "created",
        "updated",
    )
    fields = ("status", "payload", *readonly_fields)
    actions = ["replay"]

    @admin.display(description="errors")
    def errors_pretty(self, obj: DeadLetter) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.errors, indent=2, ensure_ascii=False))

    def has_add_permission(self, request) -> bool:
        return False  # dead letters are written by ingestion, never by hand

    @admin.action(description="Replay (ingest again; fix the payload first if it was wrong)")
    def replay(self, request, queryset):
        done = failed = 0
        for dead in queryset.exclude(status=DeadLetterStatus.REPLAYED):
            try:
                report = services.dead_letter_replay(dead_letter=dead)
            except ValueError as exc:
                failed += 1
                self.message_user(request, f"#{dead.pk}: {exc}", messages.ERROR)
                continue
            if report.counts["rejected"]:
                failed += 1
                errors = "; ".join(f"{k}: {v}" for r in report.results for k, v in r.errors.items())
                self.message_user(request, f"#{dead.pk} still refused: {errors}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} dead letter(s) replayed.", messages.SUCCESS)


@admin.register(Connector)
class ConnectorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "source",
        "health_badge",
        "last_success_at",
        "consecutive_failures",
        "error_rate",
        "items_total",
        "next_run_at",
    )
    list_filter = ("is_active", "source")
    readonly_fields = (
        "cursor",
        "claimed_until",
        "consecutive_failures",
        "last_success_at",
        "last_error",
        "last_error_at",
        "runs_total",
        "errors_total",
        "items_total",
        "created",
        "updated",
    )
    actions = ["poll_now", "reset_cursor"]

    @admin.display(description="health")
    def health_badge(self, obj: Connector) -> str:
        colour = {"healthy": "#1e8e5a", "degraded": "#b7791f", "failing": "#c0392b", "paused": "#5b6372"}[obj.health]
        return format_html('<strong style="color:{}">{}</strong>', colour, obj.health)

    @admin.display(description="error rate")
    def error_rate(self, obj: Connector) -> str:
        return f"{obj.errors_total / obj.runs_total:.0%}" if obj.runs_total else "—"

    @admin.action(description="Poll now")
    def poll_now(self, request, queryset):
        from apps.sources.connectors import connector_poll

        for connector in queryset:
            Connector.objects.filter(pk=connector.pk).update(next_run_at=timezone.now())
            outcome = connector_poll(connector_id=connector.pk)
            self.message_user(request, f"{connector}: {outcome}")

    @admin.action(description="Reset the cursor (fetch from the beginning)")
    def reset_cursor(self, request, queryset):
        queryset.update(cursor="")


@admin.register(NoisePolicy)
class NoisePolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "is_active",
        "max_posts_per_author_per_hour",
        "swarm_min_authors",
        "max_links",
        "require_brand_terms",
        "influencer_min_followers",
    )


@admin.register(PlatformBaseline)
class PlatformBaselineAdmin(admin.ModelAdmin):
    list_display = ("platform", "mean", "std", "count", "window_days", "computed_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "source", "public_key", "is_active", "ask_nps", "ask_csat", "answers")
    list_filter = ("is_active", "source")
    readonly_fields = ("public_key", "embed_snippet", "created", "updated")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(answer_count=Count("source__messages", filter=Q(source__messages__ingested_via="survey")))
        )

    @admin.display(description="answers (source)")
    def answers(self, obj: Survey) -> int:
        return obj.answer_count

    @admin.display(description="embed this on your pages")
    def embed_snippet(self, obj: Survey) -> str:
        if not obj.public_key:
            return "Save the survey to get its snippet."
        snippet = (
            f'<script async src="{settings.SITE_URL}/static/js/emotionhub-survey.js" '
            f'data-survey-key="{obj.public_key}" data-endpoint="{settings.SITE_URL}"></script>'
        )
        return format_html("<code>{}</code>", snippet)

    def save_model(self, request, obj: Survey, form, change: bool) -> None:
        if not obj.public_key:
            obj.public_key = services.survey_public_key()
        super().save_model(request, obj, form, change)
