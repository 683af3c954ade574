"""Data-subject rights: the export of everything held, and an erasure that leaves the person nowhere."""

from __future__ import annotations

import json

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.admin.sites import site
from django.core import mail
from django.db import connection, models
from django.db.models import Q
from django.test import TestCase
from django.urls import reverse

from apps.consent import services, subject_rights
from apps.consent.models import ErasedSubject, OptOutRequest
from apps.consent.selectors import is_suppressed_email, suppressed_emails, verdict
from apps.consent.tests.helpers import LEXICON, extra_version, ingest, item
from apps.crm.models import Contact, ContactIdentity
from apps.crm.services import contact_save, identity_add
from apps.governance.models import DataAccessLog
from apps.retention.services import legal_hold_place
from apps.scoring.models import EmotionScore
from apps.sources import services as sources
from apps.sources.models import DeadLetter, Message
from tests.factories import AccountFactory, ContactFactory, SourceFactory, UserFactory

MARKER = "Zanzibar7731q"
EMAIL = f"ada.{MARKER.lower()}@customer.example"


def rows_containing(text: str) -> dict[str, set]:
    """Every row, in every table, with ``text`` in one of its text or JSON columns: ``{model label: {pk, …}}``."""
    hits: dict[str, set] = {}
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.db_table not in tables:
            continue  # (an app still without its migration has no table to search)
        q = Q(pk__in=[])
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField | models.TextField | models.JSONField):
                q |= Q(**{f"{f.name}__icontains": text})
        pks = set(model._base_manager.filter(q).values_list("pk", flat=True))
        if pks:
            hits[model._meta.label] = pks
    return hits


@LEXICON
class SubjectRightsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = UserFactory(username="dpo.dana")
        cls.helpdesk = SourceFactory(slug="helpdesk", name="Helpdesk", kind="ticketing", platform="zendesk")
        cls.survey = SourceFactory(slug="pulse", name="Pulse", kind="survey", platform="in_app")
        cls.account = AccountFactory(name="Customer Ltd")

    def setUp(self):
        self.ada = ContactFactory(account=self.account, name=f"Ada {MARKER}", email=EMAIL, title="Buyer")
        contact_save(contact=self.ada, title=f"Head of {MARKER}")  # an audit diff that shows the marker
        identity_add(contact=self.ada, kind="handle", platform="x", value=f"{MARKER}_x")
        services.consent_opt_in(contact=self.ada, origin="admin", channel="email", note=f"asked by {MARKER}")
        ingest(
            self,
            self.helpdesk,
            item("t-1", EMAIL, f"My name is {MARKER} and the export fails.", subject=f"Re: {MARKER}"),
            item("t-2", EMAIL, "Still failing.", metadata={"requester": MARKER}),
        )
        ingest(
            self,
            self.survey,
            item("s-1", EMAIL, "Fine.", self_reported={"survey": "Pulse", "emotion": "joy", "comment": MARKER}),
        )
        extra_version(Message.objects.get(external_id="t-1"))
        self.dead = sources.dead_letter_record(
            source=self.helpdesk,
            channel="webhook",
            reason="missing external_id",
            payload={"author": {"email": EMAIL}, "text": f"hello from {MARKER}"},
        )
        self.other_dead = sources.dead_letter_record(
            source=self.helpdesk, channel="webhook", reason="bad", payload={"text": "someone else"}
        )
        with self.captureOnCommitCallbacks(execute=True):
            services.optout_link_request(email=EMAIL)
        self.bob = ContactFactory(account=self.account, name="Bob Keep", email="bob@customer.example")
        ingest(self, self.helpdesk, item("t-bob", "bob@customer.example"))
        self.shared_log = DataAccessLog.objects.create(
            username="am", purpose="support", outcome="allowed", resource="x", contact_ids=[self.bob.pk, self.ada.pk]
        )
        planted = {
            "crm.Contact",
            "crm.ContactIdentity",
            "consent.ConsentRecord",
            "consent.OptOutRequest",
            "sources.Message",
            "sources.DeadLetter",
            "auditlog.LogEntry",
        }
        self.assertEqual(set(rows_containing(MARKER)), planted)

    # --- export ----------------------------------------------------------------------------------------

    def test_the_export_holds_everything_about_the_contact_and_is_logged(self):
        data = subject_rights.subject_export(contact=self.ada, user=self.staff)
        json.dumps(data)  # plain JSON
        self.assertEqual(data["contact"]["name"], f"Ada {MARKER}")
        self.assertEqual(data["account"]["name"], "Customer Ltd")
        self.assertEqual({i["kind"] for i in data["identities"]}, {"email", "handle"})
        self.assertEqual(data["consent_records"][0]["note"], f"asked by {MARKER}")
        texts = [m["text"] for m in data["messages"]]
        self.assertIn(f"My name is {MARKER} and the export fails.", texts)
        self.assertNotIn("The export keeps failing, I am furious.", texts)  # Bob's
        self.assertEqual(len(data["emotion_scores"]), 4)  # three current scores and an older version
        self.assertTrue(all("explanation" in s for s in data["emotion_scores"]))
        self.assertEqual({s["model_version"] for s in data["emotion_scores"]} >= {"lexicon-old"}, True)
        self.assertEqual(data["survey_self_reports"][0]["self_reported"]["comment"], MARKER)
        self.assertEqual(len(data["opt_out_requests"]), 1)
        self.assertTrue(any(e["what"] == "x" for e in data["data_access_log"]))
        self.assertTrue(any(e["what"] == "data-subject:export" for e in data["data_access_log"]))
        audited = {e["object"] for e in data["audit_log"]}
        self.assertTrue({"crm.contact", "crm.contactidentity", "consent.consentrecord"} <= audited)
        self.assertTrue(any(e["changes"].get("title") == ["Buyer", f"Head of {MARKER}"] for e in data["audit_log"]))
        self.assertNotIn("username", json.dumps(data["data_access_log"]))
        log = DataAccessLog.objects.get(purpose=subject_rights.DATA_SUBJECT_PURPOSE)
        self.assertEqual((log.user, log.contact_ids), (self.staff, [self.ada.pk]))

    def _label_and_reply(self):
        from apps.responses.models import ResponseTemplate, ResponseTemplateVersion, TemplateUsage
        from apps.validation.models import EmotionFeedback, GoldLabel

        message = Message.objects.get(external_id="t-1")
        GoldLabel.objects.create(
            message=message, labels=["anger"], source="adjudicated", decided_at=message.received_at
        )
        EmotionFeedback.objects.create(message=message, correct_labels=["sadness"], note=f"{MARKER} was sad, not angry")
        template = ResponseTemplate.objects.create(name="Sorry", emotion="anger", body="Sorry.")
        version = ResponseTemplateVersion.objects.create(template=template, number=1, body="Sorry.")
        TemplateUsage.objects.create(
            template=template,
            version=version,
            account=self.account,
            contact=self.ada,
            edited=True,
            text_sha256="0" * 64,
            text_length=6,
        )
        return message

    def test_the_export_holds_what_people_labelled_and_which_replies_were_used(self):
        message = self._label_and_reply()
        data = subject_rights.subject_export(contact=self.ada, user=self.staff)
        json.dumps(data)
        self.assertEqual(data["emotion_labels"]["gold"][0]["labels"], ["anger"])
        self.assertEqual(data["emotion_labels"]["feedback"][0]["message_id"], message.pk)
        self.assertIn(MARKER, data["emotion_labels"]["feedback"][0]["note"])
        self.assertEqual(data["reply_templates_used"], [{**data["reply_templates_used"][0], "template": "Sorry"}])
        self.assertEqual(data["reply_templates_used"][0]["version"], 1)

    def test_erasure_also_removes_what_people_labelled_about_the_contact(self):
        from apps.validation.models import EmotionFeedback, GoldLabel

        message = self._label_and_reply()
        subject_rights.subject_erase(contact=self.ada)
        self.assertFalse(EmotionFeedback.objects.filter(message_id=message.pk).exists())
        self.assertFalse(GoldLabel.objects.filter(message_id=message.pk).exists())
        self.assertEqual(rows_containing(MARKER), {})

    # --- erasure ---------------------------------------------------------------------------------------

    def test_after_erasure_the_marker_is_found_in_no_table_at_all(self):
        ada_pk = self.ada.pk
        subject_rights.subject_export(contact=self.ada, user=self.staff)
        report = subject_rights.subject_erase(contact=self.ada)

        self.assertEqual(rows_containing(MARKER), {})
        self.assertTrue(report.contact_deleted)
        self.assertEqual(report.kept, [])
        counts = report.counts
        self.assertEqual((counts["messages_deleted"], counts["scores_deleted"]), (3, 4))
        self.assertEqual(counts["survey_answers_deleted"], 1)
        self.assertEqual((counts["identities_deleted"], counts["consent_records_deleted"]), (2, 1))
        self.assertEqual((counts["dead_letters_deleted"], counts["opt_out_requests_deleted"]), (1, 1))
        self.assertEqual(counts["access_log_entries_updated"], 2)
        self.assertFalse(Contact.objects.filter(pk=ada_pk).exists())
        self.assertTrue(DeadLetter.objects.filter(pk=self.other_dead.pk).exists())
        self.shared_log.refresh_from_db()
        self.assertEqual(self.shared_log.contact_ids, [self.bob.pk])
        self.assertFalse(
            DataAccessLog.objects.filter(contact_ids__icontains=str(ada_pk))
            .exclude(pk=self.shared_log.pk)
            .exclude(contact_ids=[])
            .exists()
        )
        # The audit trail still shows that something happened, and nothing of what it said.
        entries = LogEntry.objects.filter(content_type__model="contact", object_pk=str(ada_pk))
        self.assertEqual(
            set(entries.values_list("action", flat=True)),
            {LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE},
        )
        marker = subject_rights.erased_marker()
        self.assertEqual(set(entries.values_list("object_repr", flat=True)), {marker})
        self.assertEqual(set(entries.values_list("changes_text", flat=True)), {marker})
        # Bob is untouched.
        self.assertEqual(Message.objects.get(external_id="t-bob").status, "scored")
        self.assertTrue(ContactIdentity.objects.filter(contact=self.bob).exists())

    def test_a_later_message_from_an_erased_email_is_still_treated_as_opted_out(self):
        subject_rights.subject_erase(contact=self.ada)
        self.assertEqual(ErasedSubject.objects.count(), 1)
        self.assertNotIn(MARKER.lower(), ErasedSubject.objects.get().email_digest)
        self.assertTrue(is_suppressed_email(EMAIL.upper()))
        self.assertFalse(is_suppressed_email("bob@customer.example"))
        self.assertEqual(suppressed_emails([EMAIL, "bob@customer.example", ""]), {EMAIL})
        self.assertEqual(verdict(None, channel="ticketing", requires_opt_in=False, suppressed=True), "opted_out")

    def test_a_later_message_from_an_erased_email_is_ingested_as_a_tombstone(self):
        subject_rights.subject_erase(contact=self.ada)
        report = ingest(self, self.helpdesk, item("t-after", EMAIL, f"It is {MARKER} again, still broken."))
        self.assertEqual(report.results[0].message_status, "tombstone")
        self.assertEqual(rows_containing(MARKER), {})

    def test_the_suppression_survives_a_secret_key_rotation(self):
        subject_rights.subject_erase(contact=self.ada)
        from django.conf import settings

        with self.settings(SECRET_KEY="a-new-key-" + "x" * 40, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
            self.assertTrue(is_suppressed_email(EMAIL))

    def test_an_opt_out_link_asked_for_after_erasure_is_not_sent(self):
        subject_rights.subject_erase(contact=self.ada)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            services.optout_link_request(email=EMAIL)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(OptOutRequest.objects.exists())

    def test_a_message_under_a_legal_hold_is_kept_and_reported_and_nothing_else_is(self):
        hold = legal_hold_place(reason="Litigation 2026-17", placed_by=self.staff, source=self.helpdesk)
        held = set(Message.objects.filter(source=self.helpdesk, contact=self.ada).values_list("pk", flat=True))

        report = subject_rights.subject_erase(contact=self.ada)

        self.assertEqual(rows_containing(MARKER), {"sources.Message": held})
        kept = {k["what"]: k for k in report.kept}
        messages_kept = next(k for what, k in kept.items() if what.startswith("messages"))
        self.assertEqual((messages_kept["count"], set(messages_kept["message_ids"])), (2, held))
        self.assertIn("Litigation 2026-17", messages_kept["why"])
        self.assertEqual(report.holds, [{"id": hold.pk, "reason": "Litigation 2026-17"}])
        self.assertIn("Kept 2 messages under a legal hold", report.summary())
        self.assertEqual(report.counts["messages_deleted"], 1)  # the survey answer
        self.assertEqual(EmotionScore.objects.filter(message_id__in=held).count(), 3)
        # The contact stays as a nameless shell, so the held messages stay linked, and it is opted out.
        self.assertFalse(report.contact_deleted)
        shell = Contact.objects.get(pk=self.ada.pk)
        self.assertEqual((shell.email, shell.phone, shell.title), ("", "", ""))
        self.assertTrue(shell.name.startswith("[erased "))
        self.assertEqual(set(Message.objects.filter(pk__in=held).values_list("contact_id", flat=True)), {shell.pk})
        self.assertEqual(shell.consent_records.get().status, "opted_out")
        self.assertFalse(shell.identities.exists())

    def test_a_hold_on_the_contact_keeps_their_messages_and_its_audit_entry_no_longer_names_them(self):
        legal_hold_place(reason="Regulator request", placed_by=self.staff, contact=self.ada)
        held = set(Message.objects.filter(contact=self.ada).values_list("pk", flat=True))
        report = subject_rights.subject_erase(contact=self.ada)
        self.assertEqual(rows_containing(MARKER), {"sources.Message": held})
        self.assertEqual(len(report.kept), 2)
        self.assertIn("Regulator request", report.kept[0]["why"])

    # --- admin -----------------------------------------------------------------------------------------

    def admin_user(self, *perms: str, username: str = "privacy.admin"):
        from django.contrib.auth.models import Permission

        user = UserFactory(username=username, is_staff=True)
        for perm in ("crm.view_contact", "crm.change_contact", "crm.view_account", *perms):
            app_label, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return user

    def admin_client(self, *perms: str):
        self.client.force_login(self.admin_user(*perms))
        return self.client

    def action(self, client, name: str, **extra):
        return client.post(
            reverse("admin:crm_contact_changelist"), {"action": name, "_selected_action": [self.ada.pk], **extra}
        )

    def test_the_admin_actions_need_their_permissions(self):
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/crm/contact/")
        request.user = self.admin_user()
        actions = set(site._registry[Contact].get_actions(request))
        self.assertFalse({"erase", "export_everything_held", "opt_out_of_all_analysis"} & actions)
        from django.contrib.auth.models import Permission

        request.user.user_permissions.add(Permission.objects.get(codename="handle_subject_request"))
        request.user = type(request.user).objects.get(pk=request.user.pk)  # fresh permission cache
        actions = set(site._registry[Contact].get_actions(request))
        self.assertEqual({"erase", "export_everything_held"} & actions, {"erase", "export_everything_held"})
        self.assertNotIn("opt_out_of_all_analysis", actions)
        self.client.force_login(self.admin_user(username="plain.staff"))
        self.action(self.client, "erase", confirm="yes")
        self.assertTrue(Contact.objects.filter(pk=self.ada.pk).exists())

    def test_the_admin_exports_a_json_file(self):
        client = self.admin_client("consent.handle_subject_request")
        response = self.action(client, "export_everything_held")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertEqual(json.loads(response.content)["contact"]["id"], self.ada.pk)
        self.assertTrue(DataAccessLog.objects.filter(purpose="data_subject_request").exists())

    def test_the_admin_erases_after_a_confirmation_page(self):
        client = self.admin_client("consent.handle_subject_request")
        confirm = self.action(client, "erase")
        self.assertContains(confirm, "This cannot be undone")
        self.assertTrue(Contact.objects.filter(pk=self.ada.pk).exists())
        done = self.action(client, "erase", confirm="yes")
        self.assertContains(done, "erased")
        self.assertFalse(Contact.objects.filter(pk=self.ada.pk).exists())
        self.assertEqual(rows_containing(MARKER), {})

    def test_the_admin_opts_a_contact_out_of_all_analysis(self):
        client = self.admin_client("consent.add_consentrecord")
        response = self.action(client, "opt_out_of_all_analysis")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.ada.consent_records.latest("recorded_at").status, "opted_out")
        self.assertEqual(self.ada.consent_records.latest("recorded_at").origin, "admin")
        self.assertFalse(EmotionScore.objects.filter(message__contact=self.ada).exists())
