from auditlog.models import LogEntry
from django.urls import reverse

from apps.consent.models import ConsentRecord
from apps.consent.selectors import contact_verdict
from apps.core.testing import APITestCase
from tests.factories import ContactFactory


class ConsentTest(APITestCase):
    def setUp(self):
        self.contact = ContactFactory(account=self.account)
        self.foreign = ContactFactory(account=self.other_account)

    def test_the_latest_statement_per_channel_is_in_force_and_an_opt_out_for_all_overrides(self):
        from apps.consent import services

        services.consent_opt_in(contact=self.contact, origin="admin", channel="email")
        self.assertEqual(contact_verdict(self.contact.pk, channel="email", requires_opt_in=True), "analyse")
        services.consent_opt_out(contact=self.contact, origin="portal")
        self.assertEqual(contact_verdict(self.contact.pk, channel="email", requires_opt_in=True), "opted_out")
        services.consent_opt_in(contact=self.contact, origin="admin", channel="all")
        self.assertEqual(contact_verdict(self.contact.pk, channel="email", requires_opt_in=True), "analyse")
        self.assertEqual(contact_verdict(None, channel="email", requires_opt_in=True), "no_opt_in")
        self.assertEqual(contact_verdict(None, channel="email", requires_opt_in=False), "analyse")

    def test_a_crm_forwards_an_opt_out_through_the_api_and_it_is_audited(self):
        self.grant(self.owner, ConsentRecord, "add")
        response = self.client_for(self.owner).post(
            reverse("v1:consentrecord-list"),
            {"contact": self.contact.pk, "status": "opted_out", "origin": "api", "channel": "all"},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        record = ConsentRecord.objects.get(pk=response.json()["id"])
        self.assertEqual(LogEntry.objects.get_for_object(record).get().actor, self.owner)

    def test_a_statement_for_a_contact_the_user_cannot_see_is_refused(self):
        self.grant(self.owner, ConsentRecord, "add")
        response = self.client_for(self.owner).post(
            reverse("v1:consentrecord-list"),
            {"contact": self.foreign.pk, "status": "opted_out", "origin": "api"},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ConsentRecord.objects.exists())

    def test_the_outsider_lists_no_consent_records(self):
        from apps.consent import services

        services.consent_opt_out(contact=self.contact, origin="admin")
        self.assertEqual(self.client_for(self.outsider).get(reverse("v1:consentrecord-list")).json()["count"], 0)
        self.assertEqual(self.client_for(self.member).get(reverse("v1:consentrecord-list")).json()["count"], 1)

    def test_records_cannot_be_edited_through_the_api(self):
        from apps.consent import services

        record = services.consent_opt_out(contact=self.contact, origin="admin")
        url = reverse("v1:consentrecord-detail", kwargs={"pk": record.pk})
        self.assertEqual(self.client_for(self.owner).patch(url, {"status": "opted_in"}, format="json").status_code, 405)
