"""The response templates pages: the library with a preview for an account, one template, and "use this reply".

These pages read templates and CRM data (names, renewal date) — not emotion data about the account: the
emotional state is a filter the user picks, not something inferred and shown here. So they need no purpose;
the account page that *suggests* a template from the account's detected state is purpose-bound where it lives.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.security import safe_next
from apps.crm.choices import JourneyStage
from apps.crm.selectors import account_list, contact_list, get_account_for_user
from apps.responses import selectors, services
from apps.responses.models import emotion_choices, emotion_keys
from apps.sources.choices import SourceKind

MAX_ACCOUNTS_IN_PICKER = 500


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _account_and_contact(request, source) -> tuple:
    """The account and contact named in ``source`` (GET or POST), each checked against what the user may see."""
    account = contact = None
    raw_account, raw_contact = source.get("account", ""), source.get("contact", "")
    if raw_account:
        pk = _int_or_none(raw_account)
        if pk is None:
            raise Http404("No such account.")
        account = get_account_for_user(user=request.user, pk=pk)
    if raw_contact:
        pk = _int_or_none(raw_contact)
        contact = contact_list(user=request.user).filter(pk=pk, account=account).first() if pk and account else None
        if contact is None:
            raise Http404("No such contact at this account.")
    return account, contact


@login_required
def template_list(request):
    """``/responses/``: the active templates, filtered by emotion, stage and channel, previewed for an account."""
    emotion = request.GET.get("emotion", "")
    stage = request.GET.get("journey_stage", "")
    channel = request.GET.get("channel", "")
    emotion = emotion if emotion in emotion_keys() else ""
    stage = stage if stage in JourneyStage.values else ""
    channel = channel if channel in SourceKind.values else ""
    account, contact = _account_and_contact(request, request.GET)
    templates = list(selectors.template_list(user=request.user, emotion=emotion, journey_stage=stage, channel=channel))
    rows = [
        (template, selectors.suggestion_for(template, account=account, contact=contact, user=request.user))
        for template in templates
    ]
    keep = {k: v for k, v in {"account": account and account.pk, "contact": contact and contact.pk}.items() if v}
    return render(
        request,
        "responses/list.html",
        {
            "rows": rows,
            "emotion": emotion,
            "journey_stage": stage,
            "channel": channel,
            "emotions": emotion_choices(),
            "stages": JourneyStage.choices,
            "channels": SourceKind.choices,
            "account": account,
            "contact": contact,
            "accounts": account_list(user=request.user)
            .select_related(None)
            .only("pk", "name")[:MAX_ACCOUNTS_IN_PICKER],
            "contacts": contact_list(user=request.user).filter(account=account)[:200] if account else [],
            "keep": urlencode(keep),
            "can_use": request.user.has_perm("responses.add_templateusage"),
        },
    )


@login_required
def template_detail(request, pk: int):
    """One template: its guidance and versions, and the reply filled for a chosen account, ready to use."""
    template = selectors.get_template_for_user(request.user, pk)
    account, contact = _account_and_contact(request, request.GET)
    channel = request.GET.get("channel", "")
    suggestion = selectors.suggestion_for(template, account=account, contact=contact, user=request.user)
    can_use = request.user.has_perm("responses.add_templateusage") and template.is_active
    return render(
        request,
        "responses/detail.html",
        {
            "template": template,
            "suggestion": suggestion,
            "account": account,
            "contact": contact,
            "channel": channel if channel in SourceKind.values else "",
            "versions": selectors.template_versions(template=template)[:20],
            "accounts": account_list(user=request.user)
            .select_related(None)
            .only("pk", "name")[:MAX_ACCOUNTS_IN_PICKER],
            "contacts": contact_list(user=request.user).filter(account=account)[:200] if account else [],
            "can_use": can_use,
            "suggestion_box": account is not None and can_use,
        },
    )


def _back(request, template, account, contact):
    query = {k: v for k, v in {"account": account and account.pk, "contact": contact and contact.pk}.items() if v}
    fallback = f"{reverse('responses:detail', args=[template.pk])}?{urlencode(query)}"
    return redirect(safe_next(request, request.POST.get("next", ""), fallback))


@login_required
@require_POST
def template_use(request, pk: int):
    """Record that the signed-in user used the version of the template they were shown, for an account they may see
    (another account, or a contact not at it, is a 404), then go back to where they came from."""
    template = selectors.get_template_for_user(request.user, pk)
    if not request.user.has_perm("responses.add_templateusage"):
        raise PermissionDenied(_("You may not record the use of response templates."))
    template, version, account, contact = selectors.usage_targets(
        user=request.user,
        template_pk=pk,
        version_number=request.POST.get("version"),
        account_pk=request.POST.get("account"),
        contact_pk=request.POST.get("contact") or None,
    )
    try:
        services.template_usage_record(
            template=template,
            version=version,
            account=account,
            contact=contact,
            user=request.user,
            channel=request.POST.get("channel", ""),
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(
            request,
            _("Recorded: you used “%(name)s” (version %(version)s) for %(account)s.")
            % {"name": template.name, "version": version.number, "account": account.name},
        )
    return _back(request, template, account, contact)
