"""Model cards: the shipped model's card (uses, prohibitions, training data, figures), downloads, permissions."""

from __future__ import annotations

import json
import types

from django.apps import apps as registry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import APITestCase
from apps.governance.register import ensure_register
from apps.monitoring import modelcard
from apps.monitoring.models import DriftReport
from apps.monitoring.tests.factories import fake_validation_selectors
from apps.scoring.models import ScoringModel
from tests.factories import UserFactory

SHIPPED_VERSION = "linear-6ac34b1d4ea4bdb4+lexicon-r2-ef64943a857f"


class ModelCardTest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ensure_register(registry)
        cls.model = ScoringModel.objects.create(
            name="Default linear", engine="linear", version=SHIPPED_VERSION, is_active=True
        )
        cls.legal = UserFactory(username="legal")
        cls.legal.groups.add(Group.objects.get(name="Privacy Officer"))
        DriftReport.objects.create(
            week_start=timezone.localdate(),
            platform="zendesk",
            model_version=SHIPPED_VERSION,
            n_messages=80,
            status="watch",
            psi=0.17,
        )

    def card_url(self, **query):
        url = reverse("monitoring:model-card", args=[self.model.pk])
        return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url

    def test_the_shipped_model_card_has_uses_prohibitions_training_data_figures_and_limits(self):
        card = modelcard.model_card(self.model)
        purposes = {p["key"] for p in card["governance"]["purposes"]}
        self.assertIn("analytics", purposes)
        prohibited = [u["name"] for u in card["governance"]["prohibited_uses"]]
        self.assertIn("Targeting a vulnerable customer for upsell", prohibited)
        self.assertTrue(any("employees" in p for p in card["built_in_prohibitions"]))
        self.assertIn("GoEmotions", card["training_data"]["dataset"])
        self.assertIn("Demszky", card["training_data"]["citation"])
        self.assertEqual(card["training_data"]["licence"], "Apache-2.0")
        self.assertEqual(card["training_data"]["n_train"], 43410)
        dev = card["evaluation"]["shipped_dev"]
        self.assertEqual(dev["label"], "GoEmotions dev, not this company's data")
        self.assertAlmostEqual(dev["per_label"]["joy"]["f1"], 0.8044)
        self.assertEqual(set(dev["per_label"]), set(card["training_data"]["labels"]))
        titles = [item["title"] for item in card["limitations"]]
        for expected in (
            "Sarcasm and irony",
            "Languages other than English",
            "Very short texts",
            "Emoji-only messages",
        ):
            self.assertIn(expected, titles)
        self.assertEqual(card["drift"]["reports"][0]["status"], "watch")

    def test_active_periods_come_from_the_audit_log(self):
        from apps.scoring.services import scoring_model_activate

        other = ScoringModel.objects.create(name="Lexicon", engine="lexicon")
        first = ScoringModel.objects.create(name="Linear again", engine="linear")
        scoring_model_activate(scoring_model=first)
        scoring_model_activate(scoring_model=other)
        (period,) = modelcard.active_periods(first)
        (later,) = modelcard.active_periods(other)
        self.assertEqual(period["until"], later["from"])
        self.assertIsNone(later["until"])

    def test_evaluation_runs_on_company_data_appear_with_error_rates(self):
        run = types.SimpleNamespace(
            created_at=timezone.now(),
            n_items=120,
            metrics={
                "macro_f1": 0.58,
                "per_label": {"anger": {"precision": 0.5, "recall": 0.75, "f1": 0.6, "support": 20}},
                "by_platform": {"zendesk": {"n": 80, "macro_f1": 0.61, "per_label": {}}},
            },
        )
        runs = lambda *, model_version: [run] if model_version == SHIPPED_VERSION else []  # noqa: E731
        with fake_validation_selectors(evaluation_runs_for=runs):
            card = modelcard.model_card(self.model)
            markdown = modelcard.to_markdown(card)
        (company,) = card["evaluation"]["company_data"]
        self.assertEqual(company["per_label"]["anger"]["miss_rate"], 0.25)
        self.assertEqual(company["per_label"]["anger"]["false_discovery_rate"], 0.5)
        self.assertEqual(company["by_platform"]["zendesk"], {"n": 80, "macro_f1": 0.61})
        self.assertIn("| anger | 0.500 | 0.750 | 0.600 | 20 | 0.250 | 0.500 |", markdown)

    def test_without_evaluation_runs_the_card_says_so(self):
        with fake_validation_selectors(evaluation_runs_for=lambda *, model_version: []):
            card = modelcard.model_card(self.model)
        self.assertEqual(card["evaluation"]["company_data"], [])
        self.assertIn("No evaluation on this company's data yet", card["evaluation"]["company_data_note"])

    def test_the_card_page_and_its_downloads(self):
        self.client.force_login(self.legal)
        page = self.client.get(self.card_url())
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "GoEmotions dev, not this company&#x27;s data")
        self.assertContains(page, "Targeting a vulnerable customer for upsell")
        md = self.client.get(self.card_url(format="md"))
        self.assertEqual(md.status_code, 200)
        self.assertIn('attachment; filename="model-card-default-linear.md"', md["Content-Disposition"])
        text = md.content.decode()
        self.assertIn("# Model card: Default linear", text)
        self.assertIn("## Prohibited uses", text)
        self.assertIn("| joy | 0.804 | 0.804 | 0.804 | 2219 |", text)
        js = self.client.get(self.card_url(format="json"))
        self.assertIn(".json", js["Content-Disposition"])
        self.assertEqual(json.loads(js.content)["model"]["version"], SHIPPED_VERSION)
        self.assertEqual(self.client.get(self.card_url(format="pdf")).status_code, 400)

    def test_the_list_page_links_every_model(self):
        self.client.force_login(self.legal)
        response = self.client.get(reverse("monitoring:model-cards"))
        self.assertContains(response, "Default linear")
        self.assertContains(response, self.card_url(format="md"))

    def test_the_outsider_is_forbidden_and_a_missing_model_is_404(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.card_url()).status_code, 403)
        self.assertEqual(self.client.get(reverse("monitoring:model-cards")).status_code, 403)
        self.client.force_login(self.legal)
        self.assertEqual(self.client.get(reverse("monitoring:model-card", args=[99999])).status_code, 404)

    def test_the_api_serves_the_card_to_the_privacy_officer_only(self):
        url = reverse("v1:model-card-detail", args=[self.model.pk])
        response = self.client_for(self.legal, purpose=None).get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("GoEmotions", response.json()["training_data"]["dataset"])
        self.assertEqual(self.client_for(self.legal).get(reverse("v1:model-card-list")).json()[0]["id"], self.model.pk)
        self.assertEqual(self.client_for(self.outsider).get(url).status_code, 403)
        self.assertEqual(self.client_for(None).get(url).status_code, 401)
        self.assertEqual(
            self.client_for(self.legal).get(reverse("v1:model-card-detail", args=[99999])).status_code, 404
        )
