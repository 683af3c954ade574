"""Rules turning scored messages into alerts: thresholds, de-duplication, spikes, viral narratives, the backtest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from apps.alerts import selectors, services
from apps.alerts.models import Alert, AlertTrigger, Baseline
from apps.scoring import tasks as scoring_tasks
from apps.sources.models import Message
from tests.factories import AccountFactory, MessageFactory, SegmentFactory, UserFactory

from .helpers import rule, scored, social_source

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


@override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})
def test_a_key_accounts_furious_ticket_raises_one_alert_not_five_routed_to_its_account_manager(
    django_capture_on_commit_callbacks,
):
    manager = UserFactory(username="am.alice")
    account = AccountFactory(name="Globex", is_key_account=True, account_manager=manager)
    ordinary = AccountFactory(name="Initech")
    rule(name="Furious key account", scope="key_accounts", threshold=0.8, severity="high", cooldown_minutes=240)
    texts = [f"This is outrageous, I am absolutely furious with your service!! ({i})" for i in range(5)]
    ticket = [MessageFactory(account=account, thread_id="T-1", text=t) for t in texts]
    other = MessageFactory(account=ordinary, text=texts[0])

    # The worker path: scoring queues the evaluation of what it scored (q2 is synchronous in tests).
    with django_capture_on_commit_callbacks(execute=True):
        scoring_tasks.score_messages([m.pk for m in [*ticket, other]])

    alert = Alert.objects.get()
    assert alert.account == account and alert.owner == manager
    assert alert.trigger_count == 5 and alert.severity == "high" and alert.status == "open"
    assert sorted(alert.evidence["message_ids"]) == sorted(m.pk for m in ticket)
    assert alert.evidence["peak"] > 0.8
    assert [m.to for m in mail.outbox] == [[manager.email]]


def test_evaluating_the_same_messages_twice_changes_nothing():
    account = AccountFactory(is_key_account=True)
    rule(scope="key_accounts")
    ids = [scored(account, dominant="anger", value=0.95, at=NOW - dt.timedelta(minutes=i)).pk for i in range(3)]
    first = services.alerts_evaluate(message_ids=ids)
    again = services.alerts_evaluate(message_ids=ids)
    assert first["created"] == 1 and first["folded"] == 2
    assert again["breaches"] == 0
    assert Alert.objects.get().trigger_count == 3
    assert AlertTrigger.objects.count() == 3


def test_a_breach_after_a_quiet_cooldown_is_a_new_incident_and_within_it_the_same():
    account = AccountFactory()
    rule(cooldown_minutes=60)
    times = [NOW - dt.timedelta(minutes=m) for m in (200, 170, 150, 30)]  # 150 -> 30: a 2 h gap
    ids = [scored(account, dominant="anger", value=0.95, at=t).pk for t in times]
    services.alerts_evaluate(message_ids=ids)
    assert sorted(Alert.objects.values_list("trigger_count", flat=True)) == [1, 3]


def test_noise_and_scores_below_the_threshold_raise_nothing():
    account = AccountFactory()
    rule(threshold=0.8)
    calm = scored(account, dominant="anger", value=0.6)
    noisy = scored(account, dominant="anger", value=0.99)
    Message.objects.filter(pk=noisy.pk).update(status="noise")
    services.alerts_evaluate(message_ids=[calm.pk, noisy.pk])
    assert not Alert.objects.exists()


def test_a_rule_only_sees_messages_in_its_scope():
    segment = SegmentFactory(slug="retail")
    inside, outside = AccountFactory(segment=segment), AccountFactory()
    rule(scope="segment", segment=segment)
    ids = [scored(a, dominant="anger", value=0.95).pk for a in (inside, outside)]
    services.alerts_evaluate(message_ids=ids)
    assert list(Alert.objects.values_list("account", flat=True)) == [inside.pk]


def _history(segment, *, days=3, per_hour=4, angry_every=10):
    """A normal segment: about one message in ``angry_every`` angry, ``per_hour`` messages an hour."""
    account = AccountFactory(segment=segment)
    n = 0
    for hour in range(days * 24, 3, -1):
        for k in range(per_hour):
            n += 1
            dominant = "anger" if n % angry_every == 0 else "joy"
            scored(account, dominant=dominant, value=0.7, at=NOW - dt.timedelta(hours=hour, minutes=k * 60 // per_hour))
    return account


def test_a_spike_fires_against_the_segment_baseline_and_normal_traffic_does_not():
    segment = SegmentFactory(slug="smb")
    account = _history(segment)
    services.baselines_recompute(now=NOW - dt.timedelta(hours=3))
    baseline = Baseline.objects.get(segment=segment, journey_stage="", label="anger")
    assert 0.05 < baseline.mean_share < 0.15
    spike = rule(name="anger spike", condition="spike", k_sigma=2, window_minutes=60, min_volume=8, ratio=None)

    # An ordinary hour: one angry message in ten.
    ordinary = [
        scored(account, dominant="joy" if i % 10 else "anger", at=NOW - dt.timedelta(hours=2, minutes=i))
        for i in range(10)
    ]
    services.alerts_evaluate(message_ids=[m.pk for m in ordinary])
    assert not Alert.objects.exists()

    # Then half of an hour's messages angry.
    burst = [
        scored(account, dominant="anger" if i % 2 else "joy", at=NOW - dt.timedelta(minutes=50 - i)) for i in range(12)
    ]
    services.alerts_evaluate(message_ids=[m.pk for m in burst])
    alert = Alert.objects.get()
    assert alert.rule == spike and alert.account is None and alert.segment == segment
    assert alert.evidence["first"]["share"] > baseline.mean_share + 2 * baseline.std
    assert alert.evidence["first"]["volume"] >= 8


def test_ephemeral_content_is_measured_over_the_shorter_window():
    segment = SegmentFactory(slug="eph")
    account = _history(segment, days=3)
    services.baselines_recompute(now=NOW - dt.timedelta(hours=3))
    rule(condition="spike", k_sigma=3, window_minutes=240, ephemeral_window_minutes=10, min_volume=5)
    # Angry stories in the last ten minutes after calm hours: the long window dilutes them, the short one does not.
    calm = [scored(account, dominant="joy", at=NOW - dt.timedelta(minutes=200 - i * 5)) for i in range(30)]
    services.alerts_evaluate(message_ids=[m.pk for m in calm])
    normal = scored(account, dominant="anger", at=NOW - dt.timedelta(minutes=5))
    services.alerts_evaluate(message_ids=[normal.pk])
    assert not Alert.objects.exists()
    expiring = NOW + dt.timedelta(hours=24)
    stories = [
        scored(account, dominant="anger", at=NOW - dt.timedelta(minutes=4 - i), expires_at=expiring) for i in range(4)
    ]
    services.alerts_evaluate(message_ids=[m.pk for m in stories])
    assert Alert.objects.get().evidence["first"]["window_minutes"] == 10


def test_the_backtest_matches_what_the_live_rule_then_does():
    segment = SegmentFactory(slug="bt")
    account = _history(segment, days=6, per_hour=2)
    key = AccountFactory(is_key_account=True, segment=segment)
    services.baselines_recompute(now=NOW - dt.timedelta(days=3))
    threshold = rule(name="bt threshold", threshold=0.8, cooldown_minutes=120, is_active=False)
    spike = rule(name="bt spike", condition="spike", k_sigma=2, min_volume=6, cooldown_minutes=90, is_active=False)
    # Bursts of fury and of angry traffic spread over the last days, with gaps longer and shorter than the cooldowns.
    for day, minutes in ((5, (0, 30, 300)), (2, (0, 10, 20, 200)), (1, (0,))):
        for m in minutes:
            scored(key, dominant="anger", value=0.93, at=NOW - dt.timedelta(days=day, minutes=-m))
        for i in range(8):
            at = NOW - dt.timedelta(days=day, minutes=-i * 4)
            scored(account, dominant="anger" if i % 3 else "joy", value=0.7, at=at)

    expected = {r.pk: selectors.rule_backtest(rule=r, days=30, now=NOW) for r in (threshold, spike)}
    assert not Alert.objects.exists()  # the backtest wrote nothing
    assert len(expected[threshold.pk]) == 5 and expected[spike.pk]

    for r in (threshold, spike):
        r.is_active = True
        r.save()
    ids = list(Message.objects.order_by("created_at_source").values_list("pk", flat=True))
    for start in range(0, len(ids), 37):  # live, in scoring-sized batches
        services.alerts_evaluate(message_ids=ids[start : start + 37])

    for r in (threshold, spike):
        live = [
            (a.dedup_key, a.account_id, a.first_triggered_at, a.last_triggered_at, a.trigger_count)
            for a in Alert.objects.filter(rule=r).order_by("first_triggered_at")
        ]
        would_be = [(i.key, i.account_id, i.first_at, i.last_at, i.count) for i in expected[r.pk]]
        assert live == would_be


def test_a_viral_negative_narrative_fires_with_its_influencers():
    source = social_source()
    rule(
        name="viral",
        condition="viral",
        scope="source_kind",
        source_kind="social",
        threshold=-0.3,
        window_minutes=60,
        min_volume=5,
        growth_factor=3,
        severity="critical",
    )
    mentions = []
    for i in range(8):
        mentions.append(
            scored(
                None,
                dominant="anger",
                at=NOW - dt.timedelta(minutes=40 - i * 5),
                source=source,
                author_handle=f"user{i}",
                author_reach=250_000 if i == 3 else 300,
                is_influencer=i == 3,
                metadata={"theme": "outage"},
            )
        )
    services.alerts_evaluate(message_ids=[m.pk for m in mentions])
    alert = Alert.objects.get()
    assert alert.dedup_key.endswith(":outage") and alert.severity == "critical"
    assert alert.evidence["latest"]["influencers"] == ["user3"]
    assert alert.trigger_count >= 2
