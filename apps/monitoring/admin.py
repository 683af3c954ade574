"""Admin: outcomes (with the CSV import), the drift policy, drift reports (read-only, recomputable), drift alerts."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.monitoring import services
from apps.monitoring.choices import OutcomeSource
from apps.monitoring.models import AccountOutcome, DriftAlert, DriftReport, DriftSettings


class OutcomeImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, with a header row."))
    partial = forms.BooleanField(
        label=_("Import the valid rows and report the rest"),
        required=False,
        help_text=_("Unticked (the default): one invalid row and nothing is imported."),
    )


@admin.register(AccountOutcome)
class AccountOutcomeAdmin(admin.ModelAdmin):
    list_display = ("account", "kind", "occurred_on", "value", "source", "external_ref")
    list_filter = ("kind", "source", "occurred_on")
    search_fields = ("account__name", "account__external_id", "external_ref", "note")
    autocomplete_fields = ("account",)
    readonly_fields = ("source", "created", "updated")
    date_hierarchy = "occurred_on"
    change_list_template = "monitoring/admin/outcome_changelist.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = OutcomeSource.ADMIN
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="monitoring_accountoutcome_import"), *super().get_urls()]

    def import_view(self, request):
        """Upload a CSV of outcomes: every row validated; errors by row number; nothing half-imported."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OutcomeImportForm(request.POST or None, request.FILES or None)
        report = None
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                report = services.outcomes_import_csv(
                    data=form.cleaned_data["file"].read(), user=request.user, partial=form.cleaned_data["partial"]
                )
            except ValidationError as exc:
                form.add_error("file", exc)
                status = 400
            else:
                summary = report.summary()
                if report.written:
                    messages.success(
                        request,
                        _(
                            "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                            "%(invalid)s refused."
                        )
                        % summary,
                    )
                else:
                    messages.error(request, _("Nothing was imported: %(invalid)s rows are invalid.") % summary)
                    status = 400
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import account outcomes"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
            "columns": services.CSV_COLUMNS,
        }
        return TemplateResponse(request, "monitoring/admin/outcome_import.html", context, status=status)


@admin.register(DriftSettings)
class DriftSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reference_mode", "reference_weeks", "watch_psi", "alert_psi", "min_messages")
    fieldsets = (
        (
            _("Reference window"),
            {"fields": ("reference_mode", "reference_weeks", ("reference_start", "reference_end"))},
        ),
        (_("Thresholds"), {"fields": (("watch_psi", "alert_psi"), "max_p_value", "min_messages")}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DriftSettings.objects.exists()


class ComputeWeekForm(forms.Form):
    week = forms.DateField(label=_("Any day of the week"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_week(self):
        day = self.cleaned_data["week"]
        if day > timezone.localdate():
            raise ValidationError(_("That week has not happened yet."))
        return day


@admin.register(DriftReport)
class DriftReportAdmin(admin.ModelAdmin):
    list_display = ("iso_week", "platform", "model_version", "n_messages", "status", "psi", "unknown_term_rate", "card")
    list_filter = ("status", "platform", "model_version")
    date_hierarchy = "week_start"
    actions = ("recompute",)
    change_list_template = "monitoring/admin/drift_changelist.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("model card"))
    def card(self, obj: DriftReport) -> str:
        from apps.scoring.models import ScoringModel

        model = ScoringModel.objects.filter(version=obj.model_version).order_by("-is_active").first()
        if model is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("monitoring:model-card", args=[model.pk]), _("Model card"))

    @admin.action(description=_("Recompute these weeks"), permissions=["view"])
    def recompute(self, request, queryset):
        weeks = sorted(set(queryset.values_list("week_start", flat=True)))
        count = services.drift_weeks_compute(weeks=weeks)
        messages.success(request, _("Recomputed %(w)s weeks (%(n)s reports).") % {"w": len(weeks), "n": count})

    def get_urls(self):
        view = self.admin_site.admin_view(self.compute_view)
        return [path("compute/", view, name="monitoring_driftreport_compute"), *super().get_urls()]

    def compute_view(self, request):
        """Compute (or recompute) the reports of one ISO week."""
        if not request.user.has_perm("monitoring.view_driftreport"):
            raise PermissionDenied
        initial = {"week": timezone.localdate() - dt.timedelta(days=7)}
        form = ComputeWeekForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            reports = services.drift_week_compute(week_start=form.cleaned_data["week"])
            messages.success(request, _("%(n)s drift reports computed.") % {"n": len(reports)})
            return redirect("admin:monitoring_driftreport_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compute a week's drift reports"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "monitoring/admin/drift_compute.html", context, status=400 if form.errors else 200
        )


@admin.register(DriftAlert)
class DriftAlertAdmin(admin.ModelAdmin):
    list_display = ("__str__", "model_version", "status", "acknowledged_by", "created")
    list_filter = ("status", "platform")
    readonly_fields = [f.name for f in DriftAlert._meta.fields]
    actions = ("acknowledge",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Acknowledge"), permissions=["change"])
    def acknowledge(self, request, queryset):
        for alert in queryset:
            services.drift_alert_acknowledge(alert=alert, user=request.user)
        messages.success(request, _("%(n)s drift alerts acknowledged.") % {"n": queryset.count()})
