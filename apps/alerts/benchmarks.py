"""Benchmarks of the alerts app: rule evaluation cost with 200 active rules, and ingest-to-alert latency."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.test import override_settings
from django.utils import timezone

from apps.core.bench import Bench, benchmark

EVAL_TARGET_MS = 2.0  # per message, 200 active rules (issue: alerts)
LATENCY_TARGET_S = 2.0  # ingestion to alert, worker path


def _rules(segments, n: int = 200) -> None:
    from apps.alerts.models import AlertRule

    scopes = [
        {"scope": "all"},
        {"scope": "key_accounts"},
        {"scope": "tier", "tier": "enterprise"},
        {"scope": "source_kind", "source_kind": "ticketing"},
        {"scope": "platform", "platform": "zendesk"},
        {"scope": "journey_stage", "journey_stage": "renewal"},
    ]
    rows = []
    for i in range(n):
        scope = {"scope": "segment", "segment": segments[i % len(segments)]} if i % 3 == 0 else scopes[i % len(scopes)]
        condition = "spike" if i % 10 == 0 else ("viral" if i % 25 == 1 else "threshold")
        rows.append(
            AlertRule(
                name=f"bench rule {i}",
                is_active=True,
                condition=condition,
                label=("anger", "sadness", "fear", "disgust")[i % 4],
                threshold=0.97 if condition == "threshold" else -0.5,
                k_sigma=3,
                min_volume=20,
                **scope,
            )
        )
    AlertRule.objects.bulk_create(rows)


@benchmark("alerts_evaluation")
def alerts_evaluation(bench: Bench) -> None:
    """``alerts_evaluate`` over freshly scored messages with 200 active rules (20 spike, 8 viral, the rest
    thresholds over seven scopes), in scoring-sized batches of 500; about 2 % of messages breach a threshold."""
    from apps.alerts import services
    from apps.alerts.tests.helpers import LABELS
    from apps.crm import services as crm
    from apps.crm.models import Segment
    from apps.scoring.models import EmotionScore
    from apps.sources.models import Message, Source

    rng = random.Random(7)
    segments = [Segment.objects.create(name=f"Bench seg {i}", slug=f"bench-seg-{i}") for i in range(5)]
    accounts = [
        crm.account_create(
            name=f"Bench account {i}",
            segment=segments[i % 5],
            is_key_account=i % 7 == 0,
            tier=("enterprise", "smb")[i % 2],
            journey_stage=("renewal", "support")[i % 2],
        )
        for i in range(50)
    ]
    source = Source.objects.create(name="Bench alerts", slug="bench-alerts", kind="ticketing", platform="zendesk")
    _rules(segments)
    services.baselines_recompute()
    n = bench.scaled(2000)
    now = timezone.now()
    samples = []
    for repeat in range(bench.repeats):
        messages = Message.objects.bulk_create(
            [
                Message(
                    source=source,
                    external_id=f"ab{repeat}-{i}",
                    account=accounts[i % 50],
                    text="x",
                    status="scored",
                    created_at_source=now - dt.timedelta(seconds=(n - i) * 5),
                )
                for i in range(n)
            ]
        )
        scores = []
        for m in messages:
            dominant = rng.choice(LABELS)
            value = 0.99 if rng.random() < 0.02 else rng.uniform(0.3, 0.9)
            scores.append(
                EmotionScore(
                    message=m,
                    account=m.account,
                    message_created_at=m.created_at_source,
                    engine="lexicon",
                    model_version="bench",
                    scores={label: (value if label == dominant else 0.05) for label in LABELS},
                    dominant=dominant,
                    valence=-0.4,
                )
            )
        EmotionScore.objects.bulk_create(scores, batch_size=1000)
        ids = [m.pk for m in messages]
        elapsed = bench.timer()
        for start in range(0, n, 500):
            services.alerts_evaluate(message_ids=ids[start : start + 500])
        samples.append(elapsed() * 1000 / n)
    bench.record("evaluation, 200 active rules", samples, "ms/message", target=EVAL_TARGET_MS, higher_is_better=False)


@benchmark("alerts_ingest_to_alert")
def alerts_ingest_to_alert(bench: Bench) -> None:
    """A furious key-account ticket from ``messages_ingest`` to a stored alert through the worker path
    (ingest → on_commit → q2 score_messages → q2 evaluate_messages), q2 run synchronously in-process."""
    from django_q.conf import Conf

    from apps.alerts.models import Alert, AlertRule
    from apps.crm import services as crm
    from apps.sources import services as sources
    from apps.sources.models import Source

    account = crm.account_create(name="Bench key account", is_key_account=True, external_id="BENCH-KEY")
    AlertRule.objects.create(name="bench furious key account", is_active=True, scope="key_accounts", threshold=0.8)
    source = Source.objects.create(name="Bench latency", slug="bench-latency", kind="ticketing", platform="zendesk")
    samples = []
    sync, Conf.SYNC = Conf.SYNC, True
    try:
        with override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={}):
            for repeat in range(max(bench.repeats, 5)):
                item = {
                    "external_id": f"lat-{repeat}",
                    "text": "This is outrageous, I am absolutely furious with your service!!",
                    "account": {"external_id": account.external_id},
                }
                started = time.perf_counter()
                sources.messages_ingest(source=source, items=[item], channel="api")
                alert = Alert.objects.filter(account=account).order_by("-last_triggered_at").first()
                samples.append(time.perf_counter() - started)
                if alert is None:
                    raise RuntimeError("the furious ticket raised no alert")
                Alert.objects.all().delete()
    finally:
        Conf.SYNC = sync
    bench.record("ingest to alert (q2 sync, in-process)", samples, "s", target=LATENCY_TARGET_S, higher_is_better=False)
