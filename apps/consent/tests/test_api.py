"""The API: opt-outs forwarded by a CRM, and data-subject export and erasure."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.urls import reverse

from apps.consent.models import ConsentRecord
from apps.consent.tests.helpers import LEXICON, ingest, item, sources_pair
from apps.core.testing import APITestCase
from apps.crm.models import Contact
from apps.governance.models import DataAccessLog
from apps.scoring.models import EmotionScore
from apps.sources.models import Message
from tests.factories import ContactFactory

OPT_OUTS = "/api/v1/opt-outs/"
EMAIL = "ann@customer.example"


@LEXICON
class OptOutAPITest(APITestCase):
    def setUp(self):
        self.helpdesk, self.reviews = sources_pair()
        self.ann = ContactFactory(account=self.account, name="Ann", email=EMAIL)
        self.foreign = ContactFactory(account=self.other_account, name="Foreign", email="f@other.example")
        ingest(self, self.helpdesk, item("t-1", EMAIL), item("t-f", "f@other.example"))
        ingest(self, self.reviews, item("r-1", EMAIL))

    def post(self, user, body):
        return self.client_for(user).post(OPT_OUTS, body, format="json")

    def test_the_url_is_routed_under_v1(self):
        self.assertEqual(reverse("v1:opt-out-list"), OPT_OUTS)

    def test_anonymous_is_refused(self):
        self.assertEqual(self.post(None, {"contact": self.ann.pk}).status_code, 401)

    def test_a_user_without_the_add_permission_is_forbidden(self):
        self.assertEqual(self.post(self.owner, {"contact": self.ann.pk}).status_code, 403)
        self.assertFalse(ConsentRecord.objects.exists())

    def test_an_outsider_with_the_permission_cannot_opt_out_a_contact_they_cannot_see(self):
        self.grant(self.outsider, ConsentRecord, "add")
        self.assertEqual(self.post(self.outsider, {"contact": self.ann.pk}).status_code, 404)
        self.assertEqual(self.post(self.outsider, {"email": EMAIL}).status_code, 404)
        self.assertFalse(ConsentRecord.objects.exists())
        self.assertTrue(EmotionScore.objects.filter(message__contact=self.ann).exists())

    def test_a_permitted_user_opts_a_contact_out_and_is_told_what_was_done(self):
        self.grant(self.owner, ConsentRecord, "add")
        response = self.post(self.owner, {"contact": self.ann.pk})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["contact_ids"], [self.ann.pk])
        self.assertEqual((body["messages_reduced"], body["scores_deleted"], body["messages_held"]), (2, 2, 0))
        self.assertEqual(body["channels"], ["all"])
        record = ConsentRecord.objects.get(contact=self.ann)
        self.assertEqual((record.status, record.origin), ("opted_out", "api"))
        self.assertEqual(LogEntry.objects.get_for_object(record).get().actor, self.owner)
        self.assertEqual(Message.objects.get(external_id="t-f").status, "scored")

    def test_by_email_and_for_some_channels(self):
        self.grant(self.member, ConsentRecord, "add")
        response = self.post(self.member, {"email": EMAIL.upper(), "channels": ["review"]})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["messages_reduced"], 1)
        self.assertEqual(Message.objects.get(external_id="r-1").status, "tombstone")
        self.assertEqual(Message.objects.get(external_id="t-1").status, "scored")

    def test_an_email_also_used_by_an_invisible_contact_opts_out_only_the_visible_one(self):
        twin = ContactFactory(account=self.other_account, name="Twin", email="twin@other.example")
        from apps.crm.services import identity_add

        identity_add(contact=twin, kind="email", value="shared@customer.example")
        identity_add(contact=self.ann, kind="email", value="shared@other.example")
        self.grant(self.owner, ConsentRecord, "add")
        response = self.post(self.owner, {"email": "shared@other.example"})
        self.assertEqual(response.json()["contact_ids"], [self.ann.pk])
        self.assertFalse(ConsentRecord.objects.filter(contact=twin).exists())

    def test_a_bad_body_is_explained(self):
        self.grant(self.owner, ConsentRecord, "add")
        for body in ({}, {"email": EMAIL, "contact": self.ann.pk}, {"contact": self.ann.pk, "channels": ["fax"]}):
            response = self.post(self.owner, body)
            self.assertEqual(response.status_code, 400, body)
            self.assertIn("errors", response.json())
        self.assertFalse(ConsentRecord.objects.exists())


@LEXICON
class DataSubjectAPITest(APITestCase):
    def setUp(self):
        self.helpdesk, _ = sources_pair()
        self.ann = ContactFactory(account=self.account, name="Ann", email=EMAIL)
        ingest(self, self.helpdesk, item("t-1", EMAIL))

    def export_url(self, contact=None) -> str:
        return reverse("v1:data-subject-export", kwargs={"pk": (contact or self.ann).pk})

    def erase_url(self, contact=None) -> str:
        return reverse("v1:data-subject-erase", kwargs={"pk": (contact or self.ann).pk})

    def test_the_urls(self):
        self.assertEqual(self.export_url(), f"/api/v1/data-subjects/{self.ann.pk}/export/")
        self.assertEqual(self.erase_url(), f"/api/v1/data-subjects/{self.ann.pk}/erase/")

    def test_anonymous_is_refused(self):
        self.assertEqual(self.client_for(None).get(self.export_url()).status_code, 401)
        self.assertEqual(self.client_for(None).post(self.erase_url()).status_code, 401)

    def test_without_the_subject_request_permission_it_is_forbidden(self):
        self.grant(self.owner, ConsentRecord, "add")  # forwarding opt-outs is not handling subject requests
        self.assertEqual(self.client_for(self.owner).get(self.export_url()).status_code, 403)
        self.assertEqual(self.client_for(self.owner).post(self.erase_url()).status_code, 403)
        self.assertTrue(Contact.objects.filter(pk=self.ann.pk).exists())

    def test_an_outsider_with_the_permission_gets_404_for_a_contact_they_cannot_see(self):
        self.grant_perm(self.outsider, "consent.handle_subject_request")
        self.assertEqual(self.client_for(self.outsider).get(self.export_url()).status_code, 404)
        self.assertEqual(self.client_for(self.outsider).post(self.erase_url()).status_code, 404)
        self.assertTrue(Contact.objects.filter(pk=self.ann.pk).exists())
        self.assertFalse(DataAccessLog.objects.filter(purpose="data_subject_request").exists())

    def test_a_permitted_user_exports_without_a_purpose_header_and_it_is_logged(self):
        self.grant_perm(self.member, "consent.handle_subject_request")
        response = self.client_for(self.member, purpose=None).get(self.export_url())
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["contact"]["email"], EMAIL)
        self.assertEqual(len(data["messages"]), 1)
        log = DataAccessLog.objects.get(purpose="data_subject_request")
        self.assertEqual((log.user, log.contact_ids, log.outcome), (self.member, [self.ann.pk], "allowed"))

    def test_a_permitted_user_erases_and_gets_the_report(self):
        self.grant_perm(self.member, "consent.handle_subject_request")
        response = self.client_for(self.member).post(self.erase_url())
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertTrue(body["contact_deleted"])
        self.assertEqual((body["counts"]["messages_deleted"], body["counts"]["scores_deleted"]), (1, 1))
        self.assertFalse(Contact.objects.filter(pk=self.ann.pk).exists())
        deletion = LogEntry.objects.get(content_type__model="contact", object_pk=str(self.ann.pk), action=2)
        self.assertEqual(deletion.actor, self.member)  # audited, with the content redacted
        self.assertTrue(deletion.object_repr.startswith("[erased "))
        self.assertEqual(self.client_for(self.member).post(self.erase_url()).status_code, 404)
