"""Sampling strategies and the annotation queue: what may be drawn, serving, claiming, settling, undo."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone

from apps.scoring.models import EmotionScore
from apps.validation import services
from apps.validation.choices import FeedbackStatus, GoldSource, ItemStatus, Strategy
from apps.validation.models import AnnotationBatch, AnnotationItem, EmotionFeedback, GoldLabel
from apps.validation.tests.factories import scored_message
from tests.factories import AccountFactory, SourceFactory, UserFactory


def draw(strategy=Strategy.RANDOM, size=5, seed=0, **kw) -> AnnotationBatch:
    return services.batch_create(name=f"{strategy} {seed}", strategy=strategy, size=size, seed=seed, **kw)


def ids(batch) -> list[int]:
    return list(batch.items.order_by("position").values_list("message_id", flat=True))


class SamplingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.account = AccountFactory()

    def test_it_draws_only_customers_scored_current_unexpired_messages(self):
        good = scored_message(self.account)
        scored_message(self.account, author_role="agent")
        scored_message(self.account, status="tombstone")
        scored_message(self.account, status="noise")
        scored_message(self.account, expires_at=timezone.now() - dt.timedelta(minutes=1))
        stale = scored_message(self.account)
        EmotionScore.objects.filter(message=stale).update(is_current=False)
        batch = draw(size=10)
        self.assertEqual(ids(batch), [good.pk])

    def test_the_same_seed_draws_the_same_sample_and_another_seed_another(self):
        for _ in range(30):
            scored_message(self.account)
        first = ids(draw(seed=7))
        AnnotationBatch.objects.all().delete()
        self.assertEqual(ids(draw(seed=7)), first)
        AnnotationBatch.objects.all().delete()
        self.assertNotEqual(ids(draw(seed=8)), first)

    def test_a_message_waiting_in_a_batch_or_with_a_gold_label_is_not_drawn_again(self):
        waiting, gold, free = (scored_message(self.account) for _ in range(3))
        batch = draw(size=1, seed=0)
        AnnotationItem.objects.filter(batch=batch).update(message=waiting)
        GoldLabel.objects.create(message=gold, labels=["joy"], source="adjudicated", decided_at=timezone.now())
        self.assertEqual(ids(draw(size=5, seed=1)), [free.pk])

    def test_stratified_takes_every_predicted_emotion_in_equal_shares(self):
        for _ in range(10):
            scored_message(self.account, dominant="anger")
        for _ in range(2):
            scored_message(self.account, dominant="joy")
        scored_message(self.account, dominant="fear")
        batch = draw(Strategy.STRATIFIED, size=6)
        predicted = sorted(batch.items.values_list("predicted", flat=True))
        self.assertEqual(predicted, ["anger", "anger", "anger", "fear", "joy", "joy"])

    def test_low_confidence_takes_the_least_confident_first(self):
        low = scored_message(self.account, confidence=0.2)
        lower = scored_message(self.account, confidence=0.1)
        scored_message(self.account, confidence=0.9)
        self.assertEqual(ids(draw(Strategy.LOW_CONFIDENCE, size=2)), [lower.pk, low.pk])

    def test_by_platform_takes_only_that_platform(self):
        x = SourceFactory(slug="x-social", kind="social", platform="x")
        tweet = scored_message(self.account, source=x)
        scored_message(self.account)  # zendesk
        self.assertEqual(ids(draw(Strategy.PLATFORM, size=5, platform="x")), [tweet.pk])
        with self.assertRaises(ValidationError):
            draw(Strategy.PLATFORM, size=5, seed=3)  # no platform named

    def test_feedback_takes_flagged_messages_and_marks_the_feedback_queued(self):
        flagged = scored_message(self.account)
        scored_message(self.account)
        feedback = EmotionFeedback.objects.create(message=flagged, correct_labels=["anger"], predicted="neutral")
        self.assertEqual(ids(draw(Strategy.FEEDBACK, size=5)), [flagged.pk])
        feedback.refresh_from_db()
        self.assertEqual(feedback.status, FeedbackStatus.QUEUED)

    def test_nothing_to_draw_is_refused_and_creates_no_batch(self):
        with self.assertRaises(ValidationError):
            draw()
        self.assertFalse(AnnotationBatch.objects.exists())


class QueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.account = AccountFactory()
        cls.ann, cls.bob, cls.cid = (UserFactory(username=n) for n in ("ann", "bob", "cid"))

    def setUp(self):
        self.messages = [scored_message(self.account) for _ in range(2)]

    def test_two_annotators_get_the_same_item_and_a_third_is_not_served_it(self):
        draw(size=1, annotators_required=2)
        first = services.item_claim(user=self.ann)
        second = services.item_claim(user=self.bob)
        self.assertEqual(first.pk, second.pk)
        self.assertIsNone(services.item_claim(user=self.cid))  # both slots are claimed

    def test_with_one_annotator_per_item_a_claimed_item_goes_to_nobody_else(self):
        draw(size=2, annotators_required=1)
        a = services.item_claim(user=self.ann)
        b = services.item_claim(user=self.bob)
        self.assertNotEqual(a.pk, b.pk)
        self.assertEqual(services.item_claim(user=self.ann).pk, a.pk)  # reloading serves the same one

    def test_an_expired_claim_frees_the_slot(self):
        draw(size=1, annotators_required=1)
        item = services.item_claim(user=self.ann)
        later = timezone.now() + dt.timedelta(minutes=services.CLAIM_MINUTES + 1)
        self.assertEqual(services.item_claim(user=self.bob, now=later).pk, item.pk)

    def test_posting_to_a_full_item_without_a_claim_is_refused(self):
        draw(size=1, annotators_required=1)
        item = services.item_claim(user=self.ann)
        with self.assertRaises(ValidationError):
            services.annotation_submit(item=item, user=self.bob, labels=["joy"])
        self.assertFalse(item.annotations.exists())

    def test_unanimous_answers_become_gold_and_a_disagreement_goes_to_adjudication(self):
        draw(size=2, annotators_required=2)
        for user, answers in (
            (self.ann, (["anger", "disgust"], ["joy"])),
            (self.bob, (["anger", "disgust"], ["sadness"])),
        ):
            for labels in answers:
                item = services.item_claim(user=user)
                services.annotation_submit(item=item, user=user, labels=labels)
        first, second = AnnotationItem.objects.order_by("position")
        self.assertEqual(first.status, ItemStatus.GOLD)
        gold = GoldLabel.objects.get(message=first.message)
        self.assertEqual(
            (gold.labels, gold.source, gold.decided_by), (["anger", "disgust"], GoldSource.UNANIMOUS, None)
        )
        self.assertEqual(second.status, ItemStatus.ADJUDICATION)
        self.assertIsNone(services.item_claim(user=self.ann))

    def test_an_annotator_is_never_served_an_item_twice(self):
        draw(size=1, annotators_required=2)
        item = services.item_claim(user=self.ann)
        services.annotation_submit(item=item, user=self.ann, labels=["joy"])
        self.assertIsNone(services.item_claim(user=self.ann))
        with self.assertRaises(ValidationError):
            services.annotation_submit(item=item, user=self.ann, labels=["joy"])

    def test_labels_are_checked_and_a_skip_needs_a_reason(self):
        draw(size=1, annotators_required=2)
        item = services.item_claim(user=self.ann)
        for bad in ([], ["rage"], ["neutral", "joy"]):
            with self.assertRaises(ValidationError):
                services.annotation_submit(item=item, user=self.ann, labels=bad)
        with self.assertRaises(ValidationError):
            services.annotation_submit(item=item, user=self.ann, skipped=True)
        with self.assertRaises(ValidationError):
            services.annotation_submit(item=item, user=self.ann, skipped=True, skip_reason="other")
        self.assertFalse(item.annotations.exists())
        done = services.annotation_submit(item=item, user=self.ann, skipped=True, skip_reason="not_english")
        self.assertEqual(done.labels, [])

    def test_all_skipped_discards_the_item_and_one_skip_sends_it_to_adjudication(self):
        draw(size=2, annotators_required=2)
        for user in (self.ann, self.bob):
            services.annotation_submit(
                item=services.item_claim(user=user), user=user, skipped=True, skip_reason="unclear"
            )
        services.annotation_submit(item=services.item_claim(user=self.ann), user=self.ann, labels=["joy"])
        services.annotation_submit(
            item=services.item_claim(user=self.bob), user=self.bob, skipped=True, skip_reason="offensive"
        )
        statuses = list(AnnotationItem.objects.order_by("position").values_list("status", flat=True))
        self.assertEqual(statuses, [ItemStatus.DISCARDED, ItemStatus.ADJUDICATION])

    def test_undo_takes_back_the_last_answer_and_serves_the_item_again(self):
        draw(size=1, annotators_required=2)
        item = services.item_claim(user=self.ann)
        services.annotation_submit(item=item, user=self.ann, labels=["joy"])
        services.item_claim(user=self.bob)
        services.annotation_submit(item=item, user=self.bob, labels=["joy"])
        self.assertTrue(GoldLabel.objects.exists())
        services.annotation_undo(user=self.bob)
        self.assertFalse(GoldLabel.objects.exists())
        self.assertEqual(services.item_claim(user=self.bob).pk, item.pk)
        item.refresh_from_db()
        self.assertEqual(item.status, ItemStatus.OPEN)

    def test_undo_is_refused_once_an_adjudicator_decided(self):
        from apps.core.testing import ActorsTestCase

        draw(size=1, annotators_required=2)
        for user, labels in ((self.ann, ["joy"]), (self.bob, ["anger"])):
            services.annotation_submit(item=services.item_claim(user=user), user=user, labels=labels)
        lead = UserFactory(username="lead")
        ActorsTestCase.grant_perm(lead, "validation.adjudicate_goldlabel")
        services.gold_decide(item=AnnotationItem.objects.get(), labels=["anger"], user=lead)
        with self.assertRaises(ValidationError):
            services.annotation_undo(user=self.bob)
