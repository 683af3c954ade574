"""Predictive validity: churn by cohort, lift and AUC against hand computations; no leakage; who may read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import APITestCase, purposes_switched_on
from apps.governance.models import DataAccessLog
from apps.governance.pages import SESSION_KEY
from apps.monitoring import selectors, validity
from apps.monitoring.tests.factories import at, outcome, scored_message
from tests.factories import AccountFactory, SourceFactory, UserFactory

AS_OF = timezone.localdate() - dt.timedelta(days=100)


# --- pure computations ----------------------------------------------------------------------------------


def row(i, share, churned, stage="renewal", n=10):
    frustrated = round(share * n)
    counts = {"frustration": frustrated, "delight": n - frustrated}
    return validity.AccountRow(i, stage, n, 0.0, share, {k: v for k, v in counts.items() if v}, churned)


def test_auc_matches_a_hand_count_of_pairs():
    # churned 0.9 and 0.6, retained 0.7, 0.2, 0.1: 0.9 beats all three, 0.6 beats two: 5 of 6 pairs.
    result = validity.auc_of([True, True, False, False, False], [0.9, 0.6, 0.7, 0.2, 0.1])
    assert result["auc"] == pytest.approx(5 / 6, abs=1e-4)
    # Hanley–McNeil by hand: Q1 = A/(2-A) = 0.714286, Q2 = 2A²/(1+A) = 0.757576,
    # var = (A(1-A) + 1·(Q1-A²) + 2·(Q2-A²)) / 6 = 0.047499, se = 0.217943; A ± 1.96 se, clipped to 1.
    assert result["ci"][0] == pytest.approx(0.8333 - 1.959964 * 0.217943, abs=1e-3)
    assert result["ci"][1] == 1.0


def test_auc_is_undefined_without_both_classes():
    assert validity.auc_of([False, False], [0.1, 0.2])["auc"] is None


def test_wilson_interval_matches_a_hand_computation():
    low, high = validity.wilson(2, 3)
    # p = 2/3, z = 1.96: centre (p + z²/6)/(1 + z²/3) = 0.5614, half-width 0.3775
    assert low == pytest.approx(0.2077, abs=1e-3)
    assert high == pytest.approx(0.9385, abs=1e-3)


def test_cohort_churn_rate_and_lift():
    rows = [row(1, 0.9, True), row(2, 0.6, True), row(3, 0.7, False), row(4, 0.2, False), row(5, 0.1, False)]
    cohorts = {c["cohort"]: c for c in validity.cohorts(rows)}
    assert cohorts["frustration"]["n"] == 3 and cohorts["frustration"]["churned"] == 2
    assert cohorts["frustration"]["churn_rate"] == pytest.approx(0.6667, abs=1e-4)
    assert cohorts["frustration"]["lift"] == pytest.approx((2 / 3) / (2 / 5), abs=1e-3)
    assert cohorts["delight"]["churn_rate"] == 0 and cohorts["delight"]["lift"] == 0
    assert cohorts["delight"]["small"]  # two accounts: flagged


def test_few_churned_accounts_are_warned_about_and_the_answer_says_so():
    rows = [row(1, 0.9, True), row(2, 0.6, True), row(3, 0.7, False), row(4, 0.2, False), row(5, 0.1, False)]
    result = validity.analyse(rows, ["frustration", "delight"], churn_emotions=["frustration"])
    assert any("Only 2 churned accounts" in w for w in result["warnings"])
    assert "Too few churned accounts (2)" in result["answers"][0]["verdict"]
    assert result["combined"]["auc"] is None and "at least 5" in result["combined"]["reason"]


def test_a_clear_signal_gets_a_yes_and_a_cross_validated_combined_model():
    rows = [row(i, 0.8 + (i % 3) / 20, True) for i in range(15)] + [
        row(100 + i, 0.1 + (i % 4) / 20, False) for i in range(25)
    ]
    result = validity.analyse(rows, ["frustration", "delight"], churn_emotions=["frustration"])
    assert result["answers"][0]["verdict"].startswith("Yes")
    assert result["combined"]["auc"] > 0.9 and result["combined"]["folds"] == 5


def test_report_splits_by_stage():
    rows = [row(1, 0.9, True, "renewal"), row(2, 0.1, False, "onboarding")]
    result = validity.report(rows, ["frustration", "delight"])
    assert set(result["by_stage"]) == {"renewal", "onboarding"}
    assert result["by_stage"]["renewal"]["n"] == 1


# --- the dataset, from SQL ------------------------------------------------------------------------------


class DatasetTest(APITestCase):
    """Five accounts whose share of frustration over the window is 0.9, 0.6, 0.7, 0.2, 0.1; the first two churn."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.analyst = UserFactory(username="analyst")
        cls.analyst.groups.add(Group.objects.get(name="CX Analyst"))
        purposes_switched_on("analytics", roles_for=[cls.analyst])
        source = SourceFactory()
        cls.accounts = [AccountFactory(name=f"A{i}", journey_stage="renewal") for i in range(5)]
        shares = (9, 6, 7, 2, 1)
        for account, frustrated in zip(cls.accounts, shares, strict=True):
            for j in range(10):
                business = "frustration" if j < frustrated else "delight"
                scored_message(
                    account=account, source=source, when=at(AS_OF - dt.timedelta(days=5 + j)), business=business
                )
        a, b, c, d, e = cls.accounts
        outcome(account=a, occurred_on=AS_OF + dt.timedelta(days=10))
        outcome(account=b, occurred_on=AS_OF + dt.timedelta(days=90))  # the last day of the horizon counts
        outcome(account=e, occurred_on=AS_OF + dt.timedelta(days=91))  # after the horizon: retained
        outcome(account=c, kind="renewed", occurred_on=AS_OF + dt.timedelta(days=5))  # not a churn
        # Leakage guards: D's messages on the reference date itself must not count as features.
        for _ in range(20):
            scored_message(account=d, source=source, when=at(AS_OF, 9), business="frustration")
        # F churned before the reference date: not at risk, left out; its messages do not count.
        cls.gone = AccountFactory(name="Gone")
        scored_message(account=cls.gone, source=source, when=at(AS_OF - dt.timedelta(days=3)), business="frustration")
        outcome(account=cls.gone, occurred_on=AS_OF)
        # G has no message in the window (only one long before it).
        cls.silent = AccountFactory(name="Silent")
        scored_message(account=cls.silent, source=source, when=at(AS_OF - dt.timedelta(days=200)), business="delight")

    def dataset(self, user=None):
        return selectors.validity_dataset(user=user or self.analyst, as_of=AS_OF)

    def test_features_come_strictly_before_and_churn_strictly_after_the_reference_date(self):
        data = self.dataset()
        by_id = {r.account_id: r for r in data.rows}
        a, b, _c, d, _e = self.accounts
        self.assertEqual(by_id[d.pk].n, 10)  # the 20 messages on the reference date are not features
        self.assertAlmostEqual(by_id[d.pk].share("frustration"), 0.2)
        self.assertEqual([r.account_id for r in data.rows if r.churned], [a.pk, b.pk])
        self.assertNotIn(self.gone.pk, by_id)
        self.assertEqual(data.excluded_already_churned, 1)
        self.assertNotIn(self.silent.pk, by_id)
        self.assertGreaterEqual(data.silent["n"], 1)

    def test_the_report_figures_match_the_hand_computation(self):
        data, result = selectors.validity_report(user=self.analyst, as_of=AS_OF)
        overall = result["overall"]
        mine = [r for r in data.rows if r.account_id in {a.pk for a in self.accounts}]
        self.assertEqual(len(mine), 5)
        features = {f["feature"]: f for f in overall["features"]}
        self.assertAlmostEqual(features["share:frustration"]["auc"], 5 / 6, places=3)
        cohorts = {c["cohort"]: c for c in overall["cohorts"]}
        self.assertEqual((cohorts["frustration"]["n"], cohorts["frustration"]["churned"]), (3, 2))
        self.assertAlmostEqual(cohorts["frustration"]["lift"], (2 / 3) / (2 / 5), places=2)

    def test_an_account_manager_sees_a_report_over_their_accounts_only(self):
        data = self.dataset(user=self.owner)
        self.assertEqual(data.rows, [])

    def test_the_api_needs_the_analytics_purpose_and_logs_whose_data_it_read(self):
        url = reverse("v1:predictive-validity-list")
        response = self.client_for(self.analyst, purpose="analytics").get(url, {"as_of": AS_OF.isoformat()})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        features = {f["feature"]: f for f in body["overall"]["features"]}
        self.assertAlmostEqual(features["share:frustration"]["auc"], 5 / 6, places=3)
        self.assertTrue(body["horizon_complete"])
        log = DataAccessLog.objects.filter(resource="api:predictive-validity", outcome="allowed").latest("id")
        self.assertEqual(set(log.account_ids), {a.pk for a in self.accounts})

    def test_the_api_refuses_another_purpose_no_purpose_and_the_outsider(self):
        url = reverse("v1:predictive-validity-list")
        self.grant_perm(self.owner, "monitoring.view_validity_report")
        response = self.client_for(self.owner, purpose="support").get(url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("analytics only", response.json()["detail"])
        self.assertEqual(self.client_for(self.analyst, purpose=None).get(url).status_code, 403)
        self.assertEqual(self.client_for(self.outsider, purpose="analytics").get(url).status_code, 403)
        self.assertEqual(self.client_for(None).get(url).status_code, 401)
        self.assertTrue(DataAccessLog.objects.filter(resource="api:predictive-validity", outcome="refused").exists())

    def test_the_api_refuses_bad_parameters(self):
        url = reverse("v1:predictive-validity-list")
        client = self.client_for(self.analyst, purpose="analytics")
        self.assertEqual(client.get(url, {"stage": "heaven"}).status_code, 400)
        self.assertEqual(client.get(url, {"window": 3}).status_code, 400)
        self.assertEqual(client.get(url, {"as_of": "yesterday"}).status_code, 400)

    def test_the_stage_filter_narrows_the_population(self):
        url = reverse("v1:predictive-validity-list")
        body = self.client_for(self.analyst, purpose="analytics").get(url, {"as_of": AS_OF, "stage": "renewal"}).json()
        self.assertEqual(body["overall"]["n"], 5)
        self.assertEqual(body["by_stage"], {})

    def test_the_page_shows_the_answer_for_an_analyst_with_the_analytics_purpose(self):
        self.client.force_login(self.analyst)
        session = self.client.session
        session[SESSION_KEY] = "analytics"
        session.save()
        response = self.client.get(reverse("monitoring:validity"), {"as_of": AS_OF.isoformat()})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Does frustration precede churn here?")
        self.assertContains(response, "Share of frustration")
        self.assertContains(response, "0.83")

    def test_the_page_asks_for_analytics_when_another_purpose_is_chosen(self):
        self.client.force_login(self.analyst)
        session = self.client.session
        session[SESSION_KEY] = "support"
        session.save()
        response = self.client.get(reverse("monitoring:validity"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("governance:choose-purpose"), response["Location"])

    def test_the_page_is_forbidden_to_the_outsider(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("monitoring:validity")).status_code, 403)

    def test_a_bad_date_on_the_page_says_what_is_wrong(self):
        self.client.force_login(self.analyst)
        session = self.client.session
        session[SESSION_KEY] = "analytics"
        session.save()
        response = self.client.get(reverse("monitoring:validity"), {"as_of": "soon"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Enter a valid date", status_code=400)
