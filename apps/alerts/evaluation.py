"""Rule evaluation shared by the live path (after scoring) and the backtest (a replay that writes nothing).

The same ``check()`` and the same incident folding (``IncidentBook``) run in both, so a backtest's
would-be alerts are exactly what the live rule creates on the same data. What differs is only where
window counts come from: the database live (``DbWindows``), a preloaded history in the backtest
(``MemoryWindows``), with the same semantics (``since < message_created_at <= until``).

Active rules are compiled once per process and kept until their fingerprint (count, latest id and
update) changes; they are pre-indexed by scope so a message only meets the rules that can apply to it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import Count, Max, Q

from apps.alerts.choices import Condition, LabelKind, Scope
from apps.alerts.models import AlertRule, Baseline
from apps.scoring.models import EmotionScore
from apps.sources.choices import MessageStatus, SourceKind

EXCLUDED_STATUSES = (MessageStatus.NOISE, MessageStatus.TOMBSTONE)
DEFAULT_DEDUP = {
    Condition.THRESHOLD: "{rule}:{account}",
    Condition.SPIKE: "{rule}:{segment}:{label}",
    Condition.VIRAL: "{rule}:{theme}",
    Condition.DISENGAGEMENT: "{rule}:{account}",
}
PER_MESSAGE = (Condition.THRESHOLD, Condition.SPIKE, Condition.VIRAL)


@dataclass(frozen=True)
class CompiledRule:
    """An active rule as evaluation reads it: plain values, no ORM access."""

    id: int
    name: str
    scope: str
    scope_value: str
    condition: str
    label_kind: str
    label: str
    threshold: float
    k_sigma: float | None
    ratio: float | None
    window: dt.timedelta
    ephemeral_window: dt.timedelta
    min_volume: int
    by_journey_stage: bool
    days: int
    growth_factor: float
    weight_by_reach: bool
    severity: str
    cooldown: dt.timedelta
    policy_id: int | None
    dedup_template: str

    @classmethod
    def of(cls, rule: AlertRule) -> CompiledRule:
        value = {
            Scope.SEGMENT: str(rule.segment_id or ""),
            Scope.TIER: rule.tier,
            Scope.SOURCE_KIND: rule.source_kind,
            Scope.PLATFORM: rule.platform,
            Scope.JOURNEY_STAGE: rule.journey_stage,
            Scope.KEY_ACCOUNTS: "1",
        }.get(rule.scope, "")
        return cls(
            id=rule.pk,
            name=rule.name,
            scope=rule.scope,
            scope_value=value,
            condition=rule.condition,
            label_kind=rule.label_kind,
            label=rule.label,
            threshold=rule.threshold,
            k_sigma=rule.k_sigma,
            ratio=rule.ratio,
            window=dt.timedelta(minutes=rule.window_minutes),
            ephemeral_window=dt.timedelta(minutes=rule.ephemeral_window_minutes or rule.window_minutes),
            min_volume=rule.min_volume,
            by_journey_stage=rule.by_journey_stage,
            days=rule.days,
            growth_factor=rule.growth_factor,
            weight_by_reach=rule.weight_by_reach,
            severity=rule.severity,
            cooldown=dt.timedelta(minutes=rule.cooldown_minutes),
            policy_id=rule.escalation_policy_id,
            dedup_template=rule.dedup_key_template or DEFAULT_DEDUP[rule.condition],
        )


@dataclass(frozen=True)
class MessageContext:
    """What evaluation needs of one scored message (built from one row of one query)."""

    message_id: int
    at: dt.datetime
    account_id: int | None
    segment_id: int | None
    tier: str
    is_key: bool
    source_kind: str
    platform: str
    stage: str
    ephemeral: bool
    thread: str
    theme: str
    reach: int
    is_influencer: bool
    author: str
    scores: dict
    business_scores: dict
    dominant: str
    dominant_business: str
    valence: float | None

    def scope_keys(self) -> list[tuple[str, str]]:
        keys = [
            (Scope.ALL, ""),
            (Scope.SEGMENT, str(self.segment_id or "")),
            (Scope.TIER, self.tier),
            (Scope.SOURCE_KIND, self.source_kind),
            (Scope.PLATFORM, self.platform),
            (Scope.JOURNEY_STAGE, self.stage),
        ]
        if self.is_key:
            keys.append((Scope.KEY_ACCOUNTS, "1"))
        return keys

    def value(self, kind: str, label: str) -> float:
        return float((self.business_scores if kind == LabelKind.BUSINESS else self.scores).get(label) or 0.0)

    def dominant_of(self, kind: str) -> str:
        return self.dominant_business if kind == LabelKind.BUSINESS else self.dominant

    def weight(self, by_reach: bool) -> float:
        """A mention's weight in a viral narrative: 1, plus the order of magnitude of its author's reach."""
        return 1.0 + math.log10(1 + self.reach) if by_reach else 1.0


CONTEXT_FIELDS = (
    "message_id",
    "message_created_at",
    "scores",
    "business_scores",
    "dominant",
    "dominant_business",
    "valence",
    "account_id",
    "account__segment_id",
    "account__tier",
    "account__is_key_account",
    "account__journey_stage",
    "message__journey_stage",
    "message__source__kind",
    "message__platform",
    "message__source__platform",
    "message__expires_at",
    "message__thread_id",
    "message__metadata",
    "message__author_reach",
    "message__is_influencer",
    "message__author_handle",
)


def scored_rows():
    """Current scores of messages that count (noise and tombstones are excluded from everything)."""
    return EmotionScore.objects.filter(is_current=True).exclude(message__status__in=EXCLUDED_STATUSES)


def context_of(row: dict) -> MessageContext:
    metadata = row["message__metadata"] or {}
    return MessageContext(
        message_id=row["message_id"],
        at=row["message_created_at"],
        account_id=row["account_id"],
        segment_id=row["account__segment_id"],
        tier=row["account__tier"] or "",
        is_key=bool(row["account__is_key_account"]),
        source_kind=row["message__source__kind"] or "",
        platform=row["message__platform"] or row["message__source__platform"] or "",
        stage=row["message__journey_stage"] or row["account__journey_stage"] or "",
        ephemeral=row["message__expires_at"] is not None,
        thread=row["message__thread_id"] or "",
        theme=str(metadata.get("theme") or metadata.get("topic") or row["message__thread_id"] or "")[:100],
        reach=row["message__author_reach"] or 0,
        is_influencer=bool(row["message__is_influencer"]),
        author=row["message__author_handle"] or "",
        scores=row["scores"] or {},
        business_scores=row["business_scores"] or {},
        dominant=row["dominant"] or "",
        dominant_business=row["dominant_business"] or "",
        valence=row["valence"],
    )


def contexts_for(message_ids) -> list[MessageContext]:
    """Contexts of these messages, oldest first (ties by id): the order evaluation folds them in."""
    rows = scored_rows().filter(message_id__in=list(message_ids)).values(*CONTEXT_FIELDS)
    return sorted((context_of(r) for r in rows), key=lambda c: (c.at, c.message_id))


def in_scope(rule: CompiledRule, ctx: MessageContext) -> bool:
    return rule.scope == Scope.ALL or (rule.scope, rule.scope_value) in ctx.scope_keys()


def scope_q(rule: CompiledRule) -> Q:
    """The rule's scope as a filter on current scores (the database side of ``in_scope``)."""
    value = rule.scope_value
    if rule.scope == Scope.SEGMENT:
        return Q(account__segment_id=int(value))
    if rule.scope == Scope.TIER:
        return Q(account__tier=value)
    if rule.scope == Scope.KEY_ACCOUNTS:
        return Q(account__is_key_account=True)
    if rule.scope == Scope.SOURCE_KIND:
        return Q(message__source__kind=value)
    if rule.scope == Scope.PLATFORM:
        return Q(message__platform=value) | Q(message__platform="", message__source__platform=value)
    if rule.scope == Scope.JOURNEY_STAGE:
        return stage_q(value)
    return Q()


def stage_q(stage: str) -> Q:
    return Q(message__journey_stage=stage) | Q(message__journey_stage="", account__journey_stage=stage)


# --- rules, cached per process -------------------------------------------------------------------


@dataclass
class RuleSet:
    rules: dict[int, CompiledRule] = field(default_factory=dict)
    index: dict[tuple[str, str], list[CompiledRule]] = field(default_factory=dict)
    fingerprint: tuple = ()
    has_spikes: bool = False

    def candidates(self, ctx: MessageContext) -> list[CompiledRule]:
        found: list[CompiledRule] = []
        for key in ctx.scope_keys():
            found.extend(self.index.get(key, ()))
        return found


_lock = threading.Lock()
_cache: dict[str, RuleSet] = {}


def _fingerprint() -> tuple:
    agg = AlertRule.objects.filter(is_active=True).aggregate(n=Count("id"), last=Max("updated"), top=Max("id"))
    return (agg["n"], agg["last"], agg["top"])


def active_rules() -> RuleSet:
    """The compiled active rules; recompiled only when the fingerprint changes (one cheap query per batch)."""
    fingerprint = _fingerprint()
    cached = _cache.get("rules")
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    ruleset = RuleSet(fingerprint=fingerprint)
    for rule in AlertRule.objects.filter(is_active=True):
        compiled = CompiledRule.of(rule)
        ruleset.rules[compiled.id] = compiled
        if compiled.condition in PER_MESSAGE:
            ruleset.index.setdefault((compiled.scope, compiled.scope_value), []).append(compiled)
            ruleset.has_spikes |= compiled.condition == Condition.SPIKE
    with _lock:
        _cache["rules"] = ruleset
    return ruleset


def current_baselines() -> dict[tuple, Baseline]:
    """Baselines keyed by (segment id, journey stage, label kind, label), cached until recomputed."""
    agg = Baseline.objects.aggregate(n=Count("id"), last=Max("computed_at"), top=Max("id"))
    fingerprint = (agg["n"], agg["last"], agg["top"])
    cached = _cache.get("baselines")
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    table = {(b.segment_id, b.journey_stage, b.label_kind, b.label): b for b in Baseline.objects.all()}
    with _lock:
        _cache["baselines"] = (fingerprint, table)
    return table


# --- windows -------------------------------------------------------------------------------------


class Windows(Protocol):
    def share(self, rule: CompiledRule, ctx: MessageContext, since: dt.datetime) -> tuple[int, int]: ...

    def mentions(
        self, rule: CompiledRule, ctx: MessageContext, since: dt.datetime, until: dt.datetime
    ) -> list[MessageContext]: ...


def _spike_group(rule: CompiledRule, ctx: MessageContext, other: MessageContext) -> bool:
    return other.segment_id == ctx.segment_id and (not rule.by_journey_stage or other.stage == ctx.stage)


def _viral_mention(rule: CompiledRule, ctx: MessageContext, other: MessageContext) -> bool:
    return (
        other.source_kind == SourceKind.SOCIAL
        and other.theme == ctx.theme
        and other.valence is not None
        and other.valence < rule.threshold
    )


class DbWindows:
    """Window counts from the database (the live path)."""

    def share(self, rule, ctx, since):
        qs = scored_rows().filter(scope_q(rule), message_created_at__gt=since, message_created_at__lte=ctx.at)
        qs = qs.filter(account__segment_id=ctx.segment_id) if ctx.segment_id else qs.filter(account__segment=None)
        if rule.by_journey_stage:
            qs = qs.filter(stage_q(ctx.stage))
        field_name = "dominant_business" if rule.label_kind == LabelKind.BUSINESS else "dominant"
        agg = qs.aggregate(n=Count("id"), hits=Count("id", filter=Q(**{field_name: rule.label})))
        return agg["n"], agg["hits"]

    def mentions(self, rule, ctx, since, until):
        rows = (
            scored_rows()
            .filter(scope_q(rule), message_created_at__gt=since, message_created_at__lte=until)
            .filter(message__source__kind=SourceKind.SOCIAL, valence__lt=rule.threshold)
            .values(*CONTEXT_FIELDS)
        )
        return [c for c in map(context_of, rows) if _viral_mention(rule, ctx, c)]


class MemoryWindows:
    """Window counts from a preloaded, time-ordered history (the backtest)."""

    def __init__(self, history: list[MessageContext]):
        self.history = history
        self.times = [c.at for c in history]

    def _between(self, since, until) -> list[MessageContext]:
        return self.history[bisect.bisect_right(self.times, since) : bisect.bisect_right(self.times, until)]

    def share(self, rule, ctx, since):
        rows = [c for c in self._between(since, ctx.at) if in_scope(rule, c) and _spike_group(rule, ctx, c)]
        return len(rows), sum(1 for c in rows if c.dominant_of(rule.label_kind) == rule.label)

    def mentions(self, rule, ctx, since, until):
        return [c for c in self._between(since, until) if in_scope(rule, c) and _viral_mention(rule, ctx, c)]


# --- checking one message against one rule ---------------------------------------------------------


@dataclass
class Breach:
    """A message that broke a rule, with what it showed."""

    rule: CompiledRule
    ctx: MessageContext
    key: str
    value: float
    evidence: dict

    @property
    def account_id(self) -> int | None:
        return self.ctx.account_id if self.rule.condition in (Condition.THRESHOLD, Condition.DISENGAGEMENT) else None


def dedup_key(rule: CompiledRule, ctx: MessageContext) -> str:
    return rule.dedup_template.format(
        rule=rule.id,
        account=ctx.account_id or "-",
        segment=ctx.segment_id or "-",
        label=rule.label,
        thread=ctx.thread or ctx.message_id,
        platform=ctx.platform or "-",
        theme=ctx.theme or "-",
    )[:255]


def find_baseline(baselines: dict, rule: CompiledRule, ctx: MessageContext) -> Baseline | None:
    if rule.by_journey_stage:
        found = baselines.get((ctx.segment_id, ctx.stage, rule.label_kind, rule.label))
        if found is not None:
            return found
    return baselines.get((ctx.segment_id, "", rule.label_kind, rule.label))


def check(rule: CompiledRule, ctx: MessageContext, windows: Windows, baselines: dict) -> Breach | None:
    """Whether ``ctx`` breaks ``rule`` at the message's own time (so a replay gives the same answer)."""
    window = rule.ephemeral_window if ctx.ephemeral else rule.window
    if rule.condition == Condition.THRESHOLD:
        value = ctx.value(rule.label_kind, rule.label)
        if value <= rule.threshold:
            return None
        return Breach(rule, ctx, dedup_key(rule, ctx), value, {"score": round(value, 4)})
    if rule.condition == Condition.SPIKE:
        # Only a message of the emotion can push its share over the line; others lower it.
        if ctx.dominant_of(rule.label_kind) != rule.label:
            return None
        baseline = find_baseline(baselines, rule, ctx)
        if baseline is None:
            return None
        n, hits = windows.share(rule, ctx, ctx.at - window)
        if n < rule.min_volume:
            return None
        share, mean = hits / n, baseline.mean_share
        # The baseline's spread between windows, but never less than sampling noise at this volume.
        std = max(baseline.std, math.sqrt(max(mean * (1 - mean), 0.0) / n))
        over_sigma = rule.k_sigma is not None and share > mean + rule.k_sigma * std
        over_ratio = rule.ratio is not None and share > mean * rule.ratio
        if not (over_sigma or over_ratio):
            return None
        evidence = {
            "share": round(share, 4),
            "volume": n,
            "baseline_mean": round(mean, 4),
            "baseline_std": round(std, 4),
            "window_minutes": int(window.total_seconds() // 60),
        }
        return Breach(rule, ctx, dedup_key(rule, ctx), share, evidence)
    if rule.condition == Condition.VIRAL:
        if ctx.source_kind != SourceKind.SOCIAL or not ctx.theme or ctx.valence is None:
            return None
        if ctx.valence >= rule.threshold:
            return None
        now_rows = windows.mentions(rule, ctx, ctx.at - window, ctx.at)
        if len(now_rows) < rule.min_volume:
            return None
        before = sum(
            c.weight(rule.weight_by_reach) for c in windows.mentions(rule, ctx, ctx.at - 2 * window, ctx.at - window)
        )
        weight = sum(c.weight(rule.weight_by_reach) for c in now_rows)
        if weight < rule.growth_factor * max(before, 1.0):
            return None
        influencers = sorted({c.author for c in now_rows if c.is_influencer and c.author})
        evidence = {
            "theme": ctx.theme,
            "mentions": len(now_rows),
            "weighted_volume": round(weight, 2),
            "previous_weighted_volume": round(before, 2),
            "reach": sum(c.reach for c in now_rows),
            "influencers": influencers[:20],
        }
        return Breach(rule, ctx, dedup_key(rule, ctx), weight, evidence)
    return None


def evaluate(contexts: list[MessageContext], ruleset: RuleSet, windows: Windows, baselines: dict, skip=frozenset()):
    """Every breach among ``contexts`` (oldest first), skipping (rule id, message id) pairs in ``skip``."""
    breaches: list[Breach] = []
    for ctx in contexts:
        for rule in ruleset.candidates(ctx):
            if (rule.id, ctx.message_id) in skip:
                continue
            breach = check(rule, ctx, windows, baselines)
            if breach is not None:
                breaches.append(breach)
    return breaches


# --- incidents: de-duplication and cooldown, the same live and in the backtest --------------------


@dataclass
class Incident:
    """The latest alert (or would-be alert) of one (rule, key)."""

    key: str
    first_at: dt.datetime
    last_at: dt.datetime
    count: int = 0
    message_ids: list[int] = field(default_factory=list)
    account_id: int | None = None
    segment_id: int | None = None
    alert_id: int | None = None
    is_new: bool = False


def same_incident(incident: Incident | None, rule: CompiledRule, at: dt.datetime) -> bool:
    """A breach within the cooldown of the incident's last trigger is the same incident (one alert, not five)."""
    return incident is not None and at - incident.last_at < rule.cooldown


def fold(incident: Incident, breach: Breach) -> None:
    incident.count += 1
    incident.last_at = max(incident.last_at, breach.ctx.at)
    incident.message_ids.append(breach.ctx.message_id)


def replay(breaches: list[Breach]) -> list[Incident]:
    """Fold breaches into incidents without writing anything (the backtest)."""
    latest: dict[tuple[int, str], Incident] = {}
    incidents: list[Incident] = []
    for breach in breaches:
        key = (breach.rule.id, breach.key)
        incident = latest.get(key)
        if not same_incident(incident, breach.rule, breach.ctx.at):
            incident = Incident(
                key=breach.key,
                first_at=breach.ctx.at,
                last_at=breach.ctx.at,
                account_id=breach.account_id,
                segment_id=breach.ctx.segment_id,
                is_new=True,
            )
            latest[key] = incident
            incidents.append(incident)
        fold(incident, breach)
    return incidents


def group_by_rule(breaches: list[Breach]) -> dict[int, list[Breach]]:
    grouped: dict[int, list[Breach]] = defaultdict(list)
    for breach in breaches:
        grouped[breach.rule.id].append(breach)
    return grouped
