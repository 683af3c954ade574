"""Admin actions on contacts for consent and data-subject rights; the CRM's ContactAdmin mixes them in.

Thin: each validates, calls one service per contact and shapes the answer.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from apps.consent import services, subject_rights
from apps.consent.choices import ConsentOrigin
from apps.consent.selectors import contact_emails


def _visible(request, queryset):
    """The selected contacts the user may see (the admin lists every contact to whoever may open it)."""
    from apps.crm.models import Contact

    return queryset.filter(pk__in=Contact.objects.restrict(request.user, "view").values("pk")).select_related("account")


@admin.action(description="Opt out of all analysis", permissions=["consent_add"])
def opt_out_of_all_analysis(modeladmin, request, queryset):
    for contact in _visible(request, queryset):
        report = services.optout_apply(
            contacts=[contact], channels=None, origin=ConsentOrigin.ADMIN, emails=contact_emails(contact)
        )
        level = messages.WARNING if report.messages_held else messages.SUCCESS
        modeladmin.message_user(request, f"{contact}: {report.summary()}", level)


@admin.action(description="Export everything held (JSON)", permissions=["subject_request"])
def export_everything_held(modeladmin, request, queryset):
    exports = [
        subject_rights.subject_export(contact=contact, user=request.user, request=request)
        for contact in _visible(request, queryset)
    ]
    if len(exports) == 1:
        body, name = exports[0], f"contact-{exports[0]['contact']['id']}"
    else:
        body, name = {"subjects": exports}, f"contacts-{timezone.now():%Y%m%d-%H%M%S}"
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@admin.action(description="Erase", permissions=["subject_request"])
def erase(modeladmin, request, queryset):
    contacts = list(_visible(request, queryset))
    context = {**modeladmin.admin_site.each_context(request), "opts": modeladmin.model._meta}
    if request.POST.get("confirm") != "yes":
        return TemplateResponse(
            request,
            "consent/admin/erase_confirm.html",
            {
                **context,
                "title": "Erase everything held about these contacts?",
                "previews": [subject_rights.erasure_preview(contact=c) for c in contacts],
                "selected": [c.pk for c in contacts],
                "action": "erase",
            },
        )
    reports = [subject_rights.subject_erase(contact=c, origin=ConsentOrigin.ADMIN) for c in contacts]
    return TemplateResponse(
        request, "consent/admin/erase_done.html", {**context, "title": "Erased", "reports": reports}
    )


class SubjectRightsAdminMixin:
    """The consent and data-subject actions, with the permissions they need."""

    actions = [opt_out_of_all_analysis, export_everything_held, erase]

    def has_consent_add_permission(self, request) -> bool:
        return request.user.has_perm("consent.add_consentrecord")

    def has_subject_request_permission(self, request) -> bool:
        return request.user.has_perm("consent.handle_subject_request")
