"""The alert lifecycle, escalation on time, the API, signed webhooks with retries, and the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from freezegun import freeze_time

from apps.alerts import services
from apps.alerts.models import Alert, AlertEvent, EscalationLevel, EscalationPolicy, WebhookDelivery, WebhookEndpoint
from apps.core.testing import APITestCase
from tests.factories import UserFactory

from .helpers import rule, scored

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class AlertFixtures(APITestCase):
    def make_alert(self, **rule_fields) -> Alert:
        r = rule(**rule_fields)
        message = scored(self.account, dominant="anger", value=0.95)
        services.alerts_evaluate(message_ids=[message.pk])
        return Alert.objects.get(rule=r)


class EscalationTests(AlertFixtures):
    def setUp(self):
        self.executive = UserFactory(username="exec.erin")
        outreach = Group.objects.create(name="Executive outreach")
        self.executive.groups.add(outreach)
        self.policy = EscalationPolicy.objects.create(name="Key accounts")
        EscalationLevel.objects.create(policy=self.policy, order=0, owner_role="account_manager", sla_minutes=30)
        EscalationLevel.objects.create(policy=self.policy, order=1, owner_role="group", group=outreach, sla_minutes=60)

    def test_an_unacknowledged_alert_escalates_on_time_to_the_next_level(self):
        with freeze_time(T0), self.captureOnCommitCallbacks(execute=True):
            alert = self.make_alert(escalation_policy=self.policy)
        self.assertEqual(alert.owner, self.owner)
        self.assertEqual(alert.next_escalation_at, T0 + dt.timedelta(minutes=30))
        mail.outbox.clear()
        with freeze_time(T0 + dt.timedelta(minutes=29, seconds=59)):
            self.assertEqual(services.alerts_escalate_due(), 0)
        with freeze_time(T0 + dt.timedelta(minutes=30)), self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(services.alerts_escalate_due(), 1)
            self.assertEqual(services.alerts_escalate_due(), 0)  # claimed once
        alert.refresh_from_db()
        self.assertEqual((alert.escalation_level, alert.owner), (1, self.executive))
        self.assertEqual(alert.next_escalation_at, T0 + dt.timedelta(minutes=90))
        self.assertEqual([m.to for m in mail.outbox], [[self.executive.email]])
        entry = LogEntry.objects.get_for_object(alert).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
        self.assertIn("escalation_level", entry.changes_dict)
        self.assertTrue(AlertEvent.objects.filter(alert=alert, kind="escalated", level=1).exists())

    def test_an_acknowledged_alert_does_not_escalate(self):
        with freeze_time(T0):
            alert = self.make_alert(escalation_policy=self.policy)
        with freeze_time(T0 + dt.timedelta(minutes=10)):
            services.alert_acknowledge(alert=alert, user=self.owner)
        with freeze_time(T0 + dt.timedelta(hours=5)):
            self.assertEqual(services.alerts_escalate_due(), 0)
        alert.refresh_from_db()
        self.assertEqual((alert.status, alert.escalation_level, alert.owner), ("acknowledged", 0, self.owner))


class AlertAPITests(AlertFixtures):
    def test_outsider_sees_nothing_and_cannot_act(self):
        alert = self.make_alert()
        client = self.client_for(self.outsider)
        self.assertEqual(client.get(reverse("v1:alert-list")).json()["count"], 0)
        self.assertEqual(client.get(reverse("v1:alert-detail", args=[alert.pk])).status_code, 404)
        self.assertEqual(client.post(reverse("v1:alert-acknowledge", args=[alert.pk])).status_code, 404)

    def test_anonymous_is_refused_and_a_read_needs_a_purpose(self):
        self.make_alert()
        self.assertEqual(self.client_for(None).get(reverse("v1:alert-list")).status_code, 401)
        self.assertEqual(self.client_for(self.owner, purpose=None).get(reverse("v1:alert-list")).status_code, 403)

    def test_a_view_only_member_reads_but_cannot_act(self):
        alert = self.make_alert()
        client = self.client_for(self.member)
        self.assertEqual(client.get(reverse("v1:alert-detail", args=[alert.pk])).status_code, 200)
        self.assertEqual(client.post(reverse("v1:alert-resolve", args=[alert.pk])).status_code, 404)
        alert.refresh_from_db()
        self.assertEqual(alert.status, "open")

    def test_the_owner_acknowledges_and_resolves_and_each_transition_is_audited(self):
        alert = self.make_alert()
        client = self.client_for(self.owner)
        response = client.post(reverse("v1:alert-acknowledge", args=[alert.pk]), {"note": "on it"}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "acknowledged")
        self.assertEqual(client.post(reverse("v1:alert-resolve", args=[alert.pk])).status_code, 200)
        alert.refresh_from_db()
        self.assertEqual(alert.status, "resolved")
        entries = LogEntry.objects.get_for_object(alert).filter(action=LogEntry.Action.UPDATE)
        self.assertEqual({e.actor for e in entries}, {self.owner})
        self.assertEqual(entries.count(), 2)
        events = list(alert.events.filter(kind="transition").values_list("from_status", "to_status", "actor"))
        self.assertEqual(events, [("open", "acknowledged", self.owner.pk), ("acknowledged", "resolved", self.owner.pk)])
        # A resolved alert cannot be acknowledged again.
        self.assertEqual(client.post(reverse("v1:alert-acknowledge", args=[alert.pk])).status_code, 400)

    def test_dismissing_without_a_reason_is_refused(self):
        alert = self.make_alert()
        client = self.client_for(self.owner)
        self.assertEqual(client.post(reverse("v1:alert-dismiss", args=[alert.pk]), {"reason": " "}).status_code, 400)
        response = client.post(reverse("v1:alert-dismiss", args=[alert.pk]), {"reason": "A test ticket."})
        self.assertEqual(response.status_code, 200)
        alert.refresh_from_db()
        self.assertEqual((alert.status, alert.dismiss_reason), ("dismissed", "A test ticket."))

    def test_an_alert_without_an_account_needs_the_model_wide_permission(self):
        alert = self.make_alert()
        Alert.objects.filter(pk=alert.pk).update(account=None)
        self.assertEqual(self.client_for(self.owner).get(reverse("v1:alert-list")).json()["count"], 0)
        self.grant(self.outsider, Alert, "view", "change")
        client = self.client_for(self.outsider)
        self.assertEqual(client.get(reverse("v1:alert-list")).json()["count"], 1)
        self.assertEqual(client.post(reverse("v1:alert-acknowledge", args=[alert.pk])).status_code, 200)


class Receiver(BaseHTTPRequestHandler):
    """A stand-in integration: records what it got; answers with the next queued status code."""

    received: list = []
    codes: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        code = type(self).codes.pop(0) if type(self).codes else 200
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class WebhookTests(AlertFixtures):
    def setUp(self):
        Receiver.received, Receiver.codes = [], []
        self.server = HTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.endpoint = WebhookEndpoint.objects.create(
            name="CRM", url=f"http://127.0.0.1:{self.server.server_port}/hook", secret="s3cret"
        )

    def test_the_receiver_can_verify_the_signature(self):
        with self.captureOnCommitCallbacks(execute=True):
            alert = self.make_alert()
        headers, body = Receiver.received[0]
        signed = headers["X-EmotionHub-Timestamp"].encode() + b"." + body
        expected = "v1=" + hmac.new(b"s3cret", signed, hashlib.sha256).hexdigest()
        self.assertTrue(hmac.compare_digest(headers["X-EmotionHub-Signature"], expected))
        self.assertEqual(json.loads(body)["alert"]["id"], alert.pk)
        self.assertEqual(WebhookDelivery.objects.get().status, "delivered")

    def test_failures_are_retried_with_exponential_backoff_and_logged(self):
        Receiver.codes = [500, 503]
        with freeze_time(T0), self.captureOnCommitCallbacks(execute=True):
            self.make_alert()
        delivery = WebhookDelivery.objects.get()
        self.assertEqual((delivery.status, delivery.attempts, delivery.response_code), ("pending", 1, 500))
        self.assertEqual(delivery.next_attempt_at, T0 + dt.timedelta(seconds=30))
        with freeze_time(T0 + dt.timedelta(seconds=29)):
            self.assertEqual(services.webhooks_retry_due(), 0)
        with freeze_time(T0 + dt.timedelta(seconds=30)):
            services.webhooks_retry_due()
        delivery.refresh_from_db()
        self.assertEqual((delivery.attempts, delivery.response_code), (2, 503))
        self.assertEqual(delivery.next_attempt_at, T0 + dt.timedelta(seconds=90))
        with freeze_time(T0 + dt.timedelta(seconds=90)):
            services.webhooks_retry_due()
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts, delivery.response_code), ("delivered", 3, 200))
        self.assertEqual(len(Receiver.received), 3)


@override_settings(AXES_ENABLED=False)
class PageTests(AlertFixtures):
    def signed_in(self, user):
        self.client.force_login(user)
        session = self.client.session
        session["emotionhub_purpose"] = "support"
        session.save()
        return self.client

    def test_the_owner_sees_it_in_the_inbox_and_acknowledges_it(self):
        alert = self.make_alert()
        client = self.signed_in(self.owner)
        self.assertContains(client.get(reverse("alerts:inbox")), alert.title)
        response = client.post(reverse("alerts:act", args=[alert.pk, "acknowledge"]), {"note": "calling them"})
        self.assertRedirects(response, reverse("alerts:detail", args=[alert.pk]))
        alert.refresh_from_db()
        self.assertEqual(alert.status, "acknowledged")

    def test_an_outsider_gets_404_and_a_view_only_member_cannot_act(self):
        alert = self.make_alert()
        self.assertEqual(self.signed_in(self.outsider).get(reverse("alerts:detail", args=[alert.pk])).status_code, 404)
        client = self.signed_in(self.member)
        self.assertEqual(client.get(reverse("alerts:detail", args=[alert.pk])).status_code, 200)
        self.assertEqual(client.post(reverse("alerts:act", args=[alert.pk, "resolve"])).status_code, 404)

    def test_without_a_purpose_the_inbox_asks_for_one(self):
        self.client.force_login(self.owner)
        response = self.client.get(reverse("alerts:inbox"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("governance:choose-purpose")))

    def test_dismissing_on_the_page_without_a_reason_keeps_it_open(self):
        alert = self.make_alert()
        self.signed_in(self.owner).post(reverse("alerts:act", args=[alert.pk, "dismiss"]), {"reason": ""})
        alert.refresh_from_db()
        self.assertEqual(alert.status, "open")
