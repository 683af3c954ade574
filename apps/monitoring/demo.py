"""Demo data for model monitoring: account outcomes that follow what customers expressed, an outage week on
Zendesk, and the weekly drift reports of the demo's history (so the drift page has a heat table and an alert).

Runs after the core demo seed (accounts, messages, scores exist). Idempotent and deterministic: outcomes are
keyed on (account, kind, date) and drawn from a generator seeded by the account's external id; the outage's
messages have fixed external ids; drift reports are recomputed in place.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from apps.crm.models import Account, Contact
from apps.monitoring import services
from apps.monitoring.choices import OutcomeSource
from apps.monitoring.models import AccountOutcome, DriftReport

OUTAGE_MESSAGES = 90
OUTAGE_SOURCE = "zendesk"
OUTAGE_LINES = (
    "SSO login loops forever since the v3 gateway migration, SAML assertion rejected. Fix it now.",
    "The ingest-gateway keeps returning 502 on every webhook. Our integration is dead in the water.",
    "Kubernetes pods of your connector crashloop after the upgrade. This is unacceptable.",
    "Third outage this week: OAuth tokens expire instantly, nobody from your team has replied.",
    "Your status page says operational but the API gateway times out for all our tenants. Furious.",
)


def seed(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Outcomes for the demo accounts, the outage week, and drift reports for every complete demo week."""
    today = timezone.localtime(now or timezone.now()).date()
    registered = _seed_scoring_model()
    outcomes = _seed_outcomes(today)
    outage = _seed_outage(today)
    reports = _seed_drift(today)
    return {
        "scoring model registered": registered,
        "account outcomes": outcomes,
        "outage messages scored": outage,
        "drift reports": reports,
        "outcomes in total": AccountOutcome.objects.count(),
    }


def _seed_scoring_model() -> int:
    """Register the engine the demo scores with (settings) as the active scoring model, so that it has a model
    card; through the scoring app's own service, and only when no model is active (an admin's choice stands)."""
    from django.conf import settings

    from apps.scoring.models import ScoringModel
    from apps.scoring.services import scoring_model_activate

    if ScoringModel.objects.filter(is_active=True).exists():
        return 0
    model, created = ScoringModel.objects.get_or_create(
        name=f"Shipped default ({settings.SCORING_ENGINE})",
        defaults={"engine": settings.SCORING_ENGINE, "options": dict(settings.SCORING_ENGINE_OPTIONS or {})},
    )
    scoring_model_activate(scoring_model=model)
    return int(created)


def _negative_shares() -> dict[int, float]:
    """Per demo account, the share of its scored messages that were negative (one aggregate query)."""
    from apps.scoring.models import EmotionScore

    rows = (
        EmotionScore.objects.filter(is_current=True, account__external_id__startswith="DEMO-")
        .exclude(message__external_id__startswith="monitoring-demo-")  # the outage must not change who churned
        .values("account_id")
        .annotate(n=Count("id"), neg=Count("id", filter=Q(valence__lt=0)))
    )
    return {r["account_id"]: r["neg"] / r["n"] for r in rows if r["n"]}


def _seed_outcomes(today: dt.date) -> int:
    """Unhappy accounts (the core demo's every 9th) churn far more often; the rest mostly renew. Noisy, as life is:
    a few happy accounts churn anyway, many unhappy ones stay."""
    negative = _negative_shares()
    items = []
    for account in Account.objects.filter(external_id__startswith="DEMO-").order_by("pk"):
        rng = random.Random(f"monitoring-demo-{account.external_id}")
        unhappy = account.pk % 9 == 0
        p_churn = 0.04 + (0.38 if unhappy else 0.0) + 0.25 * negative.get(account.pk, 0.0)
        ref = {"account_external_id": account.external_id}
        if rng.random() < p_churn:
            lost = -float(account.arr) if account.arr else None
            items.append(
                ref
                | {
                    "kind": "churned",
                    "occurred_on": (today - dt.timedelta(days=rng.randint(1, 40))).isoformat(),
                    "value": f"{lost:.2f}" if lost else "",
                    "note": "Demo: did not renew",
                    "external_ref": f"demo-churn-{account.external_id}",
                }
            )
            continue
        if account.renewal_date and account.renewal_date <= today:
            items.append(
                ref
                | {
                    "kind": "renewed",
                    "occurred_on": account.renewal_date.isoformat(),
                    "external_ref": f"demo-renewal-{account.external_id}",
                }
            )
        draw = rng.random()
        day = (today - dt.timedelta(days=rng.randint(1, 60))).isoformat()
        if not unhappy and draw < 0.12:
            items.append(
                ref
                | {
                    "kind": "expanded",
                    "occurred_on": day,
                    "value": f"{float(account.arr) * 0.2:.2f}",
                    "external_ref": f"demo-exp-{account.external_id}",
                }
            )
        elif unhappy and draw < 0.2:
            items.append(
                ref
                | {
                    "kind": "contracted",
                    "occurred_on": day,
                    "value": f"{-float(account.arr) * 0.3:.2f}",
                    "external_ref": f"demo-con-{account.external_id}",
                }
            )
    created = 0
    for start in range(0, len(items), services.MAX_BATCH):
        report = services.outcomes_record(items=items[start : start + services.MAX_BATCH], source=OutcomeSource.ADMIN)
        created += report.count("created")
    return created


def _last_complete_monday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday()) - dt.timedelta(days=7)


def _seed_outage(today: dt.date) -> int:
    """A burst of angry tickets in jargon the model never saw, last complete week, on Zendesk: a drift alert."""
    from apps.scoring import services as scoring
    from apps.sources.models import Message, Source

    source = Source.objects.filter(slug=OUTAGE_SOURCE).first()
    accounts = list(Account.objects.filter(external_id__startswith="DEMO-").order_by("pk")[:60])
    if source is None or not accounts:
        return 0
    contacts = {c.account_id: c for c in Contact.objects.filter(account__in=accounts).order_by("-pk")}
    monday = _last_complete_monday(today)
    rng = random.Random("monitoring-demo-outage")
    rows = []
    for i in range(OUTAGE_MESSAGES):
        account = accounts[i % len(accounts)]
        when = dt.datetime.combine(
            monday + dt.timedelta(days=i % 5), dt.time(8 + i % 9, rng.randint(0, 59)), tzinfo=dt.UTC
        )
        contact = contacts.get(account.pk)
        rows.append(
            Message(
                source=source,
                external_id=f"monitoring-demo-outage-{i:03d}",
                account=account,
                contact=contact,
                author_role="customer",
                author_handle=contact.email if contact else "",
                text=OUTAGE_LINES[i % len(OUTAGE_LINES)],
                language="en",
                journey_stage=account.journey_stage,
                thread_id=f"monitoring-demo-outage-{i:03d}",
                created_at_source=when,
                received_at=when + dt.timedelta(minutes=1),
            )
        )
    with transaction.atomic():
        Message.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Message.objects.filter(
            source=source, external_id__startswith="monitoring-demo-outage-", status="received"
        ).values_list("pk", flat=True)
    )
    return scoring.messages_score(message_ids=ids)["scored"] if ids else 0


def _seed_drift(today: dt.date) -> int:
    """Every complete ISO week since the first scored message (no emails: the demo's console stays readable)."""
    from apps.scoring.models import EmotionScore

    first = EmotionScore.objects.aggregate(first=Min("message_created_at"))["first"]
    if first is None:
        return 0
    day = timezone.localtime(first).date()
    week = day - dt.timedelta(days=day.weekday())
    last = _last_complete_monday(today)
    weeks = []
    while week <= last:
        weeks.append(week)
        week += dt.timedelta(weeks=1)
    services.drift_weeks_compute(weeks=weeks, notify=False)
    return DriftReport.objects.count()
