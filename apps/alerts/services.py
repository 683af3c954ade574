"""Writes of the alerts app: evaluation into alerts, the alert lifecycle, escalation, baselines, notifications."""

from __future__ import annotations

import datetime as dt
import json
import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable

import requests
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from apps.alerts import evaluation
from apps.alerts.choices import (
    ACTIVE_STATUSES,
    SEVERITY_RANK,
    AlertStatus,
    Condition,
    DeliveryStatus,
    EventKind,
    LabelKind,
    OwnerRole,
    Scope,
)
from apps.alerts.evaluation import Breach, CompiledRule, Incident
from apps.alerts.models import (
    Alert,
    AlertEvent,
    AlertRule,
    AlertTrigger,
    Baseline,
    EscalationLevel,
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)
from apps.core.audit import acting_as
from apps.core.signing import webhook_signature

logger = logging.getLogger("emotionhub.alerts")

EVIDENCE_IDS = 50
WEBHOOK_TIMEOUT = 5
WEBHOOK_MAX_ATTEMPTS = 6
WEBHOOK_BACKOFF_SECONDS = 30  # then 60, 120, 240, 480
WEBHOOK_LEASE_SECONDS = 60


# --- evaluation ------------------------------------------------------------------------------------


def alerts_evaluate(*, message_ids: Iterable[int]) -> dict[str, int]:
    """Evaluate the active rules on these scored messages; breaches become alerts, one per incident.

    Idempotent: a (rule, message) pair that already triggered is skipped, so running it twice changes nothing.
    """
    counts = {"messages": 0, "breaches": 0, "created": 0, "folded": 0}
    ruleset = evaluation.active_rules()
    if not ruleset.index:
        return counts
    contexts = evaluation.contexts_for(message_ids)
    counts["messages"] = len(contexts)
    if not contexts:
        return counts
    skip = set(
        AlertTrigger.objects.filter(message_id__in=[c.message_id for c in contexts]).values_list(
            "rule_id", "message_id"
        )
    )
    baselines = evaluation.current_baselines() if ruleset.has_spikes else {}
    breaches = evaluation.evaluate(contexts, ruleset, evaluation.DbWindows(), baselines, skip)
    counts["breaches"] = len(breaches)
    if breaches:
        try:
            created, folded = _record_breaches(breaches)
        except IntegrityError:
            # A concurrent run recorded some of these triggers first; ours rolled back whole, theirs stands.
            logger.info("alerts: concurrent evaluation of %s messages, kept the other run's", len(contexts))
            return counts
        counts["created"], counts["folded"] = created, folded
    return counts


def _incident_of(alert: Alert) -> Incident:
    return Incident(
        key=alert.dedup_key, first_at=alert.first_triggered_at, last_at=alert.last_triggered_at, alert_id=alert.pk
    )


@transaction.atomic
def _record_breaches(breaches: list[Breach]) -> tuple[int, int]:
    rule_ids = {b.rule.id for b in breaches}
    # Serialises alert creation per rule across workers: the latest alert per key read below is the truth.
    rules = {r.pk: r for r in AlertRule.objects.select_for_update().filter(pk__in=rule_ids)}
    latest: dict[tuple[int, str], Alert | None] = {}
    created: list[Alert] = []
    touched: dict[int, Alert] = {}
    triggers: list[AlertTrigger] = []
    for breach in breaches:
        slot = (breach.rule.id, breach.key)
        if slot not in latest:
            latest[slot] = (
                Alert.objects.filter(rule_id=breach.rule.id, dedup_key=breach.key)
                .order_by("-last_triggered_at", "-id")
                .first()
            )
        alert = latest[slot]
        if alert is not None and evaluation.same_incident(_incident_of(alert), breach.rule, breach.ctx.at):
            alert.trigger_count += 1
            alert.last_triggered_at = max(alert.last_triggered_at, breach.ctx.at)
            ids = [*alert.evidence.get("message_ids", []), breach.ctx.message_id][-EVIDENCE_IDS:]
            alert.evidence = {**alert.evidence, "message_ids": ids, "latest": breach.evidence}
            if breach.value > alert.evidence.get("peak", 0):
                alert.evidence["peak"] = round(breach.value, 4)
            touched[alert.pk] = alert
        else:
            alert = _alert_open(rule=rules[breach.rule.id], breach=breach)
            latest[slot] = alert
            created.append(alert)
        triggers.append(
            AlertTrigger(
                alert=alert,
                rule_id=breach.rule.id,
                message_id=breach.ctx.message_id,
                triggered_at=breach.ctx.at,
                value=breach.value,
            )
        )
    for alert in touched.values():
        alert.save(update_fields=["trigger_count", "last_triggered_at", "evidence", "updated"])
    AlertEvent.objects.bulk_create(
        [
            AlertEvent(alert=a, kind=EventKind.TRIGGERED, note=f"{a.trigger_count} triggers")
            for a in touched.values()
            if a not in created
        ]
    )
    AlertTrigger.objects.bulk_create(triggers)
    for alert in created:
        _notify_later(alert, "alert.created")
    return len(created), len(breaches) - len(created)


def _alert_open(*, rule: AlertRule, breach: Breach) -> Alert:
    """A new incident: route it to its owner, start its SLA timer, log it."""
    now = timezone.now()
    ctx = breach.ctx
    alert = Alert(
        rule=rule,
        account_id=breach.account_id,
        segment_id=ctx.segment_id,
        dedup_key=breach.key,
        title=_title(rule, breach)[:255],
        severity=rule.severity,
        first_triggered_at=ctx.at,
        last_triggered_at=ctx.at,
        trigger_count=1,
        evidence={
            "condition": rule.condition,
            "label": rule.label,
            "message_ids": [ctx.message_id],
            "peak": round(breach.value, 4),
            "first": breach.evidence,
            "latest": breach.evidence,
        },
    )
    level = _first_level(rule)
    alert.owner = _owner_for(alert, level)
    if level is not None:
        alert.next_escalation_at = now + dt.timedelta(minutes=level.sla_minutes)
    alert.full_clean()
    alert.save()
    AlertEvent.objects.create(
        alert=alert, kind=EventKind.CREATED, to_status=AlertStatus.OPEN, level=0, note=f"owner: {alert.owner or '—'}"
    )
    return alert


def _title(rule: AlertRule, breach: Breach) -> str:
    if rule.condition == Condition.SPIKE:
        baseline = breach.evidence["baseline_mean"]
        return f"{rule.name}: {rule.label} at {breach.value:.0%} of messages (baseline {baseline:.0%})"
    if rule.condition == Condition.VIRAL:
        return f"{rule.name}: negative narrative on “{breach.evidence['theme']}”"
    if rule.condition == Condition.DISENGAGEMENT:
        return f"{rule.name}: {breach.evidence.get('reason', '')}"
    return f"{rule.name}: {rule.label} {breach.value:.2f}"


def _levels(rule: AlertRule) -> list[EscalationLevel]:
    if not rule.escalation_policy_id:
        return []
    return list(EscalationLevel.objects.filter(policy_id=rule.escalation_policy_id).order_by("order"))


def _first_level(rule: AlertRule) -> EscalationLevel | None:
    levels = _levels(rule)
    return levels[0] if levels else None


def _owner_for(alert: Alert, level: EscalationLevel | None):
    """Who owns ``alert`` at ``level``: without a policy, the account manager of its account."""
    account = alert.account if alert.account_id else None
    if level is None or level.owner_role == OwnerRole.ACCOUNT_MANAGER:
        return account.account_manager if account is not None else None
    if level.owner_role == OwnerRole.USER:
        return level.user
    return level.group.user_set.filter(is_active=True).order_by("id").first()


# --- lifecycle --------------------------------------------------------------------------------------

TRANSITIONS = {
    AlertStatus.ACKNOWLEDGED: (AlertStatus.OPEN,),
    AlertStatus.RESOLVED: (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
    AlertStatus.DISMISSED: (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
}


def _transition(*, alert: Alert, user, to: str, note: str = "", reason: str = "") -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status not in TRANSITIONS[to]:
        raise ValidationError(
            {"status": _("An alert that is %(s)s cannot become %(t)s.") % {"s": alert.status, "t": to}}
        )
    previous = alert.status
    now = timezone.now()
    alert.status = to
    alert.next_escalation_at = None
    if to == AlertStatus.ACKNOWLEDGED:
        alert.acknowledged_at = now
        alert.owner = alert.owner or user
    else:
        alert.closed_at = now
    if to == AlertStatus.DISMISSED:
        alert.dismiss_reason = reason
    alert.full_clean()
    with acting_as(user):
        alert.save()
    AlertEvent.objects.create(
        alert=alert, kind=EventKind.TRANSITION, actor=user, from_status=previous, to_status=to, note=note or reason
    )
    _notify_later(alert, f"alert.{to}")
    return alert


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user, note: str = "") -> Alert:
    """The owner has seen it: the SLA timer stops (no more escalation)."""
    return _transition(alert=alert, user=user, to=AlertStatus.ACKNOWLEDGED, note=note)


@transaction.atomic
def alert_resolve(*, alert: Alert, user, note: str = "") -> Alert:
    """The incident is dealt with."""
    return _transition(alert=alert, user=user, to=AlertStatus.RESOLVED, note=note)


@transaction.atomic
def alert_dismiss(*, alert: Alert, user, reason: str) -> Alert:
    """Not an incident after all; the reason is required (it is what tunes the rule)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the alert is dismissed.")})
    return _transition(alert=alert, user=user, to=AlertStatus.DISMISSED, reason=reason.strip())


# --- escalation ---------------------------------------------------------------------------------------


def alerts_escalate_due(*, now: dt.datetime | None = None) -> int:
    """Escalate every open alert whose SLA has passed; returns how many moved up a level."""
    now = now or timezone.now()
    due = Alert.objects.filter(status=AlertStatus.OPEN, next_escalation_at__lte=now).values_list("pk", flat=True)
    return sum(alert_escalate(alert_id=pk, now=now) for pk in list(due[:1000]))


@transaction.atomic
def alert_escalate(*, alert_id: int, now: dt.datetime | None = None) -> bool:
    """Move an unacknowledged alert past its SLA to the next level's owner, notify them, audit it.

    Claimed with a conditional UPDATE on its timer, so two sweeps never escalate the same alert twice.
    """
    now = now or timezone.now()
    alert = Alert.objects.filter(pk=alert_id).select_related("rule", "account").first()
    if alert is None or alert.status != AlertStatus.OPEN or not alert.next_escalation_at:
        return False
    if alert.next_escalation_at > now:
        return False
    claimed = Alert.objects.filter(
        pk=alert.pk,
        status=AlertStatus.OPEN,
        escalation_level=alert.escalation_level,
        next_escalation_at=alert.next_escalation_at,
    ).update(next_escalation_at=None)
    if not claimed:
        return False
    levels = _levels(alert.rule)
    following = alert.escalation_level + 1
    if following >= len(levels):
        AlertEvent.objects.create(
            alert=alert,
            kind=EventKind.ESCALATED,
            level=alert.escalation_level,
            note="SLA missed at the last level; nobody further to escalate to.",
        )
        return False
    level = levels[following]
    previous_owner = alert.owner
    alert.refresh_from_db()
    alert.escalation_level = following
    alert.owner = _owner_for(alert, level) or previous_owner
    alert.next_escalation_at = now + dt.timedelta(minutes=level.sla_minutes)
    alert.save(update_fields=["escalation_level", "owner", "next_escalation_at", "updated"])
    AlertEvent.objects.create(
        alert=alert,
        kind=EventKind.ESCALATED,
        at=now,
        level=following,
        note=f"Unacknowledged past the SLA; from {previous_owner or '—'} to {alert.owner or '—'}.",
    )
    _notify_later(alert, "alert.escalated")
    return True


# --- baselines -------------------------------------------------------------------------------------


@transaction.atomic
def baselines_recompute(*, days: int = 30, bucket_minutes: int = 60, now: dt.datetime | None = None) -> int:
    """Rolling emotional profile per segment and journey stage ("" = all stages): each emotion's pooled share
    of messages over ``days``, and the spread of that share between ``bucket_minutes`` windows."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    rows = (
        evaluation.scored_rows()
        .filter(message_created_at__gt=since, message_created_at__lte=now)
        .values_list(
            "message_created_at",
            "account__segment_id",
            "message__journey_stage",
            "account__journey_stage",
            "dominant",
            "dominant_business",
        )
        .iterator(chunk_size=5000)
    )
    width = bucket_minutes * 60
    totals: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    hits: dict[tuple, dict[tuple, dict[int, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for at, segment, msg_stage, acc_stage, dominant, business in rows:
        bucket = int((at - since).total_seconds() // width)
        for group in {(segment, msg_stage or acc_stage or ""), (segment, "")}:
            totals[group][bucket] += 1
            if dominant:
                hits[group][(LabelKind.BASE, dominant)][bucket] += 1
            if business:
                hits[group][(LabelKind.BUSINESS, business)][bucket] += 1
    Baseline.objects.all().delete()
    made = []
    for group, per_bucket in totals.items():
        n = sum(per_bucket.values())
        for (kind, label), label_hits in hits[group].items():
            shares = [label_hits.get(b, 0) / count for b, count in per_bucket.items()]
            made.append(
                Baseline(
                    segment_id=group[0],
                    journey_stage=group[1],
                    label_kind=kind,
                    label=label,
                    mean_share=sum(label_hits.values()) / n,
                    std=statistics.pstdev(shares) if len(shares) > 1 else 0.0,
                    n=n,
                    buckets=len(per_bucket),
                    window_minutes=bucket_minutes,
                    window_days=days,
                    computed_at=now,
                )
            )
    Baseline.objects.bulk_create(made, batch_size=1000)
    return len(made)


# --- disengagement ------------------------------------------------------------------------------------


def disengagement_check(*, now: dt.datetime | None = None) -> int:
    """Daily: key accounts in a disengagement rule's scope that went quiet, or whose valence turned negative,
    over the rule's N days compared with the N days before. Returns how many alerts were opened."""
    from apps.crm.models import Account

    now = now or timezone.now()
    opened = 0
    for rule in AlertRule.objects.filter(is_active=True, condition=Condition.DISENGAGEMENT):
        compiled = CompiledRule.of(rule)
        span = dt.timedelta(days=rule.days)
        accounts = Account.objects.filter(is_key_account=True)
        account_filter = {
            Scope.SEGMENT: {"segment_id": rule.segment_id},
            Scope.TIER: {"tier": rule.tier},
            Scope.JOURNEY_STAGE: {"journey_stage": rule.journey_stage},
        }.get(rule.scope, {})
        accounts = accounts.filter(**account_filter)
        stats = (
            evaluation.scored_rows()
            .filter(account__in=accounts, message_created_at__gt=now - 2 * span, message_created_at__lte=now)
            .values("account_id")
            .annotate(
                recent=Count("id", filter=Q(message_created_at__gt=now - span)),
                before=Count("id", filter=Q(message_created_at__lte=now - span)),
                recent_valence=Avg("valence", filter=Q(message_created_at__gt=now - span)),
                before_valence=Avg("valence", filter=Q(message_created_at__lte=now - span)),
            )
        )
        drop = rule.ratio if rule.ratio is not None else 0.2
        for row in stats:
            reason = ""
            if row["before"] >= max(1, rule.min_volume) and row["recent"] == 0:
                reason = f"went quiet: no messages in {rule.days} days after {row['before']} before"
            elif (
                row["recent"]
                and row["recent_valence"] is not None
                and row["recent_valence"] < 0
                and (row["before_valence"] or 0) - row["recent_valence"] >= drop
            ):
                reason = f"trending negative: valence {row['before_valence'] or 0:.2f} → {row['recent_valence']:.2f}"
            if reason:
                opened += _disengagement_alert(
                    rule=rule, compiled=compiled, account_id=row["account_id"], reason=reason, now=now
                )
    return opened


@transaction.atomic
def _disengagement_alert(*, rule, compiled, account_id: int, reason: str, now) -> int:
    key = compiled.dedup_template.format(
        rule=rule.pk, account=account_id, segment="-", label=rule.label, thread="-", platform="-", theme="-"
    )
    latest = Alert.objects.filter(rule=rule, dedup_key=key).order_by("-last_triggered_at").first()
    if latest is not None and (latest.status in ACTIVE_STATUSES or now - latest.last_triggered_at < compiled.cooldown):
        latest.trigger_count += 1
        latest.last_triggered_at = now
        latest.save(update_fields=["trigger_count", "last_triggered_at", "updated"])
        return 0
    from apps.alerts.evaluation import MessageContext

    ctx = MessageContext(
        account_id, now, account_id, None, "", True, "", "", "", False, "", "", 0, False, "", {}, {}, "", "", None
    )
    breach = Breach(compiled, ctx, key, 0.0, {"reason": reason})
    alert = _alert_open(rule=rule, breach=breach)
    alert.evidence["message_ids"] = []
    alert.save(update_fields=["evidence"])
    _notify_later(alert, "alert.created")
    return 1


@transaction.atomic
def alerts_forget_messages(*, message_ids) -> int:
    """Derived data of messages whose emotions may no longer be used (an opt-out): their alert triggers go,
    and their ids leave the alerts' evidence. The alerts themselves stay (an owner acted on them)."""
    ids = set(message_ids)
    if not ids:
        return 0
    alert_ids = set(AlertTrigger.objects.filter(message_id__in=ids).values_list("alert_id", flat=True))
    deleted, _ = AlertTrigger.objects.filter(message_id__in=ids).delete()
    for alert in Alert.objects.filter(pk__in=alert_ids):
        kept = [pk for pk in alert.evidence.get("message_ids", []) if pk not in ids]
        evidence = {k: v for k, v in alert.evidence.items() if k not in ("first", "latest")}
        alert.evidence = {**evidence, "message_ids": kept}
        alert.save(update_fields=["evidence", "updated"])
    return deleted


# --- notifications and webhooks ---------------------------------------------------------------------


def _notify_later(alert: Alert, event: str) -> None:
    alert_id = alert.pk
    transaction.on_commit(lambda: async_task("apps.alerts.tasks.notify_alert", alert_id, event, group="alerts"))


def alert_payload(alert: Alert, event: str) -> dict:
    return {
        "event": event,
        "alert": {
            "id": alert.pk,
            "rule": alert.rule_id,
            "title": alert.title,
            "severity": alert.severity,
            "status": alert.status,
            "account": alert.account_id,
            "owner": alert.owner.get_username() if alert.owner_id else None,
            "dedup_key": alert.dedup_key,
            "trigger_count": alert.trigger_count,
            "escalation_level": alert.escalation_level,
            "first_triggered_at": alert.first_triggered_at.isoformat(),
            "last_triggered_at": alert.last_triggered_at.isoformat(),
        },
    }


def alert_notify(*, alert_id: int, event: str) -> dict[str, int]:
    """Email the owner (on creation and escalation) and queue one signed webhook delivery per active endpoint."""
    alert = Alert.objects.filter(pk=alert_id).select_related("owner").first()
    if alert is None:
        return {"emails": 0, "webhooks": 0}
    emails = 0
    if event in ("alert.created", "alert.escalated") and alert.owner_id and alert.owner.email:
        subject = f"[EmotionHub {alert.get_severity_display()}] {alert.title}"[:255]
        send_mail(
            subject,
            f"{alert.title}\n\nSeverity: {alert.get_severity_display()}\nTriggers: {alert.trigger_count}\n"
            f"Open it: /alerts/{alert.pk}/\n",
            None,
            [alert.owner.email],
        )
        Notification.objects.create(alert=alert, recipient=alert.owner.email, subject=subject)
        AlertEvent.objects.create(alert=alert, kind=EventKind.NOTIFIED, note=f"email to {alert.owner.email}")
        emails = 1
    payload = alert_payload(alert, event)
    rank = SEVERITY_RANK[alert.severity]
    deliveries = [
        WebhookDelivery.objects.create(endpoint=endpoint, alert=alert, event=event, payload=payload)
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if SEVERITY_RANK[endpoint.min_severity] <= rank
    ]
    for delivery in deliveries:
        webhook_deliver(delivery_id=delivery.pk)
    return {"emails": emails, "webhooks": len(deliveries)}


def webhook_deliver(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """One attempt at a delivery, claimed with a conditional UPDATE; failures back off exponentially."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).select_related("endpoint").first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at > now:
        return "skipped"
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(attempts=delivery.attempts + 1, next_attempt_at=now + dt.timedelta(seconds=WEBHOOK_LEASE_SECONDS))
    if not claimed:
        return "skipped"
    attempts = delivery.attempts + 1
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-EmotionHub-Timestamp": str(timestamp),
        "X-EmotionHub-Signature": webhook_signature(delivery.endpoint.secret, timestamp, body),
        "X-EmotionHub-Event": delivery.event,
        "X-EmotionHub-Delivery": str(delivery.pk),
    }
    code, error = None, ""
    try:
        response = requests.post(
            delivery.endpoint.url, data=body, headers=headers, timeout=WEBHOOK_TIMEOUT, allow_redirects=False
        )
        code = response.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}: {response.text[:200]}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    fields = {"response_code": code, "error": error}
    if not error:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    elif attempts >= WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.FAILED)
    else:
        fields.update(next_attempt_at=now + dt.timedelta(seconds=WEBHOOK_BACKOFF_SECONDS * 2 ** (attempts - 1)))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return fields.get("status", DeliveryStatus.PENDING)


def webhooks_retry_due(*, now: dt.datetime | None = None) -> int:
    """Attempt every pending delivery whose backoff has passed."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    ids = list(due.values_list("pk", flat=True)[:500])
    for pk in ids:
        webhook_deliver(delivery_id=pk, now=now)
    return len(ids)
