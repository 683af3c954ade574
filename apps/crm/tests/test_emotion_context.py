"""``GET /api/v1/accounts/<id>/emotion-context/``: the CRM sidebar's JSON, purpose-bound and logged."""

from __future__ import annotations

from django.urls import reverse

from apps.core.testing import APITestCase
from apps.crm import services
from apps.crm.models import HandoffNote
from apps.crm.tests.factories import ensure_taxonomy, scored
from apps.crm.tests.test_pages import open_alert
from apps.governance.models import DataAccessLog
from tests.factories import ContactFactory


class EmotionContextAPITest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ensure_taxonomy()
        cls.contact = ContactFactory(account=cls.account, email="rita@owner.example")
        cls.vulnerable = ContactFactory(account=cls.account, email="vic@owner.example", is_vulnerable=True)
        cls.furious = scored(
            cls.account,
            contact=cls.contact,
            dominant="anger",
            business="frustration",
            valence=-0.8,
            intensity=0.9,
            days_ago=1,
            text="Third time the export failed. I am furious.",
            explanation={"drivers": [{"term": "furious", "label": "anger", "weight": 1.0, "source": "lexicon"}]},
        )
        scored(
            cls.account,
            contact=cls.vulnerable,
            dominant="anger",
            business="frustration",
            valence=-0.6,
            intensity=0.5,
            days_ago=2,
            text="I can't cope with this any more.",
        )
        scored(cls.account, contact=cls.contact, dominant="joy", valence=0.6, days_ago=20)
        scored(cls.other_account, dominant="joy", valence=0.9)
        services.account_rollups_rebuild()
        cls.alert = open_alert(cls.account)
        HandoffNote.objects.create(
            account=cls.account, author=cls.owner, from_team="support", to_team="success", context="Promised a call."
        )

    def url(self, account=None) -> str:
        return reverse("v1:account-context-emotion-context", kwargs={"pk": (account or self.account).pk})

    def test_the_owner_gets_the_compact_context(self):
        response = self.client_for(self.owner).get(self.url())
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(
            set(data),
            {
                "account",
                "current",
                "trend",
                "at_risk",
                "baseline",
                "top_drivers",
                "open_alerts",
                "last_handoff_note",
                "suggested_template",
            },
        )
        self.assertEqual(data["account"]["id"], self.account.pk)
        self.assertEqual(data["account"]["tier"], self.account.tier)
        current = data["current"]
        self.assertEqual((current["n"], current["window"]), (3, 30))
        self.assertEqual(current["dominant"], "frustration")  # the business emotion wins over the base one
        self.assertEqual(current["dominant_base"], "anger")
        self.assertAlmostEqual(current["valence"], round((-0.8 - 0.6 + 0.6) / 3, 3))
        self.assertAlmostEqual(current["negative_share"], round(2 / 3, 3))
        self.assertEqual(data["trend"]["previous"], 88)
        self.assertEqual(data["trend"]["direction"], "down")
        self.assertTrue(data["at_risk"])
        self.assertEqual(data["baseline"]["segment"], self.account.segment.name)
        first = data["top_drivers"][0]
        self.assertEqual(first["message"], self.furious.pk)
        self.assertEqual(first["why"], ["furious → anger"])
        self.assertIn("Third time the export failed", first["excerpt"])
        self.assertEqual([a["id"] for a in data["open_alerts"]], [self.alert.pk])
        self.assertEqual(data["last_handoff_note"]["context"], "Promised a call.")
        self.assertIsNone(data["suggested_template"])  # no template fits yet

    def test_the_read_is_logged_with_the_account_and_the_contacts_shown(self):
        self.client_for(self.owner).get(self.url())
        log = DataAccessLog.objects.filter(user=self.owner, outcome="allowed").latest("id")
        self.assertEqual((log.user, log.purpose, log.outcome), (self.owner, "support", "allowed"))
        self.assertEqual(log.account_ids, [self.account.pk])
        self.assertEqual(log.contact_ids, sorted([self.contact.pk, self.vulnerable.pk]))

    def test_the_outsider_gets_404_and_another_account_is_404_for_the_owner(self):
        self.assertEqual(self.client_for(self.outsider).get(self.url()).status_code, 404)
        self.assertEqual(self.client_for(self.owner).get(self.url(self.other_account)).status_code, 404)

    def test_without_x_purpose_it_is_refused_with_the_reason_and_logged(self):
        response = self.client_for(self.owner, purpose=None).get(self.url())
        self.assertEqual(response.status_code, 403)
        self.assertIn("No purpose stated", response.content.decode())
        self.assertTrue(DataAccessLog.objects.filter(user=self.owner, outcome="refused").exists())

    def test_anonymous_is_refused(self):
        self.assertEqual(self.client_for(None).get(self.url()).status_code, 401)

    def test_a_purpose_that_withholds_vulnerable_contacts_leaves_their_messages_out(self):
        from apps.governance.models import ProhibitedUse, Purpose

        purpose = Purpose.objects.get(key="support")
        ProhibitedUse.objects.create(purpose=purpose, name="No vulnerable", scope="vulnerable_contacts", is_active=True)
        data = self.client_for(self.owner).get(self.url()).json()
        self.assertNotIn("I can't cope", str(data["top_drivers"]))

    def test_it_is_documented_in_the_openapi_schema_with_its_shape(self):
        # The CRM routes alone: the whole schema is kept valid by apps/core's own test.
        from django.urls import include, path
        from drf_spectacular.generators import SchemaGenerator

        from apps.crm.api import urls as crm_urls

        generator = SchemaGenerator(patterns=[path("api/v1/", include((crm_urls.urlpatterns, "v1")))])
        schema = generator.get_schema(request=None, public=True)
        operation = schema["paths"]["/api/v1/accounts/{id}/emotion-context/"]["get"]
        self.assertIn("X-Purpose", [p["name"] for p in operation["parameters"]])
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        self.assertIn("top_drivers", component["properties"])
        self.assertIn("suggested_template", component["properties"])
