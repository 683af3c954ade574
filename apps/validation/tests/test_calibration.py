"""Calibration: a candidate trained with the gold labels is activated only if it is at least as good; rollback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.utils import timezone

from apps.scoring.ml.train_linear import train
from apps.scoring.models import ScoringModel
from apps.validation import services
from apps.validation.choices import ActivationReason, CalibrationStatus, EvaluationKind
from apps.validation.models import CalibrationRun, GoldLabel, ModelActivation
from apps.validation.tests.factories import FILLERS, NONSENSE, TINY_PARAMS, scored_message, tiny_training_data
from tests.factories import AccountFactory, UserFactory


class CalibrationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.lead = UserFactory(username="cx.lead")
        account = AccountFactory()
        # gold: each nonsense word means its emotion, in sentences the training data does not contain
        for label, word in NONSENSE.items():
            for n in range(3):
                message = scored_message(account, text=f"customer note {n}: {word} again, {word} everywhere")
                GoldLabel.objects.create(
                    message=message, labels=[label], source="adjudicated", decided_at=timezone.now()
                )

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="eh-calibration-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def model_from(self, name: str, *, inverted: bool) -> ScoringModel:
        """A linear model trained on the tiny data (right or inverted), made active."""
        data = self.tmp / f"data-{name}"
        tiny_training_data(data, inverted=inverted)
        out = self.tmp / f"artifact-{name}"
        train(data / "train.tsv", data / "dev.tsv", data / "labels.txt", out, params=TINY_PARAMS)
        model = ScoringModel.objects.create(name=name, engine="linear", options={"artifact_dir": str(out)})
        services.model_version_activate(scoring_model=model, user=self.lead, reason=ActivationReason.ROLLBACK)
        return model

    def calibrate(self, *, inverted: bool, **overrides) -> CalibrationRun:
        data = self.tmp / ("inverted" if inverted else "right")
        tiny_training_data(data, inverted=inverted)
        settings = {
            "CALIBRATION_DATA_DIR": str(data),
            "MODEL_STORE_DIR": str(self.tmp / "store"),
            "CALIBRATION_TRAIN_PARAMS": TINY_PARAMS,
            **overrides,
        }
        with override_settings(**settings), self.captureOnCommitCallbacks(execute=True):
            run = services.calibration_start(user=self.lead)
        run.refresh_from_db()
        return run

    def test_a_better_candidate_is_activated_and_stored_in_the_model_store(self):
        worse = self.model_from("inverted", inverted=True)
        run = self.calibrate(inverted=False)
        self.assertEqual(run.status, CalibrationStatus.ACTIVATED, run.decision)
        self.assertGreaterEqual(run.candidate_run.macro_f1, run.baseline_run.macro_f1)
        self.assertEqual(
            (run.baseline_run.kind, run.candidate_run.kind), (EvaluationKind.BASELINE, EvaluationKind.CANDIDATE)
        )
        self.assertEqual(run.baseline_model, worse)
        candidate = run.candidate_model
        candidate.refresh_from_db()
        self.assertTrue(candidate.is_active)
        self.assertTrue(Path(candidate.options["artifact_dir"]).is_relative_to(self.tmp / "store"))
        self.assertEqual(Path(candidate.options["artifact_dir"]).name, candidate.version)
        self.assertEqual(run.candidate_run.model_version, candidate.version)
        self.assertIn("Activated", run.decision)
        activation = ModelActivation.objects.filter(reason=ActivationReason.CALIBRATION).get()
        self.assertEqual((activation.scoring_model, activation.previous_model), (candidate, worse))

    def test_a_worse_candidate_is_refused_with_the_figures_and_nothing_changes(self):
        good = self.model_from("right", inverted=False)
        run = self.calibrate(inverted=True)
        self.assertEqual(run.status, CalibrationStatus.REFUSED, run.decision)
        self.assertLess(run.candidate_run.macro_f1, run.baseline_run.macro_f1)
        self.assertIn(f"{run.candidate_run.macro_f1:.4f}", run.decision)
        self.assertIn(f"{run.baseline_run.macro_f1:.4f}", run.decision)
        self.assertEqual(ScoringModel.objects.get(is_active=True), good)
        self.assertFalse(run.candidate_model.is_active)

    def test_a_generous_tolerance_lets_a_slightly_worse_candidate_through(self):
        self.model_from("right", inverted=False)
        with override_settings(CALIBRATION_TOLERANCE=1.0):
            run = self.calibrate(inverted=True)
        self.assertEqual(run.status, CalibrationStatus.ACTIVATED, run.decision)

    def test_rollback_makes_an_earlier_version_active_again(self):
        first = self.model_from("inverted", inverted=True)
        run = self.calibrate(inverted=False)
        self.assertEqual(run.status, CalibrationStatus.ACTIVATED)
        services.model_version_rollback(scoring_model=first, user=self.lead, note="candidate misbehaves")
        self.assertEqual(ScoringModel.objects.get(is_active=True), first)
        back = ModelActivation.objects.filter(reason=ActivationReason.ROLLBACK, scoring_model=first).latest("id")
        self.assertEqual((back.previous_model, back.activated_by), (run.candidate_model, self.lead))
        with self.assertRaises(ValidationError):
            services.model_version_rollback(scoring_model=first, user=self.lead)

    def test_missing_training_data_fails_the_run_with_the_reason(self):
        self.model_from("right", inverted=False)
        with (
            override_settings(CALIBRATION_DATA_DIR=str(self.tmp / "nowhere")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            run = services.calibration_start(user=self.lead)
        run.refresh_from_db()
        self.assertEqual(run.status, CalibrationStatus.FAILED)
        self.assertIn("CALIBRATION_DATA_DIR", run.decision)

    def test_a_second_start_while_one_is_queued_is_refused_and_running_twice_is_harmless(self):
        run = CalibrationRun.objects.create(requested_by=self.lead)
        with self.assertRaises(ValidationError):
            services.calibration_start(user=self.lead)
        CalibrationRun.objects.filter(pk=run.pk).update(status=CalibrationStatus.REFUSED)
        self.assertEqual(services.calibration_execute(run_id=run.pk).status, CalibrationStatus.REFUSED)

    def test_fillers_are_not_in_the_gold_texts(self):
        # the held-out gold labels are new sentences: the candidate must generalise the word, not recall a row
        gold_texts = set(GoldLabel.objects.values_list("message__text", flat=True))
        self.assertFalse(gold_texts & {f.format(w=w) for f in FILLERS for w in NONSENSE.values()})


class TrainWithExtraExamplesTests(TestCase):
    def test_extra_examples_are_recorded_in_the_provenance_and_absent_without_them(self):
        import json

        tmp = Path(tempfile.mkdtemp(prefix="eh-extra-"))
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        tiny_training_data(tmp / "data")
        d = tmp / "data"
        train(d / "train.tsv", d / "dev.tsv", d / "labels.txt", tmp / "plain", params=TINY_PARAMS)
        train(
            d / "train.tsv",
            d / "dev.tsv",
            d / "labels.txt",
            tmp / "extra",
            params=TINY_PARAMS,
            extra=[("a brand new zorblax sentence", ["anger"])],
        )
        plain = json.loads((tmp / "plain" / "meta.json").read_text())["training"]
        extra = json.loads((tmp / "extra" / "meta.json").read_text())["training"]
        self.assertNotIn("n_extra", plain)
        self.assertEqual(extra["n_extra"], 1)
        self.assertEqual(extra["n_train"], plain["n_train"] + 1)
        with self.assertRaises(ValueError):
            train(
                d / "train.tsv",
                d / "dev.tsv",
                d / "labels.txt",
                tmp / "bad",
                params=TINY_PARAMS,
                extra=[("x", ["rage"])],
            )
