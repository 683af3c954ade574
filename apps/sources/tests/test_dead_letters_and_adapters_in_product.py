"""Dead letters are replayable from the admin; real payloads arrive through webhooks of each kind."""

import hashlib
import hmac
import json
import time
from pathlib import Path

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from apps.sources import services
from apps.sources.models import DeadLetter, Message
from tests.factories import AccountFactory, ContactFactory, SourceFactory, UserFactory

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "ingestion"
LEXICON = override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})


def signed_post(client, slug, secret, body: bytes, content_type="application/json"):
    ts = str(int(time.time()))
    sig = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return client.post(
        f"/api/v1/webhooks/{slug}/",
        body,
        content_type=content_type,
        HTTP_X_EMOTIONHUB_TIMESTAMP=ts,
        HTTP_X_EMOTIONHUB_SIGNATURE=f"v1={sig}",
    )


@LEXICON
class DeadLetterReplayTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.source = SourceFactory(slug="api-src")
        cls.admin = UserFactory(username="root", is_staff=True, is_superuser=True)

    def test_a_fixed_dead_letter_replays_from_the_admin_into_a_message(self):
        report = services.messages_ingest(
            source=self.source,
            channel="api",
            items=[{"external_id": "d1", "text": "Broken export", "created_at": "soon"}],
        )
        dead = DeadLetter.objects.get(pk=report.results[0].dead_letter_id)
        self.client.force_login(self.admin)
        url = reverse("admin:sources_deadletter_changelist")
        response = self.client.post(url, {"action": "replay", "_selected_action": [dead.pk]}, follow=True)
        self.assertContains(response, "still refused")
        dead.refresh_from_db()
        self.assertEqual((dead.status, dead.attempts), ("new", 1))

        dead.payload["created_at"] = "2026-11-30T09:00:00Z"  # the admin fixes the payload, then replays
        dead.save()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"action": "replay", "_selected_action": [dead.pk]}, follow=True)
        self.assertContains(response, "1 dead letter(s) replayed")
        dead.refresh_from_db()
        self.assertEqual(dead.status, "replayed")
        self.assertEqual(Message.objects.get(external_id="d1").status, "scored")

    def test_a_replayed_dead_letter_is_not_replayed_twice(self):
        dead = services.dead_letter_record(
            source=self.source, channel="api", reason="x", payload={"external_id": "d2", "text": "ok"}
        )
        services.dead_letter_replay(dead_letter=dead)
        dead.refresh_from_db()
        with self.assertRaisesMessage(ValueError, "already replayed"):
            services.dead_letter_replay(dead_letter=dead)


@LEXICON
class RealPayloadWebhookTest(TestCase):
    def setUp(self):
        cache.clear()

    def test_a_zendesk_ticket_becomes_scored_customer_comments_and_unscored_agent_notes(self):
        source = SourceFactory(slug="zendesk", kind="ticketing", platform="zendesk", adapter="zendesk")
        secret = services.source_rotate_secret(source=source)
        body = (FIXTURES / "zendesk_ticket.json").read_bytes()
        with self.captureOnCommitCallbacks(execute=True):
            response = signed_post(self.client, "zendesk", secret, body)
        self.assertEqual(response.status_code, 201, response.content)
        messages = Message.objects.filter(source=source)
        self.assertEqual(messages.count(), 4)
        private = messages.get(is_private=True)
        self.assertEqual((private.author_role, private.status), ("agent", "not_scored"))
        self.assertEqual(set(messages.filter(author_role="customer").values_list("status", flat=True)), {"scored"})
        self.assertEqual(len(set(messages.values_list("thread_id", flat=True))), 1)

    def test_an_email_is_resolved_to_its_contact_with_quoted_history_cut(self):
        source = SourceFactory(
            slug="mail", kind="email", platform="email", adapter="email", agent_identities=["quillstack.com"]
        )
        secret = services.source_rotate_secret(source=source)
        raw = (FIXTURES / "email_multipart_reply.eml").read_bytes()
        sender = next(line for line in raw.decode().splitlines() if line.lower().startswith("from:"))
        address = sender.split("<")[-1].rstrip(">").strip().lower()
        account = AccountFactory(domain=address.split("@")[1])
        contact = ContactFactory(account=account, email=address)
        with self.captureOnCommitCallbacks(execute=True):
            response = signed_post(self.client, "mail", secret, raw, content_type="message/rfc822")
        self.assertEqual(response.status_code, 201, response.content)
        message = Message.objects.get(source=source)
        self.assertEqual((message.contact, message.account), (contact, account))
        self.assertTrue(message.metadata.get("quoted_text_removed"))
        self.assertNotIn("wrote:", message.text)

    def test_an_unreadable_payload_of_a_known_kind_is_kept_and_named(self):
        source = SourceFactory(slug="zd2", kind="ticketing", platform="zendesk", adapter="zendesk")
        secret = services.source_rotate_secret(source=source)
        response = signed_post(self.client, "zd2", secret, json.dumps({"ticket": {"comments": "nope"}}).encode())
        self.assertEqual(response.status_code, 400)
        self.assertIn("zendesk payload cannot be read", response.json()["detail"])
        dead = DeadLetter.objects.get(pk=response.json()["dead_letter_id"])
        self.assertEqual(dead.errors["stage"], "adapter")


@LEXICON
class EmailUploadAdminTest(TestCase):
    def test_an_admin_uploads_eml_files_and_a_broken_one_becomes_a_dead_letter(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        source = SourceFactory(slug="mailbox", kind="email", platform="email", adapter="email")
        self.client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
        url = reverse("admin:sources_source_import_email", args=[source.pk])
        self.assertContains(self.client.get(url), "Import emails into")
        good = SimpleUploadedFile("a.eml", (FIXTURES / "email_plain.eml").read_bytes(), "message/rfc822")
        broken = SimpleUploadedFile("b.eml", b"this is not an email at all", "message/rfc822")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"files": [good, broken]}, follow=True)
        notes = [str(m) for m in response.context["messages"]]
        self.assertTrue(any(n.startswith("a.eml: 1 stored") for n in notes), notes)
        self.assertTrue(any(n.startswith("b.eml:") and "dead letter" in n for n in notes), notes)
        self.assertEqual(Message.objects.get(source=source).status, "scored")
        self.assertEqual(DeadLetter.objects.get(source=source).channel, "admin")

    def test_a_non_staff_user_cannot_upload(self):
        source = SourceFactory(slug="mailbox2", kind="email", platform="email", adapter="email")
        self.client.force_login(UserFactory(username="nobody"))
        response = self.client.get(reverse("admin:sources_source_import_email", args=[source.pk]))
        self.assertEqual(response.status_code, 302)  # to the admin login
