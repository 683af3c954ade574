"""Pages and the admin carry a purpose chosen for the session; every view of emotion data is logged."""

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from apps.core.testing import purposes_switched_on
from apps.governance.models import DataAccessLog
from tests.factories import MessageFactory, UserFactory


class PurposeChooserTest(TestCase):
    def setUp(self):
        purposes_switched_on("support", "analytics")
        self.agent = UserFactory(username="agent")
        self.agent.groups.add(Group.objects.get(name="Support Agent"))
        self.client.force_login(self.agent)

    def test_it_offers_only_the_purposes_the_role_may_use_and_keeps_the_choice(self):
        response = self.client.get(reverse("governance:choose-purpose"))
        self.assertContains(response, 'value="support"')
        self.assertNotContains(response, 'value="analytics"')
        response = self.client.post(reverse("governance:choose-purpose"), {"purpose": "support", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.session["emotionhub_purpose"], "support")

    def test_a_purpose_the_role_may_not_use_is_not_accepted(self):
        self.client.post(reverse("governance:choose-purpose"), {"purpose": "analytics", "next": "/"})
        self.assertNotIn("emotionhub_purpose", self.client.session)

    def test_next_cannot_send_the_user_off_site(self):
        response = self.client.post(
            reverse("governance:choose-purpose"), {"purpose": "support", "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)


class AdminPurposeTest(TestCase):
    def setUp(self):
        purposes_switched_on("support")
        self.root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(self.root)
        MessageFactory(text="I'm furious about the outage")

    def test_the_admins_message_list_asks_for_a_purpose_then_logs_the_view(self):
        url = reverse("admin:sources_message_changelist")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("governance:choose-purpose"), response["Location"])
        self.assertFalse(DataAccessLog.objects.exists())
        self.client.post(reverse("governance:choose-purpose"), {"purpose": "support", "next": url})
        self.assertEqual(self.client.get(url).status_code, 200)
        log = DataAccessLog.objects.get()
        self.assertEqual(
            (log.user, log.purpose, log.outcome, log.resource), (self.root, "support", "allowed", "admin:message-list")
        )

    def test_a_switched_off_purpose_in_the_session_is_refused_and_logged(self):
        from apps.governance.models import Purpose

        self.client.post(reverse("governance:choose-purpose"), {"purpose": "support", "next": "/"})
        Purpose.objects.filter(key="support").update(is_active=False)
        response = self.client.get(reverse("admin:scoring_emotionscore_changelist"))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(DataAccessLog.objects.get().outcome, "refused")
