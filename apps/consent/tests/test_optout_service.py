"""The opt-out itself: recorded at once, scores purged, messages reduced, held data kept, nothing scored later."""

from __future__ import annotations

from django.test import TestCase

from apps.consent import services
from apps.consent.choices import ALL_CHANNELS, ConsentStatus
from apps.consent.models import ConsentRecord
from apps.consent.tests.helpers import LEXICON, extra_version, ingest, item, sources_pair
from apps.retention.services import legal_hold_place
from apps.scoring.models import EmotionScore
from apps.scoring.services import messages_score
from apps.sources import services as sources
from apps.sources.models import Message
from tests.factories import AccountFactory, ContactFactory, UserFactory

EMAIL = "ann@customer.example"


@LEXICON
class OptOutConfirmTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.helpdesk, cls.reviews = sources_pair()
        cls.account = AccountFactory(name="Customer Ltd")
        cls.ann = ContactFactory(account=cls.account, name="Ann Example", email=EMAIL)
        cls.bob = ContactFactory(account=cls.account, name="Bob Other", email="bob@customer.example")

    def setUp(self):
        ingest(self, self.helpdesk, item("t-1", EMAIL), item("t-2", EMAIL), item("t-bob", "bob@customer.example"))
        ingest(self, self.reviews, item("r-1", EMAIL, "Lovely product, thank you!", rating=5, rating_max=5))
        self.ticket = Message.objects.get(external_id="t-1")
        extra_version(self.ticket)

    def test_it_opts_out_everywhere_deletes_every_score_version_and_tombstones_the_messages(self):
        self.assertEqual(EmotionScore.objects.filter(message__contact=self.ann).count(), 4)
        report = services.optout_confirm(email=EMAIL.upper(), channels=None, origin="portal")

        self.assertEqual(report.channels, [ALL_CHANNELS])
        self.assertEqual((report.contacts, report.messages_reduced, report.scores_deleted), (1, 3, 4))
        self.assertEqual(report.messages_held, 0)
        self.assertEqual(ConsentRecord.objects.get(contact=self.ann).status, ConsentStatus.OPTED_OUT)
        self.assertFalse(EmotionScore.objects.filter(message__contact=self.ann).exists())
        for message in Message.objects.filter(contact=self.ann):
            self.assertEqual(message.status, "tombstone")
            self.assertEqual(
                (message.text, message.author_handle, message.metadata, message.rating), ("", "", {}, None)
            )
        bob = Message.objects.get(external_id="t-bob")
        self.assertEqual(bob.status, "scored")
        self.assertTrue(bob.emotion_scores.exists())

    def test_an_opt_out_of_one_channel_leaves_the_others_analysed(self):
        report = services.optout_confirm(email=EMAIL, channels=["review"], origin="portal")
        self.assertEqual((report.messages_reduced, report.scores_deleted), (1, 1))
        self.assertEqual(Message.objects.get(external_id="r-1").status, "tombstone")
        self.assertEqual(Message.objects.get(external_id="t-2").status, "scored")
        ingest(self, self.helpdesk, item("t-3", EMAIL))
        ingest(self, self.reviews, item("r-2", EMAIL))
        self.assertEqual(Message.objects.get(external_id="t-3").status, "scored")
        self.assertEqual(Message.objects.get(external_id="r-2").status, "tombstone")

    def test_every_contact_known_by_the_email_is_opted_out_including_by_an_identity(self):
        from apps.crm.services import identity_add

        elsewhere = ContactFactory(name="Ann at her other job", email="ann@elsewhere.example")
        identity_add(contact=elsewhere, kind="email", value=EMAIL.replace("ann@", "ANN+x@"))
        identity_add(contact=ContactFactory(email="ann2@elsewhere.example"), kind="email", value="a@x.example")
        report = services.optout_confirm(email="ann+x@customer.example", channels=None, origin="portal")
        self.assertEqual(report.contacts, 1)
        self.assertTrue(ConsentRecord.objects.filter(contact=elsewhere, status="opted_out").exists())
        self.assertFalse(ConsentRecord.objects.filter(contact=self.ann).exists())

    def test_a_later_message_from_that_email_is_a_tombstone_and_never_scored(self):
        services.optout_confirm(email=EMAIL, channels=None, origin="portal")
        report = ingest(self, self.helpdesk, item("t-later", EMAIL, "Still broken. I am so angry."))
        self.assertEqual(report.results[0].message_status, "tombstone")
        later = Message.objects.get(external_id="t-later")
        self.assertEqual((later.status, later.text), ("tombstone", ""))
        self.assertFalse(later.emotion_scores.exists())

    def test_a_replayed_delivery_of_an_earlier_message_is_a_duplicate_and_not_scored_again(self):
        services.optout_confirm(email=EMAIL, channels=None, origin="portal")
        report = ingest(self, self.helpdesk, item("t-1", EMAIL))
        self.assertEqual((report.results[0].status, report.results[0].message_status), ("duplicate", "tombstone"))
        dead = sources.dead_letter_record(
            source=self.helpdesk, channel="api", reason="test", payload=item("t-2", EMAIL, "Text again")
        )
        with self.captureOnCommitCallbacks(execute=True):
            sources.dead_letter_replay(dead_letter=dead)
        messages_score(message_ids=Message.objects.filter(contact=self.ann).values_list("pk", flat=True))
        self.assertFalse(EmotionScore.objects.filter(message__contact=self.ann).exists())
        self.assertFalse(Message.objects.filter(contact=self.ann).exclude(text="").exists())

    def test_a_queued_message_is_never_scored_after_the_opt_out(self):
        with self.captureOnCommitCallbacks(execute=False):  # stored, its scoring still waiting in the queue
            sources.messages_ingest(source=self.helpdesk, items=[item("t-queued", EMAIL)], channel="api")
        queued = Message.objects.get(external_id="t-queued")
        self.assertEqual(queued.status, "received")
        report = services.optout_confirm(email=EMAIL, channels=None, origin="portal")
        self.assertEqual(report.messages_reduced, 4)
        self.assertEqual(messages_score(message_ids=[queued.pk])["scored"], 0)
        self.assertFalse(queued.emotion_scores.exists())

    def test_messages_under_a_legal_hold_are_kept_with_their_scores_and_reported(self):
        hold = legal_hold_place(reason="Case 42", placed_by=UserFactory(), source=self.reviews)
        report = services.optout_confirm(email=EMAIL, channels=None, origin="portal")
        self.assertEqual((report.messages_held, report.scores_held), (1, 1))
        self.assertEqual(report.holds, [{"id": hold.pk, "reason": "Case 42"}])
        self.assertEqual((report.messages_reduced, report.scores_deleted), (2, 3))
        review = Message.objects.get(external_id="r-1")
        self.assertEqual((review.status, review.text), ("scored", "Lovely product, thank you!"))
        self.assertIn("kept unchanged because of a legal hold", report.summary())

    def test_messages_stored_before_the_author_was_a_contact_are_reduced_too(self):
        ingest(self, self.helpdesk, item("t-anon", "new@customer.example"))
        self.assertIsNone(Message.objects.get(external_id="t-anon").contact_id)
        ContactFactory(account=self.account, email="new@customer.example")
        report = services.optout_confirm(email="new@customer.example", channels=None, origin="portal")
        self.assertEqual(report.messages_reduced, 1)
        self.assertEqual(Message.objects.get(external_id="t-anon").status, "tombstone")

    def test_an_unknown_channel_is_refused(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            services.optout_confirm(email=EMAIL, channels=["carrier-pigeon"], origin="portal")
        self.assertFalse(ConsentRecord.objects.exists())
