"""The retention admin: dry-run page, run now (confirmed), holds, runs; and the audit trail of policy changes."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from apps.core.schedules import PERIODIC_JOBS
from apps.core.testing import ActorsTestCase
from apps.retention import services
from apps.retention.models import LegalHold, RetentionPolicy, RetentionRun
from apps.retention.tests.helpers import RetentionTestCase
from apps.sources.models import Message
from tests.factories import UserFactory


class AdminTestCase(RetentionTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin = UserFactory(username="privacy-officer", is_staff=True, is_superuser=True)
        cls.staff = UserFactory(username="cx-lead", is_staff=True)
        cls.customer = UserFactory(username="not-staff")
        cls.policy = RetentionPolicy.objects.get(name="Vulnerable contacts")

    def dry_run_url(self, policy=None) -> str:
        return reverse("admin:retention_retentionpolicy_dry_run", args=[(policy or self.policy).pk])


class DryRunPageTest(AdminTestCase):
    def test_the_dry_run_page_shows_an_admin_the_counts_and_a_sample_and_changes_nothing(self):
        message = self.message(40, contact=self.vulnerable)
        self.client.force_login(self.admin)

        response = self.client.get(self.dry_run_url())

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Vulnerable contacts")
        self.assertEqual(response.context["results"][0]["counts"]["text_anonymised"], 1)
        self.assertContains(response, f"#{message.pk}")
        self.assertContains(response, "My export has failed again")
        self.assertNotEqual(Message.objects.get(pk=message.pk).text, "")
        self.assertFalse(RetentionRun.objects.exists())

    def test_the_change_form_has_a_dry_run_button(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("admin:retention_retentionpolicy_change", args=[self.policy.pk]))
        self.assertContains(response, self.dry_run_url())

    def test_the_dry_run_page_is_refused_to_a_non_staff_user_and_to_staff_without_permission(self):
        self.message(40, contact=self.vulnerable)
        self.client.force_login(self.customer)
        response = self.client.get(self.dry_run_url())
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("admin:login"), response["Location"])
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.dry_run_url()).status_code, 403)

    def test_staff_who_may_not_read_messages_see_counts_but_no_excerpts(self):
        self.message(40, contact=self.vulnerable)
        ActorsTestCase.grant(self.staff, RetentionPolicy, "view")
        self.client.force_login(self.staff)

        response = self.client.get(self.dry_run_url())

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["results"][0]["counts"]["text_anonymised"], 1)
        self.assertNotContains(response, "My export has failed again")

    def test_the_dry_run_action_previews_every_selected_policy(self):
        self.client.force_login(self.admin)
        policies = RetentionPolicy.objects.filter(name__in=["Default", "Sensitive messages"])
        response = self.client.post(
            reverse("admin:retention_retentionpolicy_changelist"),
            {"action": "dry_run", ACTION_CHECKBOX_NAME: [p.pk for p in policies]},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual({r["policy"] for r in response.context["results"]}, {"Default", "Sensitive messages"})


class RunNowTest(AdminTestCase):
    def post_run(self, **extra):
        return self.client.post(
            reverse("admin:retention_retentionpolicy_changelist"),
            {"action": "run_retention_now", ACTION_CHECKBOX_NAME: [self.policy.pk], **extra},
        )

    def test_run_now_asks_for_confirmation_then_runs_for_real_as_the_admin(self):
        message = self.message(40, contact=self.vulnerable)
        self.client.force_login(self.admin)

        confirm = self.post_run()

        self.assertContains(confirm, "Yes, run retention now")
        self.assertNotEqual(Message.objects.get(pk=message.pk).text, "")
        self.assertFalse(RetentionRun.objects.exists())

        done = self.post_run(confirm="yes")

        self.assertEqual(done.status_code, 302)
        run = RetentionRun.objects.get()
        self.assertEqual((run.status, run.dry_run, run.triggered_by), ("finished", False, self.admin))
        self.assertEqual(Message.objects.get(pk=message.pk).text, "")
        self.assertEqual(LogEntry.objects.get_for_object(run).first().actor, self.admin)

    def test_run_now_needs_the_run_permission(self):
        message = self.message(40, contact=self.vulnerable)
        ActorsTestCase.grant(self.staff, RetentionPolicy, "view", "change")
        self.client.force_login(self.staff)

        self.post_run(confirm="yes")

        self.assertFalse(RetentionRun.objects.exists())
        self.assertNotEqual(Message.objects.get(pk=message.pk).text, "")

    def test_the_run_page_pretty_prints_the_counts(self):
        self.message(40, contact=self.vulnerable)
        run = services.retention_run(dry_run=False, now=self.now)
        self.client.force_login(self.admin)

        response = self.client.get(reverse("admin:retention_retentionrun_change", args=[run.pk]))

        self.assertContains(response, "&quot;Vulnerable contacts&quot;: {\n")
        self.assertContains(response, "&quot;text_anonymised&quot;: 1")
        self.assertEqual(self.client.get(reverse("admin:retention_retentionrun_changelist")).status_code, 200)

    def test_the_daily_job_is_declared_and_runs_on_the_schedule_without_an_actor(self):
        from apps.retention.tasks import run_retention

        self.assertIn("apps.retention.tasks.run_retention", {job.func for job in PERIODIC_JOBS})
        self.message(400)
        self.assertIn("finished", run_retention())
        self.assertIsNone(RetentionRun.objects.get().triggered_by)


class AuditTest(AdminTestCase):
    def test_a_policy_changed_in_the_admin_leaves_an_audit_entry_naming_the_admin(self):
        self.client.force_login(self.admin)
        url = reverse("admin:retention_retentionpolicy_change", args=[self.policy.pk])
        data = {
            "name": self.policy.name,
            "description": "",
            "is_active": "on",
            "priority": 10,
            "source_kind": "",
            "platform": "",
            "segment": "",
            "sensitivity": "vulnerable_contacts_only",
            "keep_text_days": 14,
            "keep_scores_days": 60,
            "action": "anonymise",
        }

        response = self.client.post(url, data)

        self.assertEqual(response.status_code, 302, response.content[:2000])
        entry = LogEntry.objects.get_for_object(self.policy).filter(action=LogEntry.Action.UPDATE).get()
        self.assertEqual(entry.actor, self.admin)
        self.assertEqual(entry.changes_dict["keep_text_days"], ["30", "14"])

    def test_a_policy_that_says_nothing_about_how_long_is_refused_in_the_admin(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("admin:retention_retentionpolicy_add"),
            {"name": "Empty", "priority": 5, "sensitivity": "any", "action": "anonymise"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(RetentionPolicy.objects.filter(name="Empty").exists())

    def test_policy_writes_through_the_services_are_audited_with_the_actor(self):
        from apps.core.audit import acting_as

        with acting_as(self.admin):
            policy = services.retention_policy_create(name="Reviews", source_kind="review", keep_text_days=90)
            services.retention_policy_update(policy=policy, is_active=True)
        entries = LogEntry.objects.get_for_object(policy).order_by("timestamp")
        self.assertEqual([e.action for e in entries], [LogEntry.Action.CREATE, LogEntry.Action.UPDATE])
        self.assertEqual({e.actor for e in entries}, {self.admin})

    def test_a_hold_placed_in_the_admin_records_who_placed_it_and_is_audited(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("admin:retention_legalhold_add"),
            {
                "reason": "Litigation 2025-3",
                "account": self.account.pk,
                "contact": "",
                "source": "",
                "is_active": "on",
                "starts_at_0": (self.now - dt.timedelta(days=1)).strftime("%Y-%m-%d"),
                "starts_at_1": "00:00:00",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        hold = LegalHold.objects.get()
        self.assertEqual(hold.placed_by, self.admin)
        self.assertEqual(LogEntry.objects.get_for_object(hold).get().actor, self.admin)

        self.client.post(
            reverse("admin:retention_legalhold_changelist"), {"action": "release", ACTION_CHECKBOX_NAME: [hold.pk]}
        )
        hold.refresh_from_db()
        self.assertFalse(hold.in_force())
