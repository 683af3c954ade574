"""Evaluation runs: figures against a hand count; the engine runs in memory and stored scores stay."""

from __future__ import annotations

from unittest import mock

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone

from apps.scoring.engines.base import Engine, EngineOutput
from apps.scoring.models import EmotionScore
from apps.validation import selectors, services
from apps.validation.metrics import Row, evaluation_metrics
from apps.validation.models import EvaluationRun, GoldLabel
from apps.validation.tests.factories import scored_message
from tests.factories import AccountFactory, SegmentFactory, SourceFactory

KEYWORDS = {"furious": "anger", "gross": "disgust", "happy": "joy", "sad": "sadness"}


class KeywordEngine(Engine):
    """Predicts an emotion per keyword found: the first one found scores highest; no keyword: neutral."""

    name = "keyword"

    @property
    def version(self) -> str:
        return "keyword-1"

    def score_batch(self, texts):
        out = []
        for text in texts:
            words = text.lower().replace(",", " ").split()
            found = [KEYWORDS[w] for w in words if w in KEYWORDS]
            scores = dict.fromkeys(self.labels, 0.05)
            for rank, label in enumerate(dict.fromkeys(found)):
                scores[label] = 0.9 - 0.1 * rank
            if not found:
                scores["neutral"] = 0.7
            out.append(EngineOutput(scores=scores))
        return out


class EvaluationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        retail = AccountFactory(segment=SegmentFactory(slug="retail", name="Retail"))
        x = SourceFactory(slug="x", kind="social", platform="x")
        rows = [
            (retail, None, "I am furious with the outage today", ["anger"]),
            (retail, None, "This is gross and I am furious", ["disgust"]),
            (retail, None, "I am so happy with the new release", ["joy", "surprise"]),
            (retail, x, "The update arrived on Tuesday as planned", ["neutral"]),
            (retail, x, "I am happy it works now", ["sadness"]),
        ]
        for account, source, text, labels in rows:
            message = scored_message(account, text=text, **({"source": source} if source else {}))
            GoldLabel.objects.create(message=message, labels=labels, source="adjudicated", decided_at=timezone.now())

    def run_keyword(self) -> EvaluationRun:
        with mock.patch.object(services, "_engine_for", return_value=KeywordEngine()):
            return services.evaluation_run_create()

    def test_the_figures_match_a_hand_count(self):
        run = self.run_keyword()
        m = run.metrics
        self.assertEqual((run.n_items, run.model_version), (5, "keyword-1"))
        # anger: predicted in 1 and 2, gold in 1 → P 1/2, R 1, F1 2/3; joy likewise (3 and 5, gold 3)
        self.assertEqual(
            m["per_label"]["anger"], {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1, "predicted": 2}
        )
        self.assertEqual(m["per_label"]["joy"]["f1"], 0.6667)
        self.assertEqual(m["per_label"]["disgust"]["f1"], 1.0)
        self.assertEqual(m["per_label"]["neutral"]["f1"], 1.0)
        self.assertEqual(
            m["per_label"]["sadness"], {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1, "predicted": 0}
        )
        self.assertEqual(m["per_label"]["surprise"]["support"], 1)
        self.assertEqual(m["per_label"]["fear"]["support"], 0)
        # macro over the six labels that occur: (2/3 + 1 + 2/3 + 1 + 0 + 0) / 6; micro: 2*4 / (2*4 + 2 + 2)
        self.assertEqual(m["macro_f1"], round((2 / 3 + 1 + 2 / 3 + 1) / 6, 4))
        self.assertEqual(m["micro_f1"], round(8 / 12, 4))
        self.assertEqual(m["primary_accuracy"], 0.8)
        labels = m["confusion"]["labels"]
        matrix = m["confusion"]["matrix"]
        self.assertEqual(matrix[labels.index("sadness")][labels.index("joy")], 1)
        self.assertEqual(sum(matrix[i][i] for i in range(len(labels))), 4)
        self.assertEqual(m["by_platform"]["x"]["n"], 2)
        self.assertEqual(m["by_platform"]["zendesk"]["n"], 3)
        self.assertEqual(m["by_segment"]["retail"]["n"], 5)

    def test_stored_scores_are_untouched(self):
        before = list(EmotionScore.objects.order_by("pk").values_list("pk", "dominant", "model_version", "is_current"))
        self.run_keyword()
        after = list(EmotionScore.objects.order_by("pk").values_list("pk", "dominant", "model_version", "is_current"))
        self.assertEqual(before, after)

    def test_runs_are_kept_as_history_for_the_monitoring_contract(self):
        first, second = self.run_keyword(), self.run_keyword()
        runs = list(selectors.evaluation_runs_for(model_version="keyword-1"))
        self.assertEqual([r.pk for r in runs], [second.pk, first.pk])
        self.assertEqual(
            set(runs[0].metrics),
            {
                "n",
                "macro_f1",
                "micro_f1",
                "exact_match",
                "primary_accuracy",
                "per_label",
                "by_platform",
                "by_segment",
                "confusion",
            },
        )
        self.assertEqual(runs[0].created_at, runs[0].created)
        gold = list(selectors.gold_labels())
        self.assertEqual(len(gold), 5)
        self.assertEqual(gold[0].message.account.segment.slug, "retail")
        self.assertEqual(list(selectors.gold_labels(since=timezone.now())), [])

    def test_a_tombstoned_gold_message_drops_out(self):
        GoldLabel.objects.first().message.__class__.objects.filter(text__startswith="I am furious").update(
            status="tombstone", text=""
        )
        self.assertEqual(self.run_keyword().n_items, 4)

    def test_no_gold_labels_is_refused_with_a_reason(self):
        GoldLabel.objects.all().delete()
        with self.assertRaisesMessage(ValidationError, "no gold labels"):
            services.evaluation_run_create()
        self.assertFalse(EvaluationRun.objects.exists())

    def test_the_lexicon_engine_runs_for_real(self):
        from apps.scoring.models import ScoringModel

        model = ScoringModel.objects.create(name="lexicon", engine="lexicon")
        run = services.evaluation_run_create(scoring_model=model)
        self.assertTrue(run.model_version.startswith("lexicon-"))
        self.assertEqual(run.n_items, 5)


class MetricsTests(TestCase):
    def test_labels_nobody_used_do_not_count_towards_macro_f1(self):
        m = evaluation_metrics([Row(gold=["joy"], predicted=["joy"], predicted_primary="joy")])
        self.assertEqual(m["macro_f1"], 1.0)
