"""The coaching figures against a hand-built set of threads: outcomes, recovery, repeat contact, behaviour,
exposure per shift; and that agents' own messages are never emotion-scored."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase

from apps.coaching import metrics
from apps.scoring import services as scoring_services
from apps.scoring.models import EmotionScore
from apps.sources.models import Message
from tests.factories import AccountFactory, ContactFactory, SourceFactory

from .factories import T0, agent_says, customer_says, team_with

H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
DANA = "dana@team.example"
EMIL = "emil@team.example"


class MetricsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.team, (cls.dana, cls.emil) = team_with(
            "Support EU", agents=[("agent.dana", DANA), ("agent.emil", "Emil@Team.example")]
        )
        cls.source = SourceFactory(slug="helpdesk")
        cls.other_source = SourceFactory(slug="chat")
        cls.account = AccountFactory(name="Globex")
        c1, c2, c3, c4, c5 = (ContactFactory(account=cls.account) for _ in range(5))
        s, a = cls.source, cls.account
        # Shift 1: three hostile conversations back to back.
        customer_says(s, "t1", T0 - 10 * dt.timedelta(minutes=1), account=a, contact=c1, valence=-0.8, dominant="anger")
        agent_says(s, "t1", T0, handle=DANA, account=a, text="I'm so sorry. I understand why this hurts.")
        customer_says(s, "t1", T0 + H, account=a, contact=c1, valence=0.5, dominant="joy")  # recovered
        customer_says(s, "t2", T0 + 0.3 * H, account=a, contact=c2, valence=-0.7, dominant="disgust")
        agent_says(s, "t2", T0 + 0.5 * H, handle=DANA.upper(), account=a, text="Here is the export guide.")
        customer_says(s, "t2", T0 + 0.8 * H, account=a, contact=c2, valence=-0.6, dominant="anger")  # still negative
        customer_says(s, "t3", T0 + 1.3 * H, account=a, contact=c3, valence=-0.9, dominant="anger")
        agent_says(s, "t3", T0 + 1.5 * H, handle=DANA, account=a, text="Thanks for your patience, fixed now.")
        # c3 comes back two days later in a new thread: a repeat contact. c2 only after ten days: not one.
        customer_says(s, "t9", T0 + 2 * DAY, account=a, contact=c3, valence=-0.3, dominant="sadness")
        customer_says(s, "t10", T0 + 10 * DAY, account=a, contact=c2, valence=0.1)
        # Shift 2, the next day: a calm one, then a distressed one (hostile by valence alone).
        customer_says(s, "t4", T0 + DAY - 0.2 * H, account=a, contact=c4, valence=0.0)
        agent_says(s, "t4", T0 + DAY, handle=DANA, account=a)
        customer_says(s, "t4", T0 + DAY + H, account=a, contact=c4, valence=0.6, dominant="joy")
        customer_says(s, "t5", T0 + DAY + 0.2 * H, account=a, contact=c5, valence=-0.65, dominant="sadness")
        agent_says(s, "t5", T0 + DAY + 0.5 * H, handle=DANA, account=a, text="Sorry, escalating", is_private=True)
        agent_says(s, "t5", T0 + DAY + 0.6 * H, handle=DANA, account=a, text="On it.")
        customer_says(s, "t5", T0 + DAY + 2 * H, account=a, contact=c5, valence=0.0)  # recovered to neutral
        # Not Dana's: Emil's thread, a thread Dana wrote in before the period, the same thread id elsewhere.
        customer_says(s, "t6", T0, account=a, contact=c1, valence=-0.9, dominant="anger")
        agent_says(s, "t6", T0 + 0.1 * H, handle="emil@team.example", account=a, text="Apologies!")
        agent_says(s, "t7", T0 - 5 * DAY, handle=DANA, account=a)
        customer_says(cls.other_source, "t1", T0 + 0.2 * H, account=a, valence=-0.95, dominant="anger")
        cls.period = metrics.period_between(dt.date(2026, 3, 1), dt.date(2026, 3, 7), today=dt.date(2026, 3, 31))

    def figures(self):
        return metrics.agents_metrics([self.dana, self.emil], self.period)

    def test_conversations_are_the_threads_the_agent_wrote_in_during_the_period(self):
        dana = self.figures()[self.dana.pk]
        self.assertEqual([c.thread_id for c in dana.conversations], ["t1", "t2", "t3", "t4", "t5"])
        self.assertTrue(all(c.source_id == self.source.pk for c in dana.conversations))

    def test_start_and_end_are_the_first_and_last_scored_customer_messages_of_that_thread(self):
        by_thread = {c.thread_id: c for c in self.figures()[self.dana.pk].conversations}
        t1 = by_thread["t1"]
        self.assertEqual((t1.start.valence, t1.start.dominant), (-0.8, "anger"))  # not the other source's t1
        self.assertEqual((t1.end.valence, t1.end.dominant), (0.5, "joy"))
        self.assertIsNone(by_thread["t3"].end)  # the customer never wrote again: outcome unknown
        self.assertEqual(by_thread["t4"].start.band, "neutral")

    def test_recovery_counts_negative_starts_that_ended_neutral_or_positive(self):
        dana = self.figures()[self.dana.pk]
        by_thread = {c.thread_id: c.recovered for c in dana.conversations}
        self.assertEqual(by_thread, {"t1": True, "t2": False, "t3": None, "t4": None, "t5": True})
        self.assertEqual((dana.start_negative, dana.recoverable, dana.recovered), (4, 3, 2))
        self.assertEqual(dana.recovery_rate, 0.667)
        self.assertAlmostEqual(dana.valence_change, (1.3 + 0.1 + 0.6 + 0.65) / 4, places=3)

    def test_repeat_contact_is_a_new_thread_from_the_same_contact_within_the_window(self):
        dana = self.figures()[self.dana.pk]
        self.assertEqual({c.thread_id for c in dana.conversations if c.repeat_contact}, {"t3"})
        self.assertEqual((dana.repeat_contacts, dana.with_contact, dana.repeat_contact_rate), (1, 5, 0.2))

    def test_behaviour_is_phrase_matching_of_the_agents_public_replies(self):
        dana = self.figures()[self.dana.pk]
        tags = {c.thread_id: c.behaviours for c in dana.conversations}
        self.assertEqual(tags["t1"], {"acknowledgement", "apology"})
        self.assertEqual(tags["t3"], {"acknowledgement"})
        self.assertEqual(tags["t5"], set())  # the apology was in a private note the customer never saw
        self.assertEqual((dana.acknowledgement_rate, dana.apology_rate), (0.4, 0.2))
        self.assertEqual(
            metrics.behaviour_tags("We apologised. Thanks for bearing with us"), {"apology", "acknowledgement"}
        )
        self.assertEqual(metrics.behaviour_tags("Unsorry-ish. I understood nothing"), set())

    def test_exposure_counts_hostile_runs_per_shift_and_flags_the_agent_for_support(self):
        dana = self.figures()[self.dana.pk]
        self.assertEqual([c.hostile for c in dana.conversations], [True, True, True, False, True])
        self.assertEqual(
            [(s.conversations, s.hostile, s.longest_hostile_run) for s in dana.shifts], [(3, 3, 3), (2, 1, 1)]
        )
        self.assertEqual((dana.hostile, dana.longest_hostile_run, dana.longest_hostile_run_in_a_shift), (4, 3, 3))
        self.assertTrue(dana.needs_support)
        self.assertEqual(len(dana.support_reasons), 2)

    def test_handles_match_whatever_their_case_and_agents_do_not_share_threads(self):
        emil = self.figures()[self.emil.pk]
        self.assertEqual([c.thread_id for c in emil.conversations], ["t6"])
        self.assertEqual(emil.conversations[0].behaviours, {"apology"})
        self.assertFalse(emil.needs_support)  # one hostile conversation is not a run

    def test_a_team_period_is_three_queries_whatever_the_number_of_threads(self):
        with self.assertNumQueries(3):
            self.figures()

    def test_an_agent_without_handles_or_messages_has_empty_figures(self):
        self.dana.handles = []
        figures = metrics.agents_metrics([self.dana], self.period)[self.dana.pk]
        self.assertEqual((figures.count, figures.recovery_rate, figures.needs_support), (0, None, False))

    def test_agents_messages_are_never_emotion_scored(self):
        ids = list(Message.objects.filter(author_role="agent").values_list("pk", flat=True))
        counts = scoring_services.messages_score(message_ids=ids)
        self.assertEqual(counts["scored"], 0)
        self.assertFalse(EmotionScore.objects.filter(message_id__in=ids).exists())
        self.figures()
        self.assertFalse(EmotionScore.objects.filter(message_id__in=ids).exists())


class PeriodTests(TestCase):
    today = dt.date(2026, 3, 31)

    def test_presets_end_today(self):
        period = metrics.period_parse({"period": "7"}, today=self.today)
        self.assertEqual((period.start, period.end, period.days), (dt.date(2026, 3, 25), self.today, 7))
        self.assertEqual(metrics.period_parse({}, today=self.today).days, 30)

    def test_bad_periods_say_what_is_wrong(self):
        cases = {
            "period must be": {"period": "12"},
            "needs both": {"from": "2026-03-01"},
            "YYYY-MM-DD": {"from": "March", "to": "2026-03-02"},
            "ends before": {"from": "2026-03-05", "to": "2026-03-01"},
            "future": {"from": "2026-04-05", "to": "2026-04-06"},
            "at most": {"from": "2024-01-01", "to": "2026-03-01"},
        }
        for message, params in cases.items():
            with self.assertRaisesMessage(ValueError, message):
                metrics.period_parse(params, today=self.today)
