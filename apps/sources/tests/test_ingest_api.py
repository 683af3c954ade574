"""The ingestion API: batches with per-item results, idempotency, limits, consent, noise."""

import json

from django.test import override_settings

from apps.consent import services as consent_services
from apps.core.testing import APITestCase
from apps.crm.services import identity_add
from apps.scoring.models import EmotionScore
from apps.sources.models import DeadLetter, Message
from tests.factories import ContactFactory, SourceFactory

URL = "/api/v1/messages/"
LEXICON = override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})


def item(n, **extra):
    return {
        "external_id": f"t-{n}",
        "text": f"The export failed again, I'm furious ({n})",
        "author": {"email": "jo@owner.example"},
        **extra,
    }


@LEXICON
class IngestAPITest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.source = SourceFactory(slug="helpdesk", kind="ticketing", platform="zendesk")
        cls.contact = ContactFactory(account=cls.account, email="jo@owner.example")

    def setUp(self):
        self.grant(self.owner, Message, "add")
        self.api = self.client_for(self.owner)

    def post(self, body, client=None, **headers):
        with self.captureOnCommitCallbacks(execute=True):
            return (client or self.api).post(URL, body, format="json", **headers)

    def test_a_batch_is_stored_resolved_and_scored(self):
        response = self.post({"source": "helpdesk", "messages": [item(1), item(2)]})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["counts"], {"created": 2, "duplicate": 0, "rejected": 0})
        message = Message.objects.get(external_id="t-1")
        self.assertEqual((message.account, message.contact), (self.account, self.contact))
        self.assertEqual(message.journey_stage, self.account.journey_stage)
        self.assertEqual(EmotionScore.objects.get(message=message).dominant, "anger")

    def test_one_message_without_a_batch_wrapper(self):
        response = self.post({"source": "helpdesk", **item(7)})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["results"][0]["external_id"], "t-7")

    def test_a_malformed_batch_keeps_the_good_items_and_dead_letters_the_bad(self):
        batch = [
            item(1),
            {"text": "no id"},
            item(3, created_at="last tuesday"),
            item(4, text=["not", "a", "string"]),
            "not even an object",
        ]
        response = self.post({"source": "helpdesk", "messages": batch})
        self.assertEqual(response.status_code, 207)
        results = response.json()["results"]
        self.assertEqual([r["status"] for r in results], ["created", "rejected", "rejected", "rejected", "rejected"])
        self.assertIn("external_id", results[1]["errors"])
        self.assertIn("created_at", results[2]["errors"])
        self.assertIn("text", results[3]["errors"])
        dead = DeadLetter.objects.get(pk=results[2]["dead_letter_id"])
        self.assertEqual(dead.payload["created_at"], "last tuesday")
        self.assertEqual(DeadLetter.objects.count(), 4)
        self.assertEqual(Message.objects.count(), 1)

    def test_a_batch_where_nothing_is_valid_is_a_400(self):
        response = self.post({"source": "helpdesk", "messages": [{"text": "x"}]})
        self.assertEqual(response.status_code, 400)
        self.assertIn("No message was accepted", response.json()["detail"])

    def test_duplicates_are_stored_once(self):
        self.post({"source": "helpdesk", "messages": [item(1)]})
        response = self.post({"source": "helpdesk", "messages": [item(1), item(1)]})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["counts"]["duplicate"], 2)
        self.assertEqual(Message.objects.filter(external_id="t-1").count(), 1)

    def test_idempotency_key_replays_the_first_answer(self):
        body = {"source": "helpdesk", "messages": [item(1)]}
        first = self.post(body, HTTP_IDEMPOTENCY_KEY="abc-1")
        again = self.post(body, HTTP_IDEMPOTENCY_KEY="abc-1")
        self.assertEqual(again.status_code, first.status_code)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(again["Idempotent-Replayed"], "true")

    def test_idempotency_key_with_another_body_is_refused(self):
        self.post({"source": "helpdesk", "messages": [item(1)]}, HTTP_IDEMPOTENCY_KEY="abc-2")
        response = self.post({"source": "helpdesk", "messages": [item(2)]}, HTTP_IDEMPOTENCY_KEY="abc-2")
        self.assertEqual(response.status_code, 422)
        self.assertIn("different request body", response.json()["detail"])
        self.assertFalse(Message.objects.filter(external_id="t-2").exists())

    def test_non_json_is_a_415(self):
        response = self.api.post(URL, "source=helpdesk", content_type="application/x-www-form-urlencoded")
        self.assertEqual(response.status_code, 415)

    def test_malformed_json_is_a_400(self):
        response = self.api.post(URL, '{"source": "helpdesk", "messages": [', content_type="application/json")
        self.assertEqual(response.status_code, 400)

    @override_settings(INGEST_MAX_BODY_BYTES=2048)
    def test_an_oversized_body_is_a_413_before_anything_is_read(self):
        body = {"source": "helpdesk", "messages": [item(i) for i in range(40)]}
        response = self.post(body)
        self.assertEqual(response.status_code, 413)
        self.assertIn("at most 2,048", response.json()["detail"])
        self.assertFalse(Message.objects.exists())

    def test_more_than_a_thousand_items_is_a_400(self):
        response = self.post({"source": "helpdesk", "messages": [item(i) for i in range(1001)]})
        self.assertEqual(response.status_code, 400)
        self.assertIn("At most 1000", response.json()["detail"])

    def test_an_unknown_source_is_a_400_that_names_it(self):
        response = self.post({"source": "nope", "messages": [item(1)]})
        self.assertEqual(response.status_code, 400)
        self.assertIn("nope", response.json()["detail"])

    def test_ingesting_needs_the_add_permission(self):
        response = self.post({"source": "helpdesk", "messages": [item(1)]}, client=self.client_for(self.outsider))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Message.objects.exists())

    def test_an_opted_out_contact_leaves_only_a_tombstone_that_is_never_scored(self):
        consent_services.consent_opt_out(contact=self.contact, origin="admin")
        self.post({"source": "helpdesk", "messages": [item(1, subject="Refund", metadata={"tags": ["vip"]})]})
        message = Message.objects.get(external_id="t-1")
        self.assertEqual(message.status, "tombstone")
        self.assertEqual((message.text, message.subject, message.author_handle, message.metadata), ("", "", "", {}))
        self.assertFalse(EmotionScore.objects.filter(message=message).exists())

    def test_an_opt_out_of_another_channel_does_not_stop_analysis_here(self):
        consent_services.consent_opt_out(contact=self.contact, origin="admin", channel="social")
        self.post({"source": "helpdesk", "messages": [item(1)]})
        self.assertEqual(Message.objects.get(external_id="t-1").status, "scored")

    def test_a_source_that_requires_opt_in_analyses_only_opted_in_contacts(self):
        SourceFactory(slug="mailbox", kind="email", platform="email", requires_opt_in=True)
        other = ContactFactory(account=self.account, email="kim@owner.example")
        consent_services.consent_opt_in(contact=self.contact, origin="admin", channel="email")
        self.post({"source": "mailbox", "messages": [item(1), item(2, author={"email": "kim@owner.example"})]})
        self.assertEqual(Message.objects.get(external_id="t-1").status, "scored")
        unconsented = Message.objects.get(external_id="t-2")
        self.assertEqual((unconsented.status, unconsented.text, unconsented.contact), ("no_consent", "", other))

    def test_agents_private_notes_are_stored_but_never_scored(self):
        note = item(1, is_private=True, text="Customer is furious, handle with care")
        self.post({"source": "helpdesk", "messages": [note]})
        message = Message.objects.get(external_id="t-1")
        self.assertEqual((message.author_role, message.status, message.is_private), ("agent", "not_scored", True))
        self.assertFalse(EmotionScore.objects.filter(message=message).exists())

    def test_an_author_is_resolved_by_social_handle_and_by_email_domain(self):
        identity_add(contact=self.contact, kind="handle", value="@JoTweets", platform="x")
        self.account.domain = "owner.example"
        self.account.save()
        SourceFactory(slug="social", kind="social", platform="x", brand_terms=[])
        self.post(
            {
                "source": "social",
                "messages": [
                    {"external_id": "p1", "text": "love it", "author": {"handle": "jotweets"}},
                    {"external_id": "p2", "text": "hmm", "author": {"email": "new.person@owner.example"}},
                ],
            }
        )
        self.assertEqual(Message.objects.get(external_id="p1").contact, self.contact)
        by_domain = Message.objects.get(external_id="p2")
        self.assertEqual((by_domain.account, by_domain.contact), (self.account, None))

    def test_a_star_rating_is_kept_raw_and_normalised_beside_it(self):
        SourceFactory(slug="g2", kind="review", platform="g2")
        self.post({"source": "g2", "messages": [item(1, rating={"value": 1, "scale_max": 5})]})
        message = Message.objects.get(external_id="t-1")
        self.assertEqual((message.rating, message.rating_max, message.raw_signal), (1.0, 5.0, -0.6))
        self.assertIsNotNone(message.normalized_signal)

    def test_the_response_is_json_with_a_result_per_item_in_order(self):
        response = self.post({"source": "helpdesk", "messages": [item(3), item(1), item(2)]})
        self.assertEqual([r["external_id"] for r in response.json()["results"]], ["t-3", "t-1", "t-2"])
        self.assertEqual([r["index"] for r in response.json()["results"]], [0, 1, 2])
        json.dumps(response.json())

    def test_nul_bytes_are_stripped_so_binary_junk_never_breaks_storage(self):
        junk = item(1, text="\x00\x00\x01\x02\x03\x04" * 30, metadata={"k\x00": "v\x00"})
        bad = {"external_id": "t-2\x00", "text": 5, "metadata": {"x": "\x00"}}
        response = self.post({"source": "helpdesk", "messages": [junk, bad]})
        self.assertEqual(response.status_code, 207, response.content)
        message = Message.objects.get(external_id="t-1")
        self.assertNotIn("\x00", message.text)
        self.assertEqual(message.metadata, {"k": "v"})
        self.assertEqual(message.status, "unscorable")
        dead = DeadLetter.objects.get()
        self.assertEqual(dead.payload["external_id"], "t-2")

    def test_platform_baselines_put_a_star_rating_and_a_posts_valence_on_one_scale(self):
        from apps.sources.models import PlatformBaseline
        from apps.sources.services import _baseline_cache, platform_baselines_recompute

        g2 = SourceFactory(slug="g2b", kind="review", platform="g2")
        x = SourceFactory(slug="xb", kind="social", platform="x", brand_terms=[])
        reviews = [
            item(i, rating={"value": 4 + i % 2, "scale_max": 5}, text=f"solid tool, review {i}") for i in range(30)
        ]
        posts = [
            item(100 + i, text=f"I hate this, awful ({i})" if i % 2 else f"meh {i}", author={"handle": f"h{i}"})
            for i in range(30)
        ]
        self.post({"source": "g2b", "messages": reviews})
        self.post({"source": "xb", "messages": posts})
        self.assertEqual(platform_baselines_recompute(), 2)
        g2_base, x_base = PlatformBaseline.objects.get(platform="g2"), PlatformBaseline.objects.get(platform="x")
        self.assertGreater(g2_base.mean, x_base.mean)  # reviews here are kinder than posts
        _baseline_cache["at"] = 0.0
        self.post({"source": "g2b", "messages": [item(500, rating={"value": 3, "scale_max": 5})]})
        three_stars = Message.objects.get(source=g2, external_id="t-500")
        self.assertEqual(three_stars.raw_signal, 0.2)
        self.assertLess(three_stars.normalized_signal, 0)  # below what G2 reviewers usually give
        self.assertIsNotNone(x)
