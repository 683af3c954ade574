"""The validation API: permissions (anonymous, outsider, member, owner), purpose binding, audit, bad input."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import APITestCase, APIViewTestCases, purposes_switched_on
from apps.scoring.models import ScoringModel
from apps.validation import services
from apps.validation.models import Annotation, CalibrationRun, EvaluationRun, GoldLabel
from apps.validation.tests.factories import scored_message
from tests.factories import UserFactory


class GoldLabelAPITests(APIViewTestCases.GetObject, APIViewTestCases.ListObjects):
    model = GoldLabel
    basename = "goldlabel"

    def make_object(self):
        message = scored_message(self.account)
        return GoldLabel.objects.create(message=message, labels=["joy"], source="unanimous", decided_at=timezone.now())

    def test_a_read_without_a_purpose_is_refused(self):
        self.make_object()
        response = self.client_for(self.owner, purpose=None).get(self.list_url())
        self.assertEqual(response.status_code, 403)
        self.assertIn("purpose", response.json()["detail"].lower())


class BatchAndAnnotationAPITests(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        purposes_switched_on("quality_assurance")
        cls.ann = UserFactory(username="ann")
        cls.ann.groups.add(Group.objects.get(name="Annotator"))
        scored_message(cls.account)
        cls.batch = services.batch_create(name="API batch", strategy="random", size=3)

    def test_annotators_read_batches_and_an_outsider_sees_none(self):
        url = reverse("v1:annotationbatch-list")
        self.assertEqual(self.client_for(None).get(url).status_code, 401)
        self.assertEqual(self.client_for(self.outsider).get(url).json()["count"], 0)
        self.assertEqual(
            self.client_for(self.outsider).get(reverse("v1:annotationbatch-detail", args=[self.batch.pk])).status_code,
            404,
        )
        row = self.client_for(self.ann).get(url).json()["results"][0]
        self.assertEqual((row["name"], row["n_items"], row["annotators_required"]), ("API batch", 1, 2))

    def test_an_annotator_posts_labels_which_are_audited(self):
        item = self.batch.items.get()
        url = reverse("v1:annotation-list")
        response = self.client_for(self.ann).post(url, {"item": item.pk, "labels": ["fear", "surprise"]}, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        annotation = Annotation.objects.get()
        self.assertEqual(annotation.labels, ["fear", "surprise"])
        entry = LogEntry.objects.get_for_object(annotation).get(action=LogEntry.Action.CREATE)
        self.assertEqual(entry.actor, self.ann)
        self.assertEqual(self.client_for(self.ann).get(url).json()["count"], 1)
        self.assertEqual(self.client_for(self.outsider).get(url).json()["count"], 0)

    def test_bad_labels_are_refused_with_a_reason_and_an_outsider_may_not_annotate(self):
        item = self.batch.items.get()
        url = reverse("v1:annotation-list")
        response = self.client_for(self.ann).post(url, {"item": item.pk, "labels": ["rage"]}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("rage", str(response.json()))
        response = self.client_for(self.outsider).post(url, {"item": item.pk, "labels": ["joy"]}, format="json")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Annotation.objects.exists())


class EvaluationAndCalibrationAPITests(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lead = UserFactory(username="lead")
        cls.lead.groups.add(Group.objects.get(name="CX Analyst"))
        message = scored_message(cls.account, text="I am delighted, thank you so much!")
        GoldLabel.objects.create(message=message, labels=["joy"], source="adjudicated", decided_at=timezone.now())
        cls.model = ScoringModel.objects.create(name="lexicon", engine="lexicon")

    def test_the_lead_runs_an_evaluation_and_the_outsider_cannot(self):
        url = reverse("v1:evaluationrun-list")
        self.assertEqual(
            self.client_for(self.outsider).post(url, {"scoring_model": self.model.pk}, format="json").status_code, 403
        )
        response = self.client_for(self.lead).post(url, {"scoring_model": self.model.pk}, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["n_items"], 1)
        self.assertIn("macro_f1", body["metrics"])
        run = EvaluationRun.objects.get()
        self.assertEqual(
            self.client_for(self.outsider).get(reverse("v1:evaluationrun-detail", args=[run.pk])).status_code, 404
        )
        self.assertEqual(self.client_for(self.lead).get(url).json()["count"], 1)

    def test_starting_a_calibration_answers_202_and_a_second_is_refused(self):
        from unittest import mock

        url = reverse("v1:calibrationrun-list")
        self.assertEqual(self.client_for(self.outsider).post(url, {}, format="json").status_code, 403)
        with mock.patch("apps.core.tasks.async_task") as queued, self.captureOnCommitCallbacks(execute=True):
            response = self.client_for(self.lead).post(url, {"tolerance": 0.01}, format="json")
        self.assertEqual(response.status_code, 202, response.content)
        self.assertEqual(response.json()["status"], "queued")
        self.assertEqual(queued.call_args.args[1], "apps.validation.tasks.calibrate")
        response = self.client_for(self.lead).post(url, {}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("already", str(response.json()))
        self.assertEqual(CalibrationRun.objects.count(), 1)
        self.assertEqual(self.client_for(self.outsider).get(url).json()["count"], 0)

    def test_a_negative_tolerance_is_refused(self):
        response = self.client_for(self.lead).post(reverse("v1:calibrationrun-list"), {"tolerance": -1}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(CalibrationRun.objects.exists())


class SchemaTests(APITestCase):
    def test_the_openapi_schema_documents_the_validation_endpoints(self):
        response = self.client.get(reverse("schema"), {"format": "json"})
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        for path in (
            "annotation-batches",
            "annotations",
            "gold-labels",
            "emotion-feedback",
            "evaluation-runs",
            "calibration-runs",
        ):
            self.assertIn(f"/api/v1/{path}/", paths)
