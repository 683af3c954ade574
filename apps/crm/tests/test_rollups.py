"""The daily emotion rollups: right against a hand count, idempotent, and in step with scoring and purges."""

from __future__ import annotations

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from apps.crm import services
from apps.crm.models import AccountEmotionDay
from apps.crm.tests.factories import at_day, scored
from tests.factories import AccountFactory, ContactFactory, MessageFactory


def _rows(account) -> list[tuple]:
    return list(
        AccountEmotionDay.objects.filter(account=account)
        .order_by("day")
        .values_list("day", "n", "negative", "positive", "valence_sum", "base_counts", "business_counts")
    )


class RollupTest(TestCase):
    def setUp(self):
        self.account = AccountFactory(name="Initech", journey_stage="renewal")
        self.today = timezone.localdate()

    def _hand_made_day(self):
        a = self.account
        scored(a, dominant="anger", valence=-0.8, intensity=0.9, business="frustration", stage="support")
        scored(a, dominant="anger", valence=-0.6, intensity=0.7, business="frustration", stage="support")
        scored(a, dominant="joy", valence=0.7, intensity=0.6)  # no stage: the account's (renewal)
        scored(a, dominant="neutral", valence=0.0, days_ago=1)
        # None of these count: noise, a tombstone, an unscorable text, an earlier model version.
        scored(a, dominant="anger", valence=-0.9, status="noise")
        scored(a, dominant="anger", valence=-0.9, status="tombstone")
        scored(a, score_status="unscorable")
        scored(a, dominant="anger", valence=-0.9, is_current=False, model_version="old")

    def test_a_day_matches_a_hand_count_and_excluded_messages_are_left_out(self):
        self._hand_made_day()
        services.account_rollups_rebuild()
        today = AccountEmotionDay.objects.get(account=self.account, day=self.today)
        self.assertEqual((today.n, today.negative, today.positive), (3, 2, 1))
        self.assertAlmostEqual(today.valence_sum, -0.7)
        self.assertAlmostEqual(today.intensity_sum, 2.2)
        self.assertEqual(today.base_counts, {"anger": 2, "joy": 1})
        self.assertEqual(today.business_counts, {"frustration": 2})
        self.assertEqual(set(today.stage_stats), {"support", "renewal"})
        self.assertEqual(today.stage_stats["support"]["n"], 2)
        self.assertEqual(today.stage_stats["support"]["negative"], 2)
        self.assertEqual(today.stage_stats["renewal"]["base"], {"joy": 1})
        yesterday = AccountEmotionDay.objects.get(account=self.account, day=at_day(1).date())
        self.assertEqual((yesterday.n, yesterday.negative, yesterday.positive), (1, 0, 0))

    def test_refresh_is_idempotent_and_agrees_with_the_rebuild(self):
        self._hand_made_day()
        keys = {(self.account.pk, self.today), (self.account.pk, at_day(1).date())}
        services.account_rollups_refresh(account_days=keys)
        first = _rows(self.account)
        services.account_rollups_refresh(account_days=keys)
        services.account_rollups_refresh(account_days=keys)
        self.assertEqual(_rows(self.account), first)
        self.assertEqual(AccountEmotionDay.objects.filter(account=self.account).count(), 2)
        AccountEmotionDay.objects.all().delete()
        services.account_rollups_rebuild()
        self.assertEqual(_rows(self.account), first)

    def test_a_day_whose_scores_are_all_gone_loses_its_row(self):
        message = scored(self.account, dominant="anger", valence=-0.8)
        services.account_rollups_rebuild()
        message.emotion_scores.all().delete()
        services.account_rollups_refresh(account_days={(self.account.pk, self.today)})
        self.assertFalse(AccountEmotionDay.objects.filter(account=self.account).exists())

    def test_the_rebuild_command_reports_and_refuses_an_unknown_account(self):
        from io import StringIO

        from django.core.management.base import CommandError

        scored(self.account, dominant="joy", valence=0.5)
        out = StringIO()
        call_command("rebuild_emotion_rollups", stdout=out)
        self.assertIn("1 account-day rollup rows written", out.getvalue())
        with self.assertRaisesMessage(CommandError, "no such account: 999999"):
            call_command("rebuild_emotion_rollups", "--account", "999999")

    def test_the_nightly_job_is_declared(self):
        from apps.core.schedules import PERIODIC_JOBS

        self.assertIn("apps.crm.tasks.rebuild_emotion_rollups", [job.func for job in PERIODIC_JOBS])


@override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})
class RollupsFollowScoresTest(TestCase):
    def setUp(self):
        self.account = AccountFactory(name="Umbrella")
        self.contact = ContactFactory(account=self.account, email="rita@umbrella.example")

    def test_scoring_a_customer_message_updates_its_day_and_an_agent_message_does_not(self):
        from apps.scoring.services import messages_score

        customer = MessageFactory(account=self.account, contact=self.contact, text="I am furious, this is awful!")
        agent = MessageFactory(account=self.account, author_role="agent", text="I am furious, this is awful!")
        messages_score(message_ids=[customer.pk, agent.pk])
        row = AccountEmotionDay.objects.get(account=self.account)
        self.assertEqual(row.n, 1)
        self.assertEqual(row.negative, 1)
        messages_score(message_ids=[customer.pk])  # already scored: nothing changes
        self.assertEqual(AccountEmotionDay.objects.get(account=self.account).n, 1)

    def test_an_opt_out_purge_recomputes_the_days_it_touched(self):
        from apps.consent.services import optout_apply

        scored(self.account, contact=self.contact, dominant="anger", valence=-0.8)
        other = ContactFactory(account=self.account, email="sam@umbrella.example")
        scored(self.account, contact=other, dominant="joy", valence=0.6)
        services.account_rollups_rebuild()
        self.assertEqual(AccountEmotionDay.objects.get(account=self.account).n, 2)
        optout_apply(contacts=[self.contact], channels=None, origin="admin")
        row = AccountEmotionDay.objects.get(account=self.account)
        self.assertEqual((row.n, row.negative, row.base_counts), (1, 0, {"joy": 1}))

    def test_an_erasure_recomputes_the_days_it_touched(self):
        from apps.consent.subject_rights import subject_erase

        scored(self.account, contact=self.contact, dominant="anger", valence=-0.8)
        services.account_rollups_rebuild()
        subject_erase(contact=self.contact)
        self.assertFalse(AccountEmotionDay.objects.filter(account=self.account).exists())


class SegmentRollupTest(TestCase):
    def test_the_baseline_sums_the_segments_accounts_and_follows_a_segment_change(self):
        from apps.crm.models import SegmentEmotionDay
        from apps.crm.selectors import segment_baseline
        from tests.factories import SegmentFactory

        retail, banks = SegmentFactory(name="Retail"), SegmentFactory(name="Banks")
        a = AccountFactory(segment=retail)
        b = AccountFactory(segment=retail)
        c = AccountFactory(segment=banks)
        scored(a, dominant="anger", valence=-0.8)
        scored(b, dominant="joy", valence=0.6)
        scored(c, dominant="joy", valence=1.0)
        services.account_rollups_rebuild()
        today = timezone.localdate()
        row = SegmentEmotionDay.objects.get(scope=str(retail.pk), day=today)
        self.assertEqual((row.accounts, row.n, row.negative, row.positive), (2, 2, 1, 1))
        self.assertEqual(SegmentEmotionDay.objects.get(scope="all", day=today).n, 3)
        baseline = segment_baseline(account=a, first=today, last=today)
        self.assertEqual((baseline["segment"], baseline["n"], baseline["negative_share"]), ("Retail", 2, 0.5))
        self.assertAlmostEqual(baseline["valence"], -0.1)

        services.account_update(account=b, segment=banks)
        self.assertEqual(SegmentEmotionDay.objects.get(scope=str(retail.pk), day=today).n, 1)
        self.assertEqual(SegmentEmotionDay.objects.get(scope=str(banks.pk), day=today).n, 2)
        # A refresh (scoring path) keeps the segment rows in step too.
        scored(c, dominant="anger", valence=-0.9)
        services.account_rollups_refresh(account_days={(c.pk, today)})
        self.assertEqual(SegmentEmotionDay.objects.get(scope=str(banks.pk), day=today).n, 3)
        self.assertEqual(SegmentEmotionDay.objects.get(scope="all", day=today).n, 4)
