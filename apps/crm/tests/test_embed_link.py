"""Signed panel links: how a CRM on another site shows the panel without an EmotionHub session in its iframe."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.test import Client, override_settings
from django.urls import reverse
from django.utils.html import escape
from freezegun import freeze_time

from apps.core.testing import APITestCase
from apps.crm import services
from apps.crm.tests.factories import ensure_taxonomy, scored
from apps.governance.models import DataAccessLog
from tests.factories import ContactFactory


@override_settings(CRM_EMBED_FRAME_ANCESTORS=["https://crm.example"], CRM_EMBED_LINK_SECONDS=300)
class EmbedLinkTest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ensure_taxonomy()
        contact = ContactFactory(account=cls.account, email="rita@owner.example")
        scored(cls.account, contact=contact, dominant="anger", business="frustration", valence=-0.8, days_ago=1)
        services.account_rollups_rebuild()

    def link_url(self, account=None) -> str:
        return reverse("v1:account-context-embed-link", kwargs={"pk": (account or self.account).pk})

    def make_link(self, user=None, purpose="support") -> str:
        response = self.client_for(user or self.owner, purpose=purpose).post(self.link_url())
        self.assertEqual(response.status_code, 201, response.content)
        parts = urlsplit(response.json()["url"])
        return f"{parts.path}?{parts.query}"

    def test_a_link_opens_the_panel_in_a_browser_without_a_session_and_logs_the_view(self):
        path = self.make_link()
        before = DataAccessLog.objects.filter(resource="page:crm-embed").count()
        response = Client().get(path)  # the CRM's iframe: no EmotionHub cookie at all
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, escape(self.account.name))
        self.assertEqual(response["Content-Security-Policy"], "frame-ancestors 'self' https://crm.example")
        self.assertNotIn("X-Frame-Options", response)
        entry = DataAccessLog.objects.filter(resource="page:crm-embed").latest("pk")
        self.assertEqual(DataAccessLog.objects.filter(resource="page:crm-embed").count(), before + 1)
        self.assertEqual((entry.user, entry.purpose), (self.owner, "support"))
        self.assertIn(self.account.pk, entry.account_ids)

    def test_an_expired_link_says_so_and_shows_nothing(self):
        with freeze_time("2026-12-01 10:00:00"):
            path = self.make_link()
        with freeze_time("2026-12-01 10:05:01"):
            response = Client().get(path)
        self.assertEqual(response.status_code, 410)
        self.assertContains(response, "expired", status_code=410)
        self.assertNotContains(response, escape(self.account.name), status_code=410)

    def test_a_tampered_link_or_one_for_another_account_is_refused(self):
        path = self.make_link()
        self.assertEqual(Client().get(path[:-3] + "xyz").status_code, 403)
        other = path.replace(f"/accounts/{self.account.pk}/", f"/accounts/{self.other_account.pk}/")
        response = Client().get(other)
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, escape(self.other_account.name), status_code=403)

    def test_a_link_stops_working_when_its_user_loses_the_account(self):
        path = self.make_link()
        services.account_assign_manager(account=self.account, manager=None)  # the grants follow the manager
        self.assertEqual(Client().get(path).status_code, 404)

    def test_the_outsider_gets_no_link_and_a_link_needs_a_purpose(self):
        self.assertEqual(self.client_for(self.outsider).post(self.link_url()).status_code, 404)
        self.assertEqual(self.client_for(self.owner).post(self.link_url(self.other_account)).status_code, 404)
        response = self.client_for(self.owner, purpose=None).post(self.link_url())
        self.assertEqual(response.status_code, 403)
        self.assertIn("purpose", response.content.decode().lower())
        self.assertEqual(self.client_for(None).post(self.link_url()).status_code, 401)
