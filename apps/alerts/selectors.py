"""Reads of the alerts app: what a user may see, and the backtest (a replay that writes nothing)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.alerts import evaluation
from apps.alerts.choices import ACTIVE_STATUSES
from apps.alerts.evaluation import CompiledRule, Incident, RuleSet
from apps.alerts.models import Alert, AlertRule


def alerts_visible_to(user) -> QuerySet[Alert]:
    """Alerts ``user`` may see: through their accounts (or the model-wide permission), plus those they own."""
    if user is None or not user.is_authenticated:
        return Alert.objects.none()
    visible = Alert.objects.restrict(user, "view").values("pk")
    return Alert.objects.filter(Q(pk__in=visible) | Q(owner=user)).select_related("rule", "account", "owner")


def alerts_actionable_by(user) -> QuerySet[Alert]:
    """Alerts ``user`` may acknowledge, resolve or dismiss: change rights on the account, or ownership."""
    if user is None or not user.is_authenticated:
        return Alert.objects.none()
    changeable = Alert.objects.restrict(user, "change").values("pk")
    return Alert.objects.filter(Q(pk__in=changeable) | Q(owner=user))


def inbox_for(user, *, status: str = "", severity: str = "", mine_only: bool = True) -> QuerySet[Alert]:
    """The inbox: open and acknowledged alerts the user owns (or, with ``mine_only=False``, may see)."""
    alerts = alerts_visible_to(user)
    if mine_only:
        alerts = alerts.filter(owner=user)
    alerts = alerts.filter(status=status) if status else alerts.filter(status__in=ACTIVE_STATUSES)
    if severity:
        alerts = alerts.filter(severity=severity)
    return alerts.order_by("-last_triggered_at", "-id")


def get_alert_for_user(user, pk: int) -> Alert:
    """The alert, or 404 when the user may not see it (its existence does not leak)."""
    alert = alerts_visible_to(user).filter(pk=pk).first()
    if alert is None:
        raise Http404("No such alert.")
    return alert


def rule_backtest(*, rule: AlertRule, days: int = 30, now: dt.datetime | None = None) -> list[Incident]:
    """The alerts ``rule`` would have raised over the last ``days``, with de-duplication and cooldown applied
    exactly as live: the same ``check()`` and folding, over the same scored history, against today's baselines.

    Disengagement rules are a daily account-level check, not a per-message replay: they return nothing here.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    compiled = CompiledRule.of(rule)
    if compiled.condition not in evaluation.PER_MESSAGE:
        return []
    margin = 2 * max(compiled.window, compiled.ephemeral_window)
    rows = (
        evaluation.scored_rows()
        .filter(evaluation.scope_q(compiled), message_created_at__gt=since - margin, message_created_at__lte=now)
        .values(*evaluation.CONTEXT_FIELDS)
    )
    history = sorted(map(evaluation.context_of, rows), key=lambda c: (c.at, c.message_id))
    contexts = [c for c in history if c.at > since]
    ruleset = RuleSet(rules={compiled.id: compiled}, index={(compiled.scope, compiled.scope_value): [compiled]})
    baselines = evaluation.current_baselines()
    breaches = evaluation.evaluate(contexts, ruleset, evaluation.MemoryWindows(history), baselines)
    return evaluation.replay(breaches)
