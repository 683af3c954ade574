"""Benchmarks of the account workspace: the account page and the emotion-context API over a million scored messages.

Target (issue 7): with 1,000,000 messages in PostgreSQL, both answer in under 150 ms at p95 — from the daily
rollups and indexes, never a scan of the scores. ``manage.py bench crm_workspace`` (``--scale 0.1`` for a
quick look). Messages and scores are loaded with ``COPY`` (``apps.core.db.bulk_insert``) in chunks.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics

from django.utils import timezone

from apps.core.bench import Bench, benchmark, percentile

TARGET_MS = 150.0
CHUNK = 50_000
LABELS = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")
WEIGHTS = (12, 4, 5, 22, 40, 12, 5)
VALENCE = {"anger": -0.75, "disgust": -0.6, "fear": -0.5, "joy": 0.7, "neutral": 0.0, "sadness": -0.55, "surprise": 0.2}
BUSINESS = {"anger": "frustration", "sadness": "disappointment", "fear": "anxiety", "joy": "delight"}
TEXTS = {
    "anger": "This is the third outage this month and nobody answers. I am furious.",
    "disgust": "Honestly the new billing page is a mess, it is embarrassing.",
    "fear": "I'm worried the migration will lose our data before the audit.",
    "joy": "Thanks a lot, the new dashboard is brilliant and the team loves it!",
    "neutral": "Could you tell me where to change the invoice address?",
    "sadness": "Disappointed that the export still fails after the update.",
    "surprise": "Oh, I did not expect the report to arrive that fast.",
}
STAGES = ("", "onboarding", "adoption", "support", "renewal", "expansion", "advocacy")


def _load(bench: Bench, rng: random.Random, *, accounts, contacts, source, n: int, days: int) -> None:
    """``n`` customer messages with one current score each, skewed towards the first accounts (the first
    holds about 2 % of everything), over ``days`` days; 3 % are noise (scored, then flagged: left out)."""
    from apps.core.db import bulk_insert
    from apps.scoring.models import EmotionScore
    from apps.sources.models import Message

    now = timezone.now()
    count = len(accounts)
    done = 0
    last_pk = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    while done < n:
        size = min(CHUNK, n - done)
        plan, messages = [], []
        for i in range(size):
            account = accounts[int(count * rng.random() ** 2)]
            label = rng.choices(LABELS, weights=WEIGHTS)[0]
            at = now - dt.timedelta(seconds=rng.uniform(0, days * 86400))
            noise = rng.random() < 0.03
            plan.append((account.pk, label, at))
            messages.append(
                Message(
                    source=source,
                    external_id=f"bench-{done + i}",
                    account_id=account.pk,
                    contact_id=rng.choice(contacts[account.pk]),
                    author_role="customer",
                    text=TEXTS[label],
                    language="en",
                    journey_stage=rng.choice(STAGES),
                    thread_id=f"t{(done + i) // 3}",
                    created_at_source=at,
                    status="noise" if noise else "scored",
                    noise_reason="swarm" if noise else "",
                )
            )
        bulk_insert(Message, messages)
        ids = list(Message.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True))
        assert len(ids) == size, (len(ids), size)
        last_pk = ids[-1]
        scores = []
        for pk, (account_id, label, at) in zip(ids, plan, strict=True):
            intensity = round(rng.uniform(0.35, 0.98), 3)
            business = BUSINESS.get(label, "") if rng.random() < 0.5 else ""
            scores.append(
                EmotionScore(
                    message_id=pk,
                    account_id=account_id,
                    message_created_at=at,
                    engine="linear",
                    model_version="bench",
                    status="scored",
                    scores={label: intensity},
                    business_scores={business: 0.6} if business else {},
                    dominant=label,
                    dominant_business=business,
                    valence=max(-1.0, min(1.0, VALENCE[label] + rng.uniform(-0.15, 0.15))),
                    intensity=intensity,
                    confidence=0.8,
                    explanation={"drivers": [{"term": TEXTS[label].split()[3], "label": label, "weight": 0.8}]},
                    is_current=True,
                )
            )
        bulk_insert(EmotionScore, scores)
        done += size


@benchmark("crm_workspace")
def crm_workspace(bench: Bench) -> None:
    """1,000,000 scored customer messages over 2,000 accounts and 180 days; an account manager with 100 accounts
    (the busiest, ~2 % of all messages, among them). Rollups are built, then the account page (test client,
    signed in, purpose chosen) and the emotion-context API are timed over the manager's accounts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from apps.alerts.models import Alert, AlertRule
    from apps.core.testing import purposes_switched_on
    from apps.crm import services
    from apps.crm.models import Account, AccountEmotionDay, Contact, HandoffNote, Segment
    from apps.governance.pages import SESSION_KEY
    from apps.responses.services import template_save
    from apps.sources.models import Source

    rng = random.Random(17)
    n = bench.scaled(1_000_000)
    n_accounts = max(20, bench.scaled(2000))
    manager = get_user_model().objects.create_user("bench-am", password="bench-am-password")  # noqa: S106
    manager.groups.add(Group.objects.get_or_create(name="Account Manager")[0])
    purposes_switched_on("support", roles_for=[manager])
    segments = [Segment.objects.create(name=f"Bench segment {i}", slug=f"bench-seg-{i}") for i in range(5)]
    mine = min(100, n_accounts // 2)
    # The manager's accounts go through the service (object grants); the rest are bulk-created.
    accounts = [
        services.account_create(
            name=f"Bench account {i:04d}", segment=segments[i % 5], account_manager=manager, journey_stage="support"
        )
        for i in range(mine)
    ]
    accounts += Account.objects.bulk_create(
        [Account(name=f"Bench account {i:04d}", segment=segments[i % 5]) for i in range(mine, n_accounts)]
    )
    rng.shuffle(accounts)  # the busiest accounts are not all the manager's
    Contact.objects.bulk_create(
        [
            Contact(account=a, name=f"Contact {a.pk}-{j}", email=f"c{a.pk}-{j}@bench.example")
            for a in accounts
            for j in (0, 1)
        ]
    )
    contacts: dict[int, list[int]] = {}
    for pk, account_id in Contact.objects.values_list("pk", "account_id"):
        contacts.setdefault(account_id, []).append(pk)
    source = Source.objects.create(name="Bench CRM", slug="bench-crm", kind="ticketing", platform="zendesk")

    elapsed = bench.timer()
    _load(bench, rng, accounts=accounts, contacts=contacts, source=source, n=n, days=180)
    load_s = elapsed()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elapsed = bench.timer()
    rows = services.account_rollups_rebuild()
    bench.record(f"load {n:,} scored messages (COPY)", [load_s], "s", higher_is_better=False)
    bench.record(f"rebuild rollups ({rows:,} account-days)", [elapsed()], "s", higher_is_better=False)

    rule = AlertRule.objects.create(name="bench anger", is_active=True, threshold=0.9)
    now = timezone.now()
    Alert.objects.bulk_create(
        [
            Alert(
                rule=rule,
                account=a,
                dedup_key=f"bench:{a.pk}",
                title=f"Angry customer at {a.name}",
                severity="high",
                first_triggered_at=now,
                last_triggered_at=now,
                owner=manager,
            )
            for a in accounts[::3]
        ]
    )
    for a in Account.objects.filter(account_manager=manager)[:20]:
        HandoffNote.objects.create(account=a, author=manager, from_team="support", to_team="success", context="Bench.")
    # A template to suggest (the Account Manager role may read templates), as in production.
    template_save(user=None, name="Bench apology", emotion="frustration", body="Dear {{ contact.first_name }}, sorry.")

    mine_ids = list(Account.objects.filter(account_manager=manager).values_list("pk", flat=True))
    volumes = dict(
        AccountEmotionDay.objects.filter(account_id__in=mine_ids)
        .values("account_id")
        .annotate(t=Sum("n"))
        .values_list("account_id", "t")
    )
    busiest = max(mine_ids, key=lambda pk: volumes.get(pk, 0))

    client = Client()
    client.force_login(manager)
    session = client.session
    session[SESSION_KEY] = "support"
    session.save()
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}", HTTP_X_PURPOSE="support")
    requests = 10 if bench.scale < 0.01 else min(200, bench.repeats * 40)  # a tiny scale is a smoke test
    targets = [busiest] * 5 + [rng.choice(mine_ids) for _ in range(requests - 5)]

    def timed(fetch, url_of) -> list[float]:
        for pk in targets[:5]:  # warm caches and connections
            assert fetch(url_of(pk)).status_code == 200
        latencies = []
        for pk in targets:
            started = bench.timer()
            response = fetch(url_of(pk))
            latencies.append(started() * 1000)
            assert response.status_code == 200, response.content[:300]
        return latencies

    page = timed(client.get, lambda pk: f"/crm/accounts/{pk}/")
    context = timed(api.get, lambda pk: f"/api/v1/accounts/{pk}/emotion-context/")
    listing = timed(client.get, lambda pk: "/crm/accounts/?sort=health")
    for name, samples in (("account page", page), ("emotion-context API", context), ("My accounts page", listing)):
        bench.record(f"{name} p50", [percentile(samples, 50)], "ms", target=TARGET_MS, higher_is_better=False)
        bench.record(f"{name} p95", [percentile(samples, 95)], "ms", target=TARGET_MS, higher_is_better=False)
    bench.record(
        f"busiest account ({volumes.get(busiest, 0):,} messages) page",
        [statistics.median(page[:5])],
        "ms",
        target=TARGET_MS,
        higher_is_better=False,
    )
