"""Admin: templates by emotional state, stage and channel, with their versions, restore, live preview and use."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.crm.selectors import account_list, contact_list
from apps.governance.pages import PurposeBoundAdminMixin
from apps.responses import placeholders, selectors, services
from apps.responses.models import ResponseTemplate, ResponseTemplateVersion, TemplateUsage, emotion_choices


class ResponseTemplateForm(forms.ModelForm):
    """The emotion is picked from the live taxonomy; placeholder errors come from the model's ``clean()``."""

    class Meta:
        model = ResponseTemplate
        fields = ("name", "emotion", "journey_stage", "channel", "is_active", "subject", "body", "guidance")
        widgets = {"subject": forms.TextInput(attrs={"size": 90})}
        help_texts = {
            "body": _("Placeholders: %(allowed)s. Unfilled ones are highlighted for the agent.")
            % {"allowed": placeholders.syntax_help()},
            "subject": _("Placeholders allowed, as in the body."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emotion"] = forms.ChoiceField(
            label=_("Emotional state"),
            choices=[("", "---------"), *emotion_choices()],
            help_text=ResponseTemplate._meta.get_field("emotion").help_text,
        )


class VersionInline(admin.TabularInline):
    model = ResponseTemplateVersion
    extra = 0
    can_delete = False
    fields = ("number", "subject", "body", "guidance", "author", "restored_from", "created_at", "restore")
    readonly_fields = fields
    ordering = ("-number",)
    verbose_name_plural = _("versions (immutable; restoring one makes a new version)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("restore"))
    def restore(self, version: ResponseTemplateVersion) -> str:
        if version.pk is None or version.number == version.template.current_version:
            return "—"
        url = reverse("admin:responses_responsetemplate_restore", args=[version.template_id, version.number])
        return format_html('<a href="{}">{}</a>', url, _("Restore this version"))


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    form = ResponseTemplateForm
    list_display = (
        "name",
        "emotion",
        "journey_stage",
        "channel",
        "is_active",
        "current_version",
        "usage_count",
        "edited_count",
        "preview_link",
    )
    list_filter = ("is_active", "emotion", "journey_stage", "channel")
    search_fields = ("name", "subject", "body")
    readonly_fields = ("current_version", "preview_link")
    fieldsets = (
        (None, {"fields": ("name", "is_active", "current_version")}),
        (_("When to suggest it"), {"fields": ("emotion", "journey_stage", "channel")}),
        (_("Text"), {"fields": ("subject", "body", "guidance", "preview_link")}),
    )
    inlines = [VersionInline]

    def get_queryset(self, request):
        return selectors.usage_counts(super().get_queryset(request))

    @admin.display(description=_("uses"), ordering="usage_count")
    def usage_count(self, obj) -> int:
        return obj.usage_count

    @admin.display(description=_("edited before use"), ordering="edited_count")
    def edited_count(self, obj) -> int:
        return obj.edited_count

    @admin.display(description=_("preview"))
    def preview_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return _("Save first, then preview it against an account.")
        url = reverse("admin:responses_responsetemplate_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview against an account"))

    def save_model(self, request, obj, form, change):
        # Through the service, so that a change of text becomes a new version with its author.
        services.template_save(template=obj, user=request.user)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="responses_responsetemplate_preview"),
            path(
                "<int:pk>/restore/<int:number>/",
                wrap(self.restore_view),
                name="responses_responsetemplate_restore",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int):
        """The current version filled for an account (and contact) the admin user may see; nothing is written."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        template = get_object_or_404(ResponseTemplate, pk=pk)
        accounts = account_list(user=request.user)
        account = contact = None
        if request.GET.get("account", "").isdigit():
            account = accounts.filter(pk=int(request.GET["account"])).first()
            if account is None:
                raise Http404("No such account.")
        if account is not None and request.GET.get("contact", "").isdigit():
            contact = contact_list(user=request.user).filter(pk=int(request.GET["contact"]), account=account).first()
        suggestion = selectors.suggestion_for(template, account=account, contact=contact, user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(name)s") % {"name": template.name},
            "template": template,
            "suggestion": suggestion,
            "account": account,
            "contact": contact,
            "accounts": accounts.select_related(None).only("pk", "name")[:500],
            "contacts": contact_list(user=request.user).filter(account=account)[:200] if account else [],
            "opts": self.model._meta,
            "original": template,
        }
        return TemplateResponse(request, "responses/admin/preview.html", context)

    def restore_view(self, request, pk: int, number: int):
        """Confirm, then make an old version's text current as a new version."""
        template = get_object_or_404(ResponseTemplate, pk=pk)
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        version = get_object_or_404(ResponseTemplateVersion, template=template, number=number)
        change_url = reverse("admin:responses_responsetemplate_change", args=[template.pk])
        if request.method == "POST":
            try:
                made = services.template_restore_version(version=version, user=request.user)
            except ValidationError as exc:
                for error in exc.messages:
                    self.message_user(request, error, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Version %(old)s restored as version %(new)s.") % {"old": version.number, "new": made.number},
                    messages.SUCCESS,
                )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Restore version %(n)s of %(name)s?") % {"n": version.number, "name": template.name},
            "template": template,
            "version": version,
            "change_url": change_url,
            "opts": self.model._meta,
            "original": template,
        }
        return TemplateResponse(request, "responses/admin/restore_confirm.html", context)


@admin.register(TemplateUsage)
class TemplateUsageAdmin(PurposeBoundAdminMixin, admin.ModelAdmin):
    """Read-only: which template was used for which account says what we saw there, so it is purpose-bound."""

    list_display = ("used_at", "template", "version_number", "account", "contact", "user", "channel", "edited")
    list_filter = ("template", "channel", "edited")
    date_hierarchy = "used_at"
    list_select_related = ("template", "version", "account", "contact", "user")
    readonly_fields = [f.name for f in TemplateUsage._meta.fields]

    @admin.display(description=_("version"), ordering="version__number")
    def version_number(self, obj) -> int:
        return obj.version.number

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
