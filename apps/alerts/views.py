"""The alerts inbox and alert detail pages, purpose-bound like every page that shows emotion data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.alerts import selectors, services
from apps.alerts.choices import AlertStatus, Severity
from apps.governance.pages import purpose_bound


@login_required
@purpose_bound("page:alerts-inbox")
def inbox(request):
    """``/alerts/``: the signed-in user's open and acknowledged alerts, newest first."""
    status = request.GET.get("status", "")
    severity = request.GET.get("severity", "")
    mine_only = request.GET.get("all") != "1"
    alerts = list(
        selectors.inbox_for(
            request.user,
            status=status if status in AlertStatus.values else "",
            severity=severity if severity in Severity.values else "",
            mine_only=mine_only,
        )[:200]
    )
    request.accessed = ([a.account_id for a in alerts if a.account_id], [])
    return render(
        request,
        "alerts/inbox.html",
        {
            "alerts": alerts,
            "statuses": AlertStatus.choices,
            "severities": Severity.choices,
            "status": status,
            "severity": severity,
            "mine_only": mine_only,
        },
    )


@login_required
@purpose_bound("page:alert-detail")
def detail(request, pk: int):
    """One alert with its evidence, its transitions and the forms to act on it."""
    alert = selectors.get_alert_for_user(request.user, pk)
    request.accessed = ([alert.account_id] if alert.account_id else [], [])
    can_act = selectors.alerts_actionable_by(request.user).filter(pk=alert.pk).exists()
    return render(
        request,
        "alerts/detail.html",
        {"alert": alert, "events": alert.events.select_related("actor"), "can_act": can_act},
    )


ACTIONS = {
    "acknowledge": lambda alert, user, post: services.alert_acknowledge(
        alert=alert, user=user, note=post.get("note", "")
    ),
    "resolve": lambda alert, user, post: services.alert_resolve(alert=alert, user=user, note=post.get("note", "")),
    "dismiss": lambda alert, user, post: services.alert_dismiss(alert=alert, user=user, reason=post.get("reason", "")),
}


@login_required
@require_POST
def act(request, pk: int, verb: str):
    """Acknowledge, resolve or dismiss (with a reason): only for alerts the user may change or owns."""
    if verb not in ACTIONS:
        raise Http404
    alert = selectors.get_alert_for_user(request.user, pk)
    if not selectors.alerts_actionable_by(request.user).filter(pk=alert.pk).exists():
        raise Http404("No such alert.")
    try:
        ACTIONS[verb](alert, request.user, request.POST)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(
            request, f"Alert #{alert.pk}: {verb}d." if verb != "dismiss" else f"Alert #{alert.pk}: dismissed."
        )
    return redirect("alerts:detail", pk=alert.pk)
