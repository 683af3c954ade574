"""Signed webhooks: signed, tampered, stale, replayed, rotated; duplicate deliveries stored once."""

import hashlib
import hmac
import json
import time

from django.core.cache import cache
from django.test import TestCase, override_settings

from apps.core.models import SecurityEvent
from apps.sources import services
from apps.sources.models import DeadLetter, Message
from tests.factories import SourceFactory

LEXICON = override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"HTTP_X_EMOTIONHUB_TIMESTAMP": ts, "HTTP_X_EMOTIONHUB_SIGNATURE": f"v1={digest}"}


@LEXICON
class WebhookTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.source = SourceFactory(slug="hooks", kind="ticketing", platform="zendesk", adapter="generic")
        cls.secret = services.source_rotate_secret(source=cls.source)

    def setUp(self):
        cache.clear()

    def deliver(self, body: bytes, headers: dict, slug: str = "hooks"):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(f"/api/v1/webhooks/{slug}/", body, content_type="application/json", **headers)

    def body(self, n: int = 1) -> bytes:
        return json.dumps({"messages": [{"external_id": f"w-{n}", "text": "Thanks, brilliant support!"}]}).encode()

    def test_a_signed_delivery_is_accepted_and_scored(self):
        response = self.deliver(self.body(), sign(self.secret, self.body()))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Message.objects.get(external_id="w-1").status, "scored")

    def test_a_tampered_body_is_refused_and_logged(self):
        headers = sign(self.secret, self.body())
        tampered = self.body().replace(b"brilliant", b"terrible!")
        response = self.deliver(tampered, headers)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(Message.objects.exists())
        self.assertTrue(SecurityEvent.objects.filter(kind="webhook_bad_signature", subject="hooks").exists())

    def test_a_stale_timestamp_is_refused_even_with_a_valid_signature(self):
        old = int(time.time()) - 301
        response = self.deliver(self.body(), sign(self.secret, self.body(), old))
        self.assertEqual(response.status_code, 401)
        self.assertIn("300 s", response.json()["detail"])
        self.assertTrue(SecurityEvent.objects.filter(kind="webhook_stale_timestamp").exists())

    def test_a_missing_signature_is_refused(self):
        response = self.deliver(self.body(), {})
        self.assertEqual(response.status_code, 401)
        self.assertTrue(SecurityEvent.objects.filter(kind="webhook_missing_signature").exists())

    def test_a_replayed_delivery_is_stored_once(self):
        headers = sign(self.secret, self.body())
        self.deliver(self.body(), headers)
        again = self.deliver(self.body(), headers)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json()["counts"]["duplicate"], 1)
        self.assertEqual(Message.objects.filter(external_id="w-1").count(), 1)
        self.assertTrue(SecurityEvent.objects.filter(kind="webhook_replayed_delivery").exists())

    def test_during_rotation_both_secrets_work_and_afterwards_only_the_new_one(self):
        old_secret = self.secret
        new_secret = services.source_rotate_secret(source=self.source, grace_hours=1)
        self.assertEqual(self.deliver(self.body(1), sign(old_secret, self.body(1))).status_code, 201)
        self.assertEqual(self.deliver(self.body(2), sign(new_secret, self.body(2))).status_code, 201)
        self.source.previous_secret_valid_until = self.source.previous_secret_valid_until.replace(year=2000)
        self.source.save()
        self.assertEqual(self.deliver(self.body(3), sign(old_secret, self.body(3))).status_code, 401)

    def test_a_signed_body_that_is_not_json_is_kept_as_a_dead_letter(self):
        body = b"{definitely not json"
        response = self.deliver(body, sign(self.secret, body))
        self.assertEqual(response.status_code, 400)
        dead = DeadLetter.objects.get(pk=response.json()["dead_letter_id"])
        self.assertEqual(dead.raw_body, "{definitely not json")

    def test_an_unknown_source_is_a_404(self):
        self.assertEqual(self.deliver(self.body(), sign(self.secret, self.body()), slug="nope").status_code, 404)

    def test_a_source_without_a_secret_refuses_webhooks(self):
        SourceFactory(slug="nosecret")
        response = self.deliver(self.body(), sign("whatever", self.body()), slug="nosecret")
        self.assertEqual(response.status_code, 403)

    def test_an_inactive_source_refuses_its_items_into_dead_letters(self):
        self.source.is_active = False
        self.source.save()
        response = self.deliver(self.body(), sign(self.secret, self.body()))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(DeadLetter.objects.count(), 1)
        self.assertFalse(Message.objects.exists())
