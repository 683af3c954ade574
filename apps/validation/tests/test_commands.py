"""The management commands: sample_annotation_batch and evaluate_gold."""

from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from apps.scoring.models import ScoringModel
from apps.validation.models import AnnotationBatch, EvaluationRun, GoldLabel
from apps.validation.tests.factories import scored_message
from tests.factories import AccountFactory


class CommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        account = AccountFactory()
        cls.messages = [
            scored_message(account, dominant="joy", text=f"Lovely service, thank you ({n})!") for n in range(3)
        ]

    def test_it_draws_a_batch_and_refuses_when_nothing_qualifies(self):
        out = StringIO()
        call_command(
            "sample_annotation_batch", "Week 49", "--strategy", "stratified", "--size", "2", "--seed", "5", stdout=out
        )
        self.assertIn("2 messages", out.getvalue())
        self.assertEqual(AnnotationBatch.objects.get().items.count(), 2)
        call_command("sample_annotation_batch", "Rest", "--size", "5", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "No message qualifies"):
            call_command("sample_annotation_batch", "Empty", "--size", "5")

    def test_evaluate_gold_stores_a_run_and_prints_the_figures(self):
        for message in self.messages:
            GoldLabel.objects.create(message=message, labels=["joy"], source="unanimous", decided_at=timezone.now())
        model = ScoringModel.objects.create(name="lexicon", engine="lexicon")
        out = StringIO()
        call_command("evaluate_gold", "--model", str(model.pk), stdout=out)
        run = EvaluationRun.objects.get()
        self.assertIn(f"macro-F1 {run.macro_f1:.4f}", out.getvalue())
        self.assertIn("joy", out.getvalue())
        with self.assertRaisesMessage(CommandError, "no scoring model"):
            call_command("evaluate_gold", "--model", "999999")
