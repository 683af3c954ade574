"""Reads of the CRM app: every one takes the user and returns only what they may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.crm import health
from apps.crm.models import Account, AccountEmotionDay, Contact, HandoffNote, SegmentEmotionDay


def account_list(*, user, action: str = "view") -> QuerySet[Account]:
    """The accounts ``user`` may ``action``, with their segment and manager joined."""
    return Account.objects.select_related("segment", "account_manager").restrict(user, action)


def get_account_for_user(*, user, pk: int, action: str = "view") -> Account:
    """The account, or a 404 when it does not exist or the user may not see it."""
    return get_object_or_404(account_list(user=user, action=action), pk=pk)


def contact_list(*, user) -> QuerySet[Contact]:
    """The contacts of the accounts ``user`` may see."""
    return Contact.objects.select_related("account").restrict(user, "view")


# --- emotion rollups and the account's emotion context ---------------------------------------------


def rollup_scores() -> QuerySet:
    """The scores rollups are made of: current versions of scored customer messages that count.

    Agents' and system messages are never scored; opted-out contacts' scores are deleted; noise and
    tombstones are excluded from every metric (as in alerts); unscorable texts have no emotion.
    """
    from apps.scoring.choices import ScoreStatus
    from apps.scoring.models import EmotionScore
    from apps.sources.choices import MessageStatus

    return EmotionScore.objects.filter(
        is_current=True,
        status__in=(ScoreStatus.SCORED, ScoreStatus.TRUNCATED),
        account__isnull=False,
        valence__isnull=False,
    ).exclude(message__status__in=(MessageStatus.NOISE, MessageStatus.TOMBSTONE))


def account_days_of(*, message_ids: Iterable[int]) -> set[tuple[int, dt.date]]:
    """The (account id, day) rollup rows the scores of these messages count in: read before the scores go."""
    from apps.scoring.models import EmotionScore

    ids = list(message_ids)
    keys: set[tuple[int, dt.date]] = set()
    for start in range(0, len(ids), 2000):
        keys |= set(
            EmotionScore.objects.filter(message_id__in=ids[start : start + 2000], account__isnull=False)
            .annotate(day=TruncDate("message_created_at"))
            .values_list("account_id", "day")
            .distinct()
        )
    return keys


def account_days_of_scores(scores: Iterable) -> set[tuple[int, dt.date]]:
    """The (account id, day) rows these score objects count in (no query)."""
    return {(s.account_id, timezone.localdate(s.message_created_at)) for s in scores if s.account_id}


def _windows(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """Inclusive day ranges: the current state, the trend's two halves, the timeline."""
    return {
        "current": (today - dt.timedelta(days=health.CURRENT_DAYS - 1), today),
        "recent": (today - dt.timedelta(days=health.TREND_DAYS - 1), today),
        "previous": (
            today - dt.timedelta(days=2 * health.TREND_DAYS - 1),
            today - dt.timedelta(days=health.TREND_DAYS),
        ),
        "timeline": (today - dt.timedelta(days=health.TIMELINE_DAYS - 1), today),
    }


#: The columns "My accounts" sorts by.
WORKSPACE_SORTS = ("name", "tier", "stage", "health", "trend", "alerts")


@dataclass
class WorkspaceRow:
    """One line of "My accounts"."""

    account: Account
    health: int | None
    n: int
    trend: health.Trend
    open_alerts: int

    @property
    def at_risk(self) -> bool:
        return health.is_at_risk(self.health, self.trend)


def workspace_rows(
    *,
    user,
    q: str = "",
    stage: str = "",
    tier: str = "",
    at_risk: bool = False,
    sort: str = "health",
    descending: bool = False,
    today: dt.date | None = None,
) -> list[WorkspaceRow]:
    """ "My accounts": the accounts ``user`` may see, each with its health (last 30 days), trend (14 days against
    the 14 before) and open alerts (open or acknowledged, that the user may see), filtered and sorted.

    Three queries whatever the number of accounts: the accounts, one grouped sum of their rollup rows over the
    last 28–30 days, one grouped count of their open alerts. Sorting and the "at risk" filter run here, on
    at most a few thousand small rows: a single SQL statement with a correlated sum per account and window
    was estimated so costly that PostgreSQL JIT-compiled it (about 2 s of compilation per page).
    """
    from apps.alerts.choices import ACTIVE_STATUSES
    from apps.alerts.selectors import alerts_visible_to

    today = today or timezone.localdate()
    w = _windows(today)
    accounts = Account.objects.restrict(user, "view").only(
        "id", "name", "tier", "journey_stage", "is_key_account", "external_id"
    )
    if q.strip():
        accounts = accounts.filter(name__icontains=q.strip())
    if stage:
        accounts = accounts.filter(journey_stage=stage)
    if tier:
        accounts = accounts.filter(tier=tier)
    accounts = list(accounts.order_by("name", "pk"))
    ids = [a.pk for a in accounts]

    def window(name: str) -> Q:
        lo, hi = w[name]
        return Q(day__gte=lo, day__lte=hi)

    sums = {}
    for name in ("current", "recent", "previous"):
        sums[f"{name}_n"] = Sum("n", filter=window(name))
        sums[f"{name}_vsum"] = Sum("valence_sum", filter=window(name))
        sums[f"{name}_neg"] = Sum("negative", filter=window(name))
    first = min(w["current"][0], w["previous"][0])
    totals: dict[int, dict] = {}
    alerts: dict[int, int] = {}
    for start in range(0, len(ids), 2000):  # bounded IN lists
        chunk = ids[start : start + 2000]
        rows = (
            AccountEmotionDay.objects.filter(account_id__in=chunk, day__gte=first, day__lte=today)
            .values("account_id")
            .annotate(**sums)
            .order_by()
        )
        totals.update({r["account_id"]: r for r in rows})
        alerts.update(
            alerts_visible_to(user)
            .filter(account_id__in=chunk, status__in=ACTIVE_STATUSES)
            .order_by()
            .values("account_id")
            .annotate(c=Count("pk"))
            .values_list("account_id", "c")
        )

    def figures(t: dict, name: str) -> int | None:
        return health.health_of(t.get(f"{name}_n") or 0, t.get(f"{name}_vsum") or 0.0, t.get(f"{name}_neg") or 0)

    out = []
    for account in accounts:
        t = totals.get(account.pk, {})
        out.append(
            WorkspaceRow(
                account=account,
                health=figures(t, "current"),
                n=t.get("current_n") or 0,
                trend=health.Trend(figures(t, "recent"), figures(t, "previous")),
                open_alerts=alerts.get(account.pk, 0),
            )
        )
    if at_risk:
        out = [r for r in out if r.at_risk]
    key = {
        "name": lambda r: r.account.name.lower(),
        "tier": lambda r: r.account.tier,
        "stage": lambda r: r.account.journey_stage,
        "health": lambda r: r.health,
        "trend": lambda r: r.trend.delta,
        "alerts": lambda r: r.open_alerts,
    }.get(sort, lambda r: r.health)
    known = [r for r in out if key(r) is not None]
    unknown = [r for r in out if key(r) is None]  # no messages: last, whichever way
    known.sort(key=key, reverse=descending)  # stable: ties keep the name order
    return known + unknown


@dataclass
class Driver:
    """A recent customer message that drove the account's state, with why the model read it that way."""

    score: object  # EmotionScore, with its message, contact and source
    emotion: str
    emotion_name: str
    why: list[str]

    @property
    def message(self):
        return self.score.message

    @property
    def excerpt(self) -> str:
        return Truncator(self.message.text or self.message.subject or "").chars(240)

    def as_dict(self) -> dict:
        return {
            "message": self.message.pk,
            "contact": self.message.contact_id,
            "created": self.score.message_created_at.isoformat(),
            "excerpt": self.excerpt,
            "dominant": self.emotion,
            "dominant_base": self.score.dominant,
            "dominant_business": self.score.dominant_business,
            "valence": round(self.score.valence, 3),
            "intensity": None if self.score.intensity is None else round(self.score.intensity, 3),
            "why": self.why,
        }


@dataclass
class AccountContext:
    """Everything the account page, the embeddable panel and the emotion-context API show of one account.

    Built by ``account_context`` from the rollups and a few indexed reads; ``as_dict()`` is the API's JSON.
    """

    account: Account
    window_days: int
    current: dict
    trend: health.Trend
    baseline: dict
    drivers: list[Driver]
    open_alerts: list
    handoff_notes: list
    suggestion: object | None
    suggestion_contact: Contact | None
    suggestion_channel: str
    at_risk: bool
    timeline: list[dict] = field(default_factory=list)
    stages: list[dict] = field(default_factory=list)

    @property
    def last_handoff_note(self):
        return self.handoff_notes[0] if self.handoff_notes else None

    @property
    def contact_ids(self) -> list[int]:
        """The contacts whose messages are shown (for the data-access log)."""
        return sorted({d.message.contact_id for d in self.drivers if d.message.contact_id})

    def as_dict(self) -> dict:
        note = self.last_handoff_note
        return {
            "account": {
                "id": self.account.pk,
                "name": self.account.name,
                "tier": self.account.tier,
                "stage": self.account.journey_stage,
            },
            "current": self.current,
            "trend": {
                "direction": self.trend.direction,
                "delta": self.trend.delta,
                "previous": self.trend.previous,
                "current": self.trend.current,
                "days": health.TREND_DAYS,
            },
            "at_risk": self.at_risk,
            "baseline": self.baseline,
            "top_drivers": [d.as_dict() for d in self.drivers],
            "open_alerts": [
                {
                    "id": a.pk,
                    "severity": a.severity,
                    "title": a.title,
                    "status": a.status,
                    "escalation_level": a.escalation_level,
                    "created": a.first_triggered_at.isoformat(),
                }
                for a in self.open_alerts
            ],
            "last_handoff_note": None
            if note is None
            else {
                "id": note.pk,
                "from_team": note.from_team,
                "to_team": note.to_team,
                "context": note.context,
                "author": note.author.get_username() if note.author_id else None,
                "new_owner": note.new_owner.get_username() if note.new_owner_id else None,
                "created": note.created.isoformat(),
            },
            "suggested_template": None if self.suggestion is None else self.suggestion.as_dict(),
        }


def emotion_names() -> tuple[dict[str, str], set[str]]:
    """Display names of the base and business emotions by key, and the keys that read as negative
    (a base emotion pulling valence down, a business emotion raising churn risk)."""
    from apps.scoring.choices import Direction, Outcome
    from apps.scoring.models import BaseEmotion, BusinessEmotion

    names, negative = {}, set()
    for key, name, valence in BaseEmotion.objects.values_list("key", "name", "valence"):
        names[key] = name
        if valence < 0:
            negative.add(key)
    for key, name, outcome, direction in BusinessEmotion.objects.values_list("key", "name", "outcome", "direction"):
        names[key] = name
        if outcome == Outcome.CHURN_RISK and direction == Direction.RAISES:
            negative.add(key)
    return names, negative


def _top(counts: dict[str, int], negative: set[str] = frozenset()) -> str:
    """The most frequent key; on a tie the negative one (it needs the attention), then alphabetical."""
    if not counts:
        return ""
    return max(counts.items(), key=lambda kv: (kv[1], kv[0] in negative, [-ord(c) for c in kv[0]]))[0]


def _add(into: dict[str, int], counts: dict[str, int]) -> None:
    for key, value in counts.items():
        into[key] = into.get(key, 0) + value


def _why(explanation: dict) -> list[str]:
    """The terms that pushed the score up, strongest first: "furious → anger"."""
    drivers = [d for d in (explanation or {}).get("drivers", []) if (d.get("weight") or 0) > 0]
    drivers.sort(key=lambda d: -d["weight"])
    seen, why = set(), []
    for d in drivers:
        text = f"{d['term']} → {d['label']}" + (" (domain lexicon)" if d.get("source") == "domain" else "")
        if text not in seen:
            seen.add(text)
            why.append(text)
    return why[:4]


def segment_baseline(*, account: Account, first: dt.date, last: dt.date) -> dict:
    """The valence and negative share of every account in ``account``'s segment (or of all accounts when
    it has none) over the same days, from the segment rollups (one row per day)."""
    scope = str(account.segment_id) if account.segment_id else SegmentEmotionDay.ALL
    sums = SegmentEmotionDay.objects.filter(scope=scope, day__gte=first, day__lte=last).aggregate(
        n=Sum("n"), vsum=Sum("valence_sum"), neg=Sum("negative")
    )
    n = sums["n"] or 0
    return {
        "segment": account.segment.name if account.segment_id else str(_("All accounts")),
        "segment_id": account.segment_id,
        "n": n,
        "health": health.health_of(n, sums["vsum"] or 0.0, sums["neg"] or 0),
        "valence": round(sums["vsum"] / n, 3) if n else None,
        "negative_share": round(sums["neg"] / n, 3) if n else None,
    }


def account_context(
    *, user, account: Account, withheld_scopes: Iterable[str] = (), full: bool = False, today: dt.date | None = None
) -> AccountContext:
    """The emotion context of ``account`` (which the caller has fetched for ``user``): current state, trend,
    segment baseline, top drivers, open alerts, handoff notes and the suggested reply; with ``full`` also the
    90-day timeline and emotion by journey stage (the account page). ``withheld_scopes``: the purpose's
    prohibited uses (vulnerable contacts, sensitive messages) — their messages are not shown as drivers."""
    from apps.alerts.choices import ACTIVE_STATUSES
    from apps.alerts.selectors import alerts_visible_to
    from apps.governance.choices import ProhibitedScope

    today = today or timezone.localdate()
    w = _windows(today)
    first = w["timeline"][0] if full else min(w["current"][0], w["previous"][0])
    days = {
        row.day: row
        for row in AccountEmotionDay.objects.filter(account=account, day__gte=first, day__lte=today).only(
            "day",
            "n",
            "negative",
            "positive",
            "valence_sum",
            "intensity_sum",
            "base_counts",
            "business_counts",
            *(("stage_stats",) if full else ()),
        )
    }

    def sums(window: str) -> tuple[int, float, int, float, dict, dict]:
        lo, hi = w[window]
        n = vsum = neg = isum = 0
        base: dict[str, int] = {}
        business: dict[str, int] = {}
        for day, row in days.items():
            if lo <= day <= hi:
                n, vsum, neg, isum = n + row.n, vsum + row.valence_sum, neg + row.negative, isum + row.intensity_sum
                _add(base, row.base_counts)
                _add(business, row.business_counts)
        return n, vsum, neg, isum, base, business

    names, negative = emotion_names()
    n, vsum, neg, isum, base, business = sums("current")
    dominant_base, dominant_business = _top(base, negative), _top(business, negative)
    dominant = dominant_business or dominant_base
    current = {
        "health": health.health_of(n, vsum, neg),
        "valence": round(vsum / n, 3) if n else None,
        "intensity": round(isum / n, 3) if n else None,
        "negative_share": round(neg / n, 3) if n else None,
        "dominant": dominant,
        "dominant_name": names.get(dominant, dominant),
        "dominant_base": dominant_base,
        "dominant_business": dominant_business,
        "n": n,
        "window": health.CURRENT_DAYS,
        "base_counts": dict(sorted(base.items(), key=lambda kv: -kv[1])),
        "business_counts": dict(sorted(business.items(), key=lambda kv: -kv[1])),
    }
    rec, prev = sums("recent"), sums("previous")
    trend = health.Trend(health.health_of(rec[0], rec[1], rec[2]), health.health_of(prev[0], prev[1], prev[2]))

    scores = rollup_scores().filter(
        account=account,
        message_created_at__gte=timezone.make_aware(dt.datetime.combine(w["current"][0], dt.time.min)),
    )
    if ProhibitedScope.VULNERABLE_CONTACTS in withheld_scopes:
        scores = scores.exclude(message__contact__is_vulnerable=True)
    if ProhibitedScope.SENSITIVE_MESSAGES in withheld_scopes:
        scores = scores.exclude(message__is_sensitive=True)
    if dominant_business:
        scores = scores.filter(dominant_business=dominant_business)
    elif dominant_base:
        scores = scores.filter(dominant=dominant_base)
    top = list(
        scores.select_related("message__contact", "message__source")
        .defer("scores", "business_scores", "message__metadata", "message__self_reported")
        .order_by(F("intensity").desc(nulls_last=True), "-message_created_at")[:DRIVERS]
    )
    drivers = [
        Driver(
            score=s,
            emotion=s.dominant_business or s.dominant,
            emotion_name=names.get(s.dominant_business or s.dominant, s.dominant_business or s.dominant),
            why=_why(s.explanation),
        )
        for s in top
    ]
    alerts = list(
        alerts_visible_to(user)
        .filter(account=account, status__in=ACTIVE_STATUSES)
        .order_by("-escalation_level", "-last_triggered_at")[:OPEN_ALERTS]
    )
    notes = list(
        HandoffNote.objects.restrict(user, "view")
        .filter(account=account)
        .select_related("author", "new_owner")
        .order_by("-created", "-id")[: NOTES if full else 1]
    )
    contact = drivers[0].message.contact if drivers else None
    channel = drivers[0].message.source.kind if drivers else ""
    context = AccountContext(
        account=account,
        window_days=health.CURRENT_DAYS,
        current=current,
        trend=trend,
        baseline=segment_baseline(account=account, first=w["current"][0], last=today),
        drivers=drivers,
        open_alerts=alerts,
        handoff_notes=notes,
        suggestion=_suggest(dominant, account=account, contact=contact, channel=channel, user=user),
        suggestion_contact=contact,
        suggestion_channel=channel,
        at_risk=health.is_at_risk(current["health"], trend),
    )
    if full:
        context.timeline = _timeline(days, *w["timeline"])
        context.stages = _stages(days.values(), names, negative)
    return context


DRIVERS = 5
OPEN_ALERTS = 20
NOTES = 20


def _suggest(emotion: str, *, account: Account, contact, channel: str, user):
    from apps.responses.selectors import template_suggest

    if not emotion:
        return None
    return template_suggest(
        emotion=emotion,
        journey_stage=account.journey_stage,
        channel=channel,
        account=account,
        contact=contact,
        user=user,
    )


def _timeline(days: dict, first: dt.date, last: dt.date) -> list[dict]:
    """One entry per day of the window, empty days included (the chart shows the gaps)."""
    out = []
    day = first
    while day <= last:
        row = days.get(day)
        n = row.n if row else 0
        out.append(
            {
                "day": day,
                "n": n,
                "negative": row.negative if row else 0,
                "positive": row.positive if row else 0,
                "neutral": (n - row.negative - row.positive) if row else 0,
                "valence": round(row.valence_sum / n, 3) if n else None,
                "dominant": _top(row.base_counts) if row else "",
            }
        )
        day += dt.timedelta(days=1)
    return out


def _stages(rows: Iterable[AccountEmotionDay], names: dict[str, str], negative: set[str]) -> list[dict]:
    """Emotion by journey stage over the timeline window, in the journey's order."""
    from apps.crm.choices import JourneyStage

    totals: dict[str, dict] = {}
    for row in rows:
        for stage, s in (row.stage_stats or {}).items():
            t = totals.setdefault(
                stage, {"n": 0, "negative": 0, "positive": 0, "valence_sum": 0.0, "base": {}, "business": {}}
            )
            t["n"] += s["n"]
            t["negative"] += s["negative"]
            t["positive"] += s["positive"]
            t["valence_sum"] += s["valence_sum"]
            _add(t["business"], s.get("business") or {})
            _add(t["base"], s.get("base") or {})
    labels = dict(JourneyStage.choices)
    order = {key: i for i, key in enumerate(JourneyStage.values)}
    out = []
    for stage, t in sorted(totals.items(), key=lambda kv: order.get(kv[0], 99)):
        n = t["n"]
        top = _top(t["business"], negative) or _top(t["base"], negative)  # as for the account: business first
        out.append(
            {
                "stage": stage,
                "label": labels.get(stage, stage or _("Unknown")),
                "n": n,
                "health": health.health_of(n, t["valence_sum"], t["negative"]),
                "valence": round(t["valence_sum"] / n, 3) if n else None,
                "negative_share": round(t["negative"] / n, 3) if n else None,
                "negative_pct": round(100 * t["negative"] / n) if n else 0,
                "positive_pct": round(100 * t["positive"] / n) if n else 0,
                "dominant": top,
                "dominant_name": names.get(top, top),
            }
        )
    return out
