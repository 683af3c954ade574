"""The public portal: the disclosure, the opt-out request (no enumeration, rate limits) and the emailed link."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from apps.consent.models import ConsentRecord, OptOutRequest
from apps.consent.tests.helpers import LEXICON, ingest, item, sources_pair
from apps.core.testing import purposes_switched_on
from apps.retention.services import retention_policy_create
from apps.scoring.models import EmotionScore
from apps.sources.models import Message
from tests.factories import ContactFactory, SourceFactory

EMAIL = "ann@customer.example"
LINK = re.compile(r"https?://\S+/privacy/opt-out/confirm/\S+/")


class DisclosureTest(TestCase):
    def test_it_says_what_is_really_configured(self):
        from apps.retention.models import RetentionPolicy

        RetentionPolicy.objects.update(is_active=False)
        SourceFactory(slug="helpdesk", kind="ticketing", platform="zendesk")
        SourceFactory(slug="mailbox", kind="email", platform="email", requires_opt_in=True)
        SourceFactory(slug="old-forum", kind="forum", platform="discourse", is_active=False)
        retention_policy_create(name="Tickets", keep_text_days=90, keep_scores_days=365, is_active=True)
        purposes_switched_on("support", roles_for=[], role="Support Agent")

        page = self.client.get(reverse("consent:privacy"))
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn('<html lang="en">', html)
        self.assertIn('href="#main"', html)
        channels = html.split('id="channels"')[1].split('id="never"')[0]
        self.assertIn("Support tickets (Zendesk)", channels.split("Only if you have agreed")[0])
        self.assertIn("<li>Email</li>", channels.split("Only if you have agreed")[1])
        self.assertNotIn("forum", channels.lower())
        self.assertIn("Customer support", html)
        self.assertIn("Support Agent", html)
        self.assertNotIn("Marketing", html)
        self.assertIn("kept for 3 months, then it is anonymised", html)
        self.assertIn("deleted after being kept for 1 year", html)
        self.assertIn("agents write to you is never analysed", html)
        self.assertContains(page, f'href="{reverse("consent:opt-out")}"')
        self.assertContains(page, "mailto:")
        self.assertNotIn("<script", html)


@LEXICON
class OptOutPortalTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.helpdesk, cls.reviews = sources_pair()
        cls.ann = ContactFactory(name="Ann Example", email=EMAIL)

    def setUp(self):
        cache.clear()
        ingest(self, self.helpdesk, item("t-1", EMAIL))
        ingest(self, self.reviews, item("r-1", EMAIL, "Lovely, thanks!"))

    def ask(self, email: str, ip: str = "198.51.100.7"):
        with self.captureOnCommitCallbacks(execute=True):  # the link is emailed by a q2 task (in-process here)
            return self.client.post(reverse("consent:opt-out"), {"email": email}, REMOTE_ADDR=ip)

    def emailed_link(self) -> str:
        return LINK.search(mail.outbox[-1].body).group(0)

    def test_the_link_is_built_on_site_url_whatever_host_the_request_named(self):
        with (
            self.settings(SITE_URL="https://privacy.example.com", ALLOWED_HOSTS=["*"]),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.post(reverse("consent:opt-out"), {"email": EMAIL}, HTTP_HOST="evil.example")
        self.assertTrue(self.emailed_link().startswith("https://privacy.example.com/privacy/opt-out/confirm/"))
        self.assertNotIn("evil.example", mail.outbox[0].body)

    def test_the_form_is_csrf_protected(self):
        client = self.client_class(enforce_csrf_checks=True)
        self.assertEqual(client.post(reverse("consent:opt-out"), {"email": EMAIL}).status_code, 403)
        self.assertContains(client.get(reverse("consent:opt-out")), "csrfmiddlewaretoken")

    def test_known_and_unknown_emails_get_the_same_answer_and_only_the_known_one_gets_mail(self):
        known = self.ask(EMAIL)
        unknown = self.ask("nobody@customer.example")
        self.assertEqual(known.status_code, 200)
        self.assertEqual(unknown.status_code, known.status_code)
        self.assertEqual(unknown.content, known.content)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [EMAIL])
        self.assertEqual(OptOutRequest.objects.count(), 1)

    def test_a_known_identity_email_gets_a_link(self):
        from apps.crm.services import identity_add

        identity_add(contact=self.ann, kind="email", value="ann.alias@customer.example")
        self.ask("Ann.Alias@customer.example")
        self.assertEqual(mail.outbox[0].to, ["ann.alias@customer.example"])

    def test_the_link_offers_the_analysed_channels_and_confirms_all_analysis_at_once(self):
        self.ask(EMAIL)
        link = self.emailed_link()
        page = self.client.get(link)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "All analysis of my messages")
        self.assertContains(page, 'value="ticketing"')
        self.assertContains(page, 'value="review"')
        self.assertNotContains(page, 'value="forum"')
        with self.captureOnCommitCallbacks(execute=True):
            done = self.client.post(link, {"scope": "all"})
        self.assertEqual(done.status_code, 200)
        self.assertContains(done, "Your opt-out is confirmed")
        self.assertContains(done, "2 messages reduced to a record without its content")
        self.assertContains(done, "2 emotion estimates deleted")
        self.assertTrue(ConsentRecord.objects.filter(contact=self.ann, channel="all", status="opted_out").exists())
        self.assertFalse(EmotionScore.objects.filter(message__contact=self.ann).exists())
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("2 messages reduced", mail.outbox[1].body)
        self.assertEqual(OptOutRequest.objects.get().email, "")  # the address is not kept once used

    def test_chosen_channels_only(self):
        self.ask(EMAIL)
        link = self.emailed_link()
        refused = self.client.post(link, {"scope": "some"})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "Choose at least one channel", status_code=400)
        self.client.post(link, {"scope": "some", "channels": ["review"]})
        self.assertEqual(
            list(ConsentRecord.objects.filter(contact=self.ann).values_list("channel", flat=True)), ["review"]
        )
        self.assertEqual(Message.objects.get(external_id="t-1").status, "scored")
        self.assertEqual(Message.objects.get(external_id="r-1").status, "tombstone")

    def test_a_link_works_once(self):
        self.ask(EMAIL)
        link = self.emailed_link()
        self.assertEqual(self.client.post(link, {"scope": "all"}).status_code, 200)
        again = self.client.post(link, {"scope": "all"})
        self.assertEqual(again.status_code, 410)
        self.assertContains(again, "already used", status_code=410)
        self.assertEqual(self.client.get(link).status_code, 410)
        self.assertEqual(ConsentRecord.objects.count(), 1)

    def test_a_link_expires_after_48_hours(self):
        start = timezone.now()
        with freeze_time(start):
            self.ask(EMAIL)
            link = self.emailed_link()
        with freeze_time(start + dt.timedelta(hours=47)):
            self.assertEqual(self.client.get(link).status_code, 200)
        with freeze_time(start + dt.timedelta(hours=48, minutes=1)):
            page = self.client.post(link, {"scope": "all"})
            self.assertEqual(page.status_code, 410)
            self.assertContains(page, "expired", status_code=410)
            self.assertContains(page, reverse("consent:opt-out"), status_code=410)
        self.assertFalse(ConsentRecord.objects.exists())

    def test_a_tampered_or_made_up_link_is_refused(self):
        self.ask(EMAIL)
        link = self.emailed_link()
        token = link.rstrip("/").rsplit("/", 1)[1]
        for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", token.upper()):
            page = self.client.get(reverse("consent:opt-out-confirm", args=[bad]))
            self.assertEqual(page.status_code, 400)
            self.assertContains(page, "not valid", status_code=400)
        self.assertFalse(ConsentRecord.objects.exists())

    def test_requests_are_limited_per_address_and_per_email(self):
        for n in range(5):
            self.assertEqual(self.ask(f"someone{n}@example.com").status_code, 200)
        limited = self.ask("someone-else@example.com")
        self.assertEqual(limited.status_code, 429)
        self.assertContains(limited, "Too many requests", status_code=429)
        self.assertEqual(self.ask("another@example.com", ip="203.0.113.9").status_code, 200)

        for n in range(3):
            self.assertEqual(self.ask(EMAIL, ip=f"192.0.2.{n}").status_code, 200)
        self.assertEqual(self.ask(EMAIL, ip="192.0.2.99").status_code, 429)
        self.assertEqual(self.ask("NoBody@example.com", ip="192.0.2.50").status_code, 200)
        self.assertEqual(len(mail.outbox), 3)

    def test_the_email_limit_answers_the_same_for_unknown_addresses(self):
        for n in range(3):
            self.ask("ghost@example.com", ip=f"192.0.2.{n}")
        self.assertEqual(self.ask("ghost@example.com", ip="192.0.2.9").status_code, 429)

    def test_a_bad_email_is_explained(self):
        page = self.ask("not an email")
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "Enter a valid email address", status_code=400)
        self.assertContains(page, 'role="alert"', status_code=400)


class OptOutRequestPurgeTest(TestCase):
    def test_expired_requests_are_purged_and_open_ones_kept(self):
        from apps.consent import services

        ContactFactory(email=EMAIL)
        start = timezone.now()
        with freeze_time(start - dt.timedelta(days=4)):
            services.optout_link_request(email=EMAIL)
        services.optout_link_request(email=EMAIL)
        self.assertEqual(services.optout_requests_purge(), 1)
        self.assertEqual(OptOutRequest.objects.count(), 1)


class OptOutLinkTaskTest(TestCase):
    def test_the_link_is_sent_once_however_often_the_task_runs(self):
        from apps.consent import services, tasks

        ContactFactory(email=EMAIL)
        with self.captureOnCommitCallbacks(execute=False) as queued:
            services.optout_link_request(email=EMAIL)
        self.assertEqual((len(queued), mail.outbox), (1, []))  # nothing is sent inside the request
        row = OptOutRequest.objects.get()
        self.assertTrue(tasks.send_optout_link(row.pk))
        self.assertFalse(tasks.send_optout_link(row.pk))
        self.assertEqual(len(mail.outbox), 1)
        self.assertIsNotNone(OptOutRequest.objects.get().sent_at)

    def test_an_unknown_address_queues_nothing(self):
        from apps.consent import services

        with self.captureOnCommitCallbacks(execute=False) as queued:
            services.optout_link_request(email="nobody@customer.example")
        self.assertEqual(queued, [])
        self.assertFalse(OptOutRequest.objects.exists())
