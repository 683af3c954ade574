"""The validation pages: annotate (purpose-bound, no anchoring, escaped), adjudicate, report, permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import ActorsTestCase, purposes_switched_on
from apps.governance.models import DataAccessLog, Purpose
from apps.validation import services
from apps.validation.choices import GoldSource, ItemStatus
from apps.validation.models import Annotation, AnnotationItem, EvaluationRun, GoldLabel
from apps.validation.tests.factories import scored_message
from tests.factories import UserFactory


class PageTestCase(ActorsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        purposes_switched_on("quality_assurance")
        annotators = Group.objects.get(name="Annotator")
        cls.ann = UserFactory(username="ann")
        cls.bob = UserFactory(username="bob")
        for user in (cls.ann, cls.bob):
            user.groups.add(annotators)
        cls.lead = UserFactory(username="lead")
        cls.lead.groups.add(Group.objects.get(name="CX Analyst"))
        cls.message = scored_message(
            cls.account, dominant="surprise", text="<script>alert(1)</script> Where is my refund?"
        )
        cls.batch = services.batch_create(name="Week 48", strategy="random", size=5, seed=1)


class AnnotatePageTests(PageTestCase):
    def test_an_annotator_sees_the_escaped_text_without_the_models_answer_and_it_is_logged(self):
        self.client.force_login(self.ann)
        response = self.client.get(reverse("validation:annotate"))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Where is my refund?", html)
        self.assertNotIn("<script>alert(1)", html)
        self.assertNotIn("test-v1", html)  # the model version and prediction are never shown
        self.assertNotIn("0.80", html)
        self.assertIn("would anchor your judgement", html)
        self.assertIn("validation-annotate.js", html)
        log = DataAccessLog.objects.filter(resource="page:validation-annotate").latest("id")
        self.assertEqual(
            (log.purpose, log.outcome, log.account_ids), ("quality_assurance", "allowed", [self.account.pk])
        )

    def test_labels_are_stored_with_the_main_one_first_and_the_next_item_served(self):
        self.client.force_login(self.ann)
        item = AnnotationItem.objects.get()
        response = self.client.post(
            reverse("validation:annotate"),
            {
                "item": item.pk,
                "action": "label",
                "labels": ["anger", "surprise"],
                "primary": "surprise",
                "duration_ms": "4200",
            },
        )
        self.assertRedirects(response, reverse("validation:annotate"), fetch_redirect_response=False)
        annotation = Annotation.objects.get()
        self.assertEqual((annotation.labels, annotation.duration_ms), (["surprise", "anger"], 4200))
        self.assertContains(self.client.get(reverse("validation:annotate")), "Nothing left to label")

    def test_a_skip_needs_a_reason_and_neutral_stands_alone(self):
        self.client.force_login(self.ann)
        item = AnnotationItem.objects.get()
        url = reverse("validation:annotate")
        response = self.client.post(url, {"item": item.pk, "action": "label", "labels": ["neutral", "joy"]})
        self.assertContains(response, "cannot be combined", status_code=400)
        response = self.client.post(url, {"item": item.pk, "action": "skip"})
        self.assertContains(response, "Say why you skip", status_code=400)
        self.assertFalse(Annotation.objects.exists())
        self.client.post(url, {"item": item.pk, "action": "skip", "skip_reason": "not_english"})
        self.assertTrue(Annotation.objects.get().skipped)

    def test_undo_serves_the_item_again(self):
        self.client.force_login(self.ann)
        item = AnnotationItem.objects.get()
        self.client.post(reverse("validation:annotate"), {"item": item.pk, "action": "label", "labels": ["joy"]})
        self.client.post(reverse("validation:annotate-undo"))
        self.assertFalse(Annotation.objects.exists())
        self.assertContains(self.client.get(reverse("validation:annotate")), "Where is my refund?")

    def test_without_the_annotator_role_the_page_is_refused_and_shows_nothing(self):
        self.client.force_login(self.outsider)
        response = self.client.get(reverse("validation:annotate"))
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(b"Where is my refund?", response.content)
        self.assertFalse(DataAccessLog.objects.filter(user=self.outsider, outcome="allowed").exists())

    def test_a_role_not_allowed_the_purpose_is_refused_and_logged(self):
        Purpose.objects.get(key="quality_assurance").allowed_roles.remove(Group.objects.get(name="Annotator"))
        self.client.force_login(self.ann)
        self.assertEqual(self.client.get(reverse("validation:annotate")).status_code, 403)
        self.assertTrue(
            DataAccessLog.objects.filter(user=self.ann, outcome="refused", purpose="quality_assurance").exists()
        )

    def test_a_switched_off_purpose_refuses_the_page(self):
        Purpose.objects.filter(key="quality_assurance").update(is_active=False)
        self.client.force_login(self.ann)
        response = self.client.get(reverse("validation:annotate"))
        self.assertEqual(response.status_code, 403)


class ReportAndAdjudicationTests(PageTestCase):
    def label_both(self, ann_labels, bob_labels):
        item = AnnotationItem.objects.get()
        for user, labels in ((self.ann, ann_labels), (self.bob, bob_labels)):
            services.annotation_submit(item=services.item_claim(user=user), user=user, labels=labels)
        item.refresh_from_db()
        return item

    def test_the_adjudicator_sees_both_answers_and_decides_the_gold_label(self):
        item = self.label_both(["anger"], ["sadness", "anger"])
        self.assertEqual(item.status, ItemStatus.ADJUDICATION)
        self.client.force_login(self.lead)
        html = self.client.get(reverse("validation:adjudicate")).content.decode()
        self.assertIn('data-annotator="ann"', html)
        self.assertIn("sadness, anger", html)
        response = self.client.post(
            reverse("validation:adjudicate-item", args=[item.pk]),
            {"action": "decide", "labels": ["anger", "sadness"], "primary": "sadness"},
        )
        self.assertRedirects(response, reverse("validation:adjudicate"), fetch_redirect_response=False)
        gold = GoldLabel.objects.get()
        self.assertEqual(
            (gold.labels, gold.source, gold.decided_by), (["sadness", "anger"], GoldSource.ADJUDICATED, self.lead)
        )

    def test_an_annotator_or_outsider_cannot_adjudicate(self):
        item = self.label_both(["anger"], ["joy"])
        for user in (self.ann, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("validation:adjudicate")).status_code, 403)
            response = self.client.post(reverse("validation:adjudicate-item", args=[item.pk]), {"labels": ["joy"]})
            self.assertEqual(response.status_code, 404)
        self.assertFalse(GoldLabel.objects.exists())

    def test_the_report_shows_the_pairs_kappa_and_an_outsider_gets_404(self):
        self.label_both(["anger"], ["anger"])
        self.client.force_login(self.lead)
        response = self.client.get(reverse("validation:batch", args=[self.batch.pk]))
        self.assertContains(response, "κ ann × bob")
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("validation:batch", args=[self.batch.pk])).status_code, 404)

    def test_the_lead_draws_a_batch_from_the_page(self):
        scored_message(self.account, text="Fine, thanks.")
        self.client.force_login(self.lead)
        response = self.client.post(
            reverse("validation:index"),
            {"name": "More", "strategy": "random", "size": 3, "annotators_required": 2, "seed": 4},
        )
        self.assertEqual(response.status_code, 302)
        self.client.force_login(self.ann)  # annotators see batches but may not draw them
        response = self.client.post(
            reverse("validation:index"), {"name": "Mine", "strategy": "random", "size": 3, "seed": 1}
        )
        self.assertEqual(response.status_code, 403)


class EvaluationPageTests(PageTestCase):
    def test_the_lead_runs_an_evaluation_and_reads_its_confusion_matrix(self):
        from apps.scoring.models import ScoringModel

        GoldLabel.objects.create(
            message=self.message, labels=["anger"], source="adjudicated", decided_at=timezone.now()
        )
        model = ScoringModel.objects.create(name="lexicon", engine="lexicon")
        self.client.force_login(self.lead)
        response = self.client.post(reverse("validation:evaluations"), {"scoring_model": model.pk})
        run = EvaluationRun.objects.get()
        self.assertRedirects(response, reverse("validation:evaluation", args=[run.pk]), fetch_redirect_response=False)
        detail = self.client.get(reverse("validation:evaluation", args=[run.pk]))
        self.assertContains(detail, 'id="confusion"')
        self.assertContains(detail, f"{run.macro_f1:.3f}")
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("validation:evaluation", args=[run.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("validation:evaluations")).status_code, 403)

    def test_evaluating_without_gold_labels_says_so(self):
        self.client.force_login(self.lead)
        response = self.client.post(reverse("validation:evaluations"), {}, follow=True)
        self.assertContains(response, "no gold labels")

    def test_the_calibration_page_lists_versions_and_refuses_a_rollback_without_permission(self):
        from apps.scoring.models import ScoringModel

        model = ScoringModel.objects.create(name="lexicon", engine="lexicon")
        self.client.force_login(self.lead)
        self.assertContains(self.client.get(reverse("validation:calibration")), "Roll back")
        response = self.client.post(
            reverse("validation:rollback"), {"scoring_model": model.pk, "note": "back to lexicon"}
        )
        self.assertEqual(response.status_code, 302)
        model.refresh_from_db()
        self.assertTrue(model.is_active)
        self.client.force_login(self.ann)
        self.assertEqual(
            self.client.post(reverse("validation:rollback"), {"scoring_model": model.pk, "note": "x"}).status_code, 403
        )
