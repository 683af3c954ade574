"""Every read of emotion data states a purpose; what is not permitted is refused and logged."""

import datetime as dt

from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import APITestCase, purposes_switched_on
from apps.governance import services
from apps.governance.models import DataAccessLog, Purpose
from apps.scoring import services as scoring
from tests.factories import ContactFactory, MessageFactory, UserFactory

LEXICON = override_settings(SCORING_ENGINE="lexicon", SCORING_ENGINE_OPTIONS={})


@LEXICON
class PurposeBindingTest(APITestCase):
    def setUp(self):
        self.contact = ContactFactory(account=self.account)
        self.vulnerable = ContactFactory(account=self.account, is_vulnerable=True)
        self.message = MessageFactory(account=self.account, contact=self.contact, text="Thanks, brilliant help!")
        self.fragile = MessageFactory(account=self.account, contact=self.vulnerable, text="I'm so worried about money")
        scoring.messages_score(message_ids=[self.message.pk, self.fragile.pk])
        self.url = reverse("v1:message-list")

    def test_a_read_without_a_purpose_is_refused_and_logged(self):
        response = self.client_for(self.owner, purpose=None).get(self.url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("X-Purpose", response.json()["detail"])
        log = DataAccessLog.objects.get()
        self.assertEqual((log.user, log.outcome, log.resource), (self.owner, "refused", "api:message-list"))

    def test_an_unknown_purpose_is_refused_naming_the_ones_there_are(self):
        response = self.client_for(self.owner, purpose="curiosity").get(self.url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("support", response.json()["detail"])

    def test_a_purpose_the_role_may_not_use_is_refused(self):
        purposes_switched_on("analytics", role="Privacy Officer")
        response = self.client_for(self.owner, purpose="analytics").get(self.url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("role", response.json()["detail"])
        self.assertEqual(DataAccessLog.objects.get().outcome, "refused")

    def test_an_allowed_read_is_logged_with_whose_data_it_was(self):
        response = self.client_for(self.owner).get(self.url)
        self.assertEqual(response.status_code, 200)
        log = DataAccessLog.objects.get()
        self.assertEqual((log.outcome, log.purpose, log.object_count), ("allowed", "support", 2))
        self.assertEqual(log.account_ids, [self.account.pk])
        self.assertEqual(log.contact_ids, sorted([self.contact.pk, self.vulnerable.pk]))

    def test_scores_are_purpose_bound_too(self):
        self.assertEqual(
            self.client_for(self.owner, purpose=None).get(reverse("v1:emotionscore-list")).status_code, 403
        )
        self.assertEqual(self.client_for(self.owner).get(reverse("v1:emotionscore-list")).status_code, 200)

    def test_marketing_never_sees_a_vulnerable_customers_emotions(self):
        purposes_switched_on("marketing", roles_for=[self.owner])
        client = self.client_for(self.owner, purpose="marketing")
        ids = [row["id"] for row in client.get(self.url).json()["results"]]
        self.assertEqual(ids, [self.message.pk])
        detail = client.get(reverse("v1:message-detail", kwargs={"pk": self.fragile.pk}))
        self.assertEqual(detail.status_code, 403)
        self.assertIn("Prohibited use", detail.json()["detail"])
        refused = DataAccessLog.objects.filter(outcome="refused").get()
        self.assertEqual((refused.user, refused.purpose), (self.owner, "marketing"))
        # the same record for support is fine
        self.assertEqual(
            self.client_for(self.owner).get(reverse("v1:message-detail", kwargs={"pk": self.fragile.pk})).status_code,
            200,
        )

    def test_the_outsider_gets_nothing_even_with_a_permitted_purpose(self):
        response = self.client_for(self.outsider).get(self.url)
        self.assertEqual(response.json()["count"], 0)
        detail = self.client_for(self.outsider).get(reverse("v1:message-detail", kwargs={"pk": self.message.pk}))
        self.assertEqual(detail.status_code, 404)

    def test_ingestion_writes_are_not_reads_and_need_no_purpose(self):
        self.grant(self.owner, type(self.message), "add")
        response = self.client_for(self.owner, purpose=None).post(
            self.url, {"source": self.message.source.slug, "external_id": "np-1", "text": "hello"}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)


class DpiaGateTest(APITestCase):
    def test_a_purpose_is_blocked_until_its_dpia_is_approved(self):
        purpose = Purpose.objects.get(key="product_research")
        purpose.dpia.status = "in_review"
        purpose.dpia.save()
        with self.assertRaises(ValidationError) as raised:
            services.purpose_switch(purpose=purpose, on=True)
        self.assertIn("approved, unexpired DPIA", str(raised.exception))
        services.dpia_approve(
            dpia=purpose.dpia, reviewer=self.owner, next_review_date=timezone.localdate() + dt.timedelta(days=30)
        )
        services.purpose_switch(purpose=purpose, on=True)
        purpose.refresh_from_db()
        self.assertTrue(purpose.is_active)

    def test_an_expired_dpia_stops_a_switched_on_purpose(self):
        purpose = Purpose.objects.get(key="support")
        dpia = purpose.dpia
        dpia.next_review_date = timezone.localdate() - dt.timedelta(days=1)
        dpia.save()
        response = self.client_for(self.owner).get(reverse("v1:message-list"))
        self.assertEqual(response.status_code, 403)
        self.assertIn("DPIA", response.json()["detail"])

    def test_a_prohibited_practice_cannot_be_approved(self):
        dpia = Purpose.objects.get(key="support").dpia
        dpia.ai_act_classification = "prohibited"
        with self.assertRaises(ValidationError):
            dpia.full_clean()


class RolesAndAdminTest(APITestCase):
    def test_roles_exist_with_least_permissions(self):
        names = set(Group.objects.values_list("name", flat=True))
        self.assertLessEqual(
            {
                "Admin",
                "CX Analyst",
                "Account Manager",
                "Support Agent",
                "Support Supervisor",
                "Privacy Officer",
                "Integration",
            },
            names,
        )
        manager = UserFactory(username="am")
        manager.groups.add(Group.objects.get(name="Account Manager"))
        self.assertFalse(manager.has_perm("crm.view_account"))  # accounts come only through object grants
        integration = UserFactory(username="int")
        integration.groups.add(Group.objects.get(name="Integration"))
        self.assertTrue(integration.has_perm("sources.add_message"))
        self.assertFalse(integration.has_perm("governance.change_purpose"))
        officer = UserFactory(username="po")
        officer.groups.add(Group.objects.get(name="Privacy Officer"))
        self.assertTrue(officer.has_perm("governance.view_dataaccesslog"))
        self.assertFalse(officer.has_perm("governance.delete_dataaccesslog"))

    def test_the_access_log_and_audit_trail_cannot_be_changed_from_the_admin_and_export_as_csv(self):
        root = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(root)
        self.client_for(self.owner, purpose=None).get(reverse("v1:message-list"))
        log = DataAccessLog.objects.get()
        self.assertEqual(
            self.client.post(
                reverse("admin:governance_dataaccesslog_delete", args=[log.pk]), {"post": "yes"}
            ).status_code,
            403,
        )
        entry = LogEntry.objects.first()
        self.assertEqual(
            self.client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code,
            403,
        )
        response = self.client.post(
            reverse("admin:governance_dataaccesslog_changelist"), {"action": "export_csv", "_selected_action": [log.pk]}
        )
        body = b"".join(response.streaming_content).decode()
        self.assertIn("owner,,refused", body)
        self.assertTrue(LogEntry.objects.filter(pk=entry.pk).exists())
