"""Drift: PSI against a hand computation, unknown-term rate, weekly reports, the drift alert (once), the page."""

from __future__ import annotations

import datetime as dt
import math
import types
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import APITestCase, purposes_switched_on
from apps.governance.pages import SESSION_KEY
from apps.monitoring import drift, services
from apps.monitoring.models import DriftAlert, DriftReport, DriftSettings
from apps.monitoring.tests.factories import VERSION, at, fake_validation_selectors, scored_message
from tests.factories import AccountFactory, SourceFactory, UserFactory

TODAY = timezone.localdate()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())
W0 = MONDAY - dt.timedelta(weeks=10)  # the model's first week: the reference window (4 weeks)
STABLE = MONDAY - dt.timedelta(weeks=3)
SHIFTED = MONDAY - dt.timedelta(weeks=2)


def test_psi_matches_a_hand_computation():
    # (0.5-0.25)·ln(0.5/0.25) + (0.5-0.75)·ln(0.5/0.75) = 0.25·0.693147 + 0.25·0.405465
    assert drift.psi({"a": 0.5, "b": 0.5}, {"a": 0.25, "b": 0.75}) == pytest.approx(0.274653, abs=1e-6)
    assert drift.psi({"a": 0.3, "b": 0.7}, {"a": 0.3, "b": 0.7}) == 0


def test_psi_replaces_an_empty_category_by_epsilon():
    # b vanished: (0.5)·ln(1/0.5) + (1e-4 - 0.5)·ln(1e-4/0.5)
    expected = 0.5 * math.log(2) + (1e-4 - 0.5) * math.log(1e-4 / 0.5)
    assert drift.psi({"a": 1.0}, {"a": 0.5, "b": 0.5}) == pytest.approx(expected, abs=1e-9)
    assert math.isfinite(drift.psi({"a": 1.0}, {"b": 1.0}))


def test_unknown_term_rate_counts_word_tokens_the_vocabulary_lacks():
    vocab = drift.vocabulary()
    assert "the" in vocab and "good" in vocab and "xyzzyqwf" not in vocab
    # three word tokens (punctuation is not a term), one unknown; masks normalise as the engine does
    assert drift.unknown_terms(["The good xyzzyqwf !"], vocab) == (1, 3)
    assert drift.unknown_terms(["[NAME] good"], vocab) == (0 if "xxname" in vocab else 1, 2)


class DriftWeekTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.source = SourceFactory(platform="zendesk")
        cls.account = AccountFactory()
        cls.admin = UserFactory(username="ops-admin", email="ops@example.com")
        cls.admin.groups.add(Group.objects.get(name="Admin"))
        # Reference: half joy, half neutral, confident.
        for i in range(40):
            cls.message(W0 + dt.timedelta(days=i % 5), "joy" if i % 2 else "neutral", 0.85, "Thanks, the good update")
        for i in range(40):
            cls.message(
                STABLE + dt.timedelta(days=i % 5), "joy" if i % 2 else "neutral", 0.85, "Thanks, the good update"
            )
        # Shifted: mostly anger, unsure, in words the model has never seen.
        for i in range(40):
            cls.message(SHIFTED + dt.timedelta(days=i % 5), "anger" if i % 10 else "joy", 0.35, "xyzzyqwf blorbtastic")

    @classmethod
    def message(cls, day, dominant, confidence, text):
        return scored_message(
            account=cls.account, source=cls.source, when=at(day), dominant=dominant, confidence=confidence, text=text
        )

    def test_a_stable_week_is_ok_and_raises_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            (report,) = services.drift_week_compute(week_start=STABLE)
        self.assertEqual((report.platform, report.model_version, report.n_messages), ("zendesk", VERSION, 40))
        self.assertEqual(report.status, "ok")
        self.assertAlmostEqual(report.psi, 0.0, places=6)
        self.assertEqual(report.reference["n"], 40)
        self.assertEqual(report.reference["start"], W0.isoformat())
        self.assertEqual(report.unknown_term_rate, 0.0)
        self.assertFalse(DriftAlert.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_a_shifted_week_raises_one_drift_alert_and_emails_admins_once(self):
        with self.captureOnCommitCallbacks(execute=True):
            (report,) = services.drift_week_compute(week_start=SHIFTED + dt.timedelta(days=3))  # any day of the week
        self.assertEqual(report.week_start, SHIFTED)
        self.assertEqual(report.status, "drift")
        self.assertGreater(report.psi, 0.25)
        self.assertEqual(report.label_shares, {"anger": 0.9, "joy": 0.1})
        self.assertEqual(report.unknown_term_rate, 1.0)
        self.assertEqual(report.reference["unknown_term_rate"], 0.0)
        alert = DriftAlert.objects.get()
        self.assertEqual((alert.week_start, alert.platform), (SHIFTED, "zendesk"))
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("ops@example.com", mail.outbox[0].to)
        self.assertIn("zendesk", mail.outbox[0].subject)
        # Recomputing the week updates its row and raises nothing new.
        with self.captureOnCommitCallbacks(execute=True):
            services.drift_week_compute(week_start=SHIFTED)
        self.assertEqual(DriftReport.objects.filter(week_start=SHIFTED).count(), 1)
        self.assertEqual(DriftAlert.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_psi_of_the_shifted_week_matches_a_hand_computation(self):
        (report,) = services.drift_week_compute(week_start=SHIFTED)
        labels = drift.psi({"anger": 0.9, "joy": 0.1}, {"joy": 0.5, "neutral": 0.5})
        self.assertAlmostEqual(report.psi_labels, labels, places=5)
        conf = drift.psi({"3": 1.0}, {"8": 1.0})
        self.assertAlmostEqual(report.psi_confidence, conf, places=5)
        self.assertAlmostEqual(report.psi, max(labels, conf), places=5)

    def test_a_week_below_the_minimum_volume_is_reported_not_alerted(self):
        DriftSettings.objects.create(min_messages=100)
        (report,) = services.drift_week_compute(week_start=SHIFTED)
        self.assertEqual(report.status, "insufficient")
        self.assertFalse(DriftAlert.objects.exists())

    def test_a_fixed_reference_window_is_used_when_configured(self):
        DriftSettings.objects.create(
            reference_mode="fixed", reference_start=SHIFTED, reference_end=SHIFTED + dt.timedelta(days=6)
        )
        (report,) = services.drift_week_compute(week_start=SHIFTED)
        self.assertEqual(report.reference["start"], SHIFTED.isoformat())
        self.assertAlmostEqual(report.psi, 0.0, places=6)

    def test_the_periodic_job_computes_the_last_complete_week(self):
        count = services.drift_last_week_compute(today=SHIFTED + dt.timedelta(days=9))
        self.assertEqual(count, 1)
        self.assertTrue(DriftReport.objects.filter(week_start=SHIFTED).exists())

    def test_no_gold_labels_leaves_annotated_accuracy_empty(self):
        with mock.patch.object(drift, "gold_labels_by_message", return_value=None):
            (report,) = services.drift_week_compute(week_start=SHIFTED)
        self.assertEqual((report.gold_n, report.gold_accuracy), (0, None))

    def test_annotated_accuracy_comes_from_the_gold_labels(self):
        from apps.scoring.models import EmotionScore

        scores = list(EmotionScore.objects.filter(message_created_at__gte=at(SHIFTED), dominant="anger")[:4])
        items = [types.SimpleNamespace(message_id=s.message_id, labels=["anger"]) for s in scores[:3]]
        items.append(types.SimpleNamespace(message_id=scores[3].message_id, labels=["sadness", "fear"]))
        with fake_validation_selectors(gold_labels=lambda **kwargs: items):
            (report,) = services.drift_week_compute(week_start=SHIFTED)
        self.assertEqual(report.gold_n, 4)
        self.assertAlmostEqual(report.gold_accuracy, 0.75)


class DriftReadTest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.report = DriftReport.objects.create(
            week_start=SHIFTED,
            platform="x",
            model_version=VERSION,
            n_messages=50,
            status="drift",
            psi=0.4,
            psi_labels=0.4,
            psi_confidence=0.1,
            label_shares={"anger": 1.0},
            confidence_hist=[0.1] * 10,
            reference={"n": 60, "label_shares": {"joy": 1.0}, "confidence_hist": [0.1] * 10},
        )
        DriftAlert.objects.create(
            week_start=SHIFTED, platform="x", model_version=VERSION, report=cls.report, psi=0.4, threshold=0.25
        )
        cls.privacy = UserFactory(username="dpo-user")
        cls.privacy.groups.add(Group.objects.get(name="Privacy Officer"))
        purposes_switched_on("analytics", roles_for=[cls.privacy])

    def test_the_privacy_officer_reads_drift_reports_through_the_api_for_analytics(self):
        response = self.client_for(self.privacy, purpose="analytics").get(reverse("v1:driftreport-list"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["results"][0]["iso_week"], self.report.iso_week)
        self.assertEqual(
            self.client_for(self.privacy, purpose=None).get(reverse("v1:driftreport-list")).status_code, 403
        )

    def test_the_outsider_lists_nothing_and_gets_404_on_a_report(self):
        purposes_switched_on("analytics", roles_for=[self.outsider])
        client = self.client_for(self.outsider, purpose="analytics")
        self.assertEqual(client.get(reverse("v1:driftreport-list")).json()["count"], 0)
        self.assertEqual(client.get(reverse("v1:driftreport-detail", args=[self.report.pk])).status_code, 404)
        self.assertEqual(self.client_for(None).get(reverse("v1:driftreport-list")).status_code, 401)

    def test_the_drift_page_shows_the_heat_table_and_the_alert(self):
        self.client.force_login(self.privacy)
        session = self.client.session
        session[SESSION_KEY] = "analytics"
        session.save()
        response = self.client.get(reverse("monitoring:drift"), {"platform": "x"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="heat st-drift"')
        self.assertContains(response, "Drift alerts")
        self.assertContains(response, "0.40")
        self.assertContains(response, 'id="detail"')

    def test_the_drift_page_is_forbidden_to_the_outsider(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("monitoring:drift")).status_code, 403)


class SamplingNoiseTest(TestCase):
    def test_a_large_psi_on_a_small_noisy_sample_is_watch_not_drift(self):
        policy = DriftSettings(min_messages=5)
        # 6 messages vs a reference of 6: PSI is large, but a chi-square test cannot tell it from noise.
        assert drift.psi(drift.shares({"joy": 4, "anger": 2}), drift.shares({"joy": 2, "anger": 4})) > 0.25
        p_value = drift.shift_p_value({"joy": 4, "anger": 2}, {"joy": 2, "anger": 4})
        self.assertGreater(p_value, 0.1)
        self.assertEqual(drift.status_for(0.46, 6, 6, policy, p_value), "watch")
        self.assertEqual(drift.status_for(0.46, 600, 600, policy, 1e-9), "drift")
        self.assertEqual(drift.status_for(0.46, 3, 600, policy, 1e-9), "insufficient")


class GoldContractTest(TestCase):
    """Against the validation app's real selector (the contract), not a stand-in."""

    def test_annotated_accuracy_reads_the_validation_apps_gold_labels(self):
        from apps.validation.choices import GoldSource
        from apps.validation.models import GoldLabel

        source, account = SourceFactory(platform="zendesk"), AccountFactory()
        scores = [
            scored_message(
                account=account, source=source, when=at(SHIFTED + dt.timedelta(days=i % 5)), dominant="anger"
            )
            for i in range(4)
        ]
        for score, labels in zip(scores, (["anger"], ["anger", "disgust"], ["joy"], ["sadness"]), strict=True):
            GoldLabel.objects.create(
                message=score.message, labels=labels, source=GoldSource.values[0], decided_at=timezone.now()
            )
        (report,) = services.drift_week_compute(week_start=SHIFTED)
        self.assertEqual((report.gold_n, report.gold_accuracy), (4, 0.5))
