"""Noise and influencers, on realistic social-listening fixtures."""

import json
from pathlib import Path

from django.test import TestCase, override_settings
from django.utils import timezone

from apps.scoring.models import EmotionScore
from apps.sources import adapters, services
from apps.sources.models import Message, NoisePolicy
from tests.factories import SourceFactory

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "ingestion"
LEXICON = override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})


def mentions(name: str, *, fresh: bool = True) -> list[dict]:
    items = adapters.adapt("social", json.loads((FIXTURES / name).read_text()))
    if fresh:  # re-date to now, so rate and swarm windows see them as current
        for item in items:
            item["created_at"] = timezone.now().isoformat()
            item.pop("expires_at", None)
    return items


@LEXICON
class NoiseTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.source = SourceFactory(
            slug="listening", kind="social", platform="x", adapter="social", brand_terms=["quillstack"]
        )

    def ingest(self, items):
        with self.captureOnCommitCallbacks(execute=True):
            return services.messages_ingest(source=self.source, items=items, channel="webhook")

    def test_a_bot_swarm_of_identical_posts_is_flagged_kept_and_left_unscored(self):
        swarm = mentions("social_bot_swarm.json")
        self.ingest(swarm[:3])  # the first few arrive before the swarm is recognisable
        self.ingest(swarm[3:])
        stored = Message.objects.filter(source=self.source)
        self.assertEqual(stored.count(), len(swarm))
        self.assertEqual(set(stored.values_list("status", flat=True)), {"noise"})
        reasons = set(stored.values_list("noise_reason", flat=True))
        self.assertTrue(all(r.startswith(("swarm", "spam")) for r in reasons), reasons)
        self.assertFalse(
            EmotionScore.objects.filter(message__in=stored, is_current=True, message__status="scored").exists()
        )

    def test_real_mentions_are_scored_and_influencers_are_tagged(self):
        self.ingest(mentions("social_mentions.json"))
        big = Message.objects.get(author_reach=184200)
        self.assertTrue(big.is_influencer)
        self.assertEqual(big.status, "scored")
        self.assertFalse(Message.objects.filter(author_reach__lt=10000, is_influencer=True).exists())

    def test_a_spam_post_with_a_bot_account_and_links_is_noise_with_its_reason(self):
        self.ingest(mentions("social_mentions.json"))
        spam = Message.objects.get(text__contains="90% OFF")
        self.assertEqual(spam.status, "noise")
        self.assertTrue(spam.noise_reason)

    def test_a_mention_without_a_brand_term_is_irrelevant(self):
        self.ingest([{"external_id": "m1", "text": "Lovely weather today", "author": {"handle": "someone"}}])
        message = Message.objects.get(external_id="m1")
        self.assertEqual((message.status, message.noise_reason), ("noise", "irrelevant: names none of the brand terms"))

    def test_an_author_posting_too_fast_is_bot_like(self):
        NoisePolicy.objects.create(max_posts_per_author_per_hour=3)
        items = [
            {"external_id": f"f{i}", "text": f"quillstack update number {i} is out", "author": {"handle": "fast"}}
            for i in range(5)
        ]
        self.ingest(items)
        self.assertEqual(Message.objects.filter(status="noise", noise_reason__startswith="bot:").count(), 5)

    def test_the_influencer_threshold_is_tunable_in_admin(self):
        NoisePolicy.objects.create(influencer_min_followers=1000)
        self.ingest(
            [{"external_id": "i1", "text": "quillstack is great", "author": {"handle": "mid", "followers": 2210}}]
        )
        self.assertTrue(Message.objects.get(external_id="i1").is_influencer)

    def test_a_disabled_policy_flags_nothing(self):
        NoisePolicy.objects.create(is_active=False)
        self.ingest([{"external_id": "x1", "text": "Lovely weather today", "author": {"handle": "someone"}}])
        self.assertEqual(Message.objects.get(external_id="x1").status, "scored")

    def test_ephemeral_stories_keep_their_expiry(self):
        self.ingest(mentions("social_mentions.json", fresh=False))
        story = (
            Message.objects.filter(metadata__type="story").first()
            or Message.objects.filter(expires_at__isnull=False).first()
        )
        self.assertIsNotNone(story)
        self.assertIsNotNone(story.expires_at)
