"""Only one real retention run at a time: the claim, a stale claim, and two workers at once (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
import unittest
from unittest import mock

from django.db import IntegrityError, connection, transaction
from django.test import TransactionTestCase
from django.utils import timezone

from apps.retention import services
from apps.retention.models import RetentionRun
from apps.retention.tests.helpers import RetentionTestCase
from apps.sources.models import Message
from tests.factories import AccountFactory, ContactFactory, MessageFactory, SourceFactory


class ClaimTest(RetentionTestCase):
    def test_the_running_slot_cannot_be_claimed_twice(self):
        RetentionRun.objects.create(dry_run=False)
        with self.assertRaises(IntegrityError), transaction.atomic():
            RetentionRun.objects.create(dry_run=False)
        # Dry runs write nothing, so they need no claim and may overlap with anything.
        RetentionRun.objects.create(dry_run=True)
        RetentionRun.objects.create(dry_run=True)

    def test_a_run_that_starts_while_another_runs_is_recorded_as_skipped_and_purges_nothing(self):
        other_worker = RetentionRun.objects.create(dry_run=False)
        message = self.message(400)

        second = services.retention_run(dry_run=False, now=self.now)

        self.assertEqual(second.status, "skipped")
        self.assertIn(f"#{other_worker.pk}", second.error)
        self.assertEqual(second.counts, {})
        self.assertNotEqual(Message.objects.get(pk=message.pk).text, "")
        dry = services.retention_run(dry_run=True, now=self.now)  # a dry run still works meanwhile
        self.assertEqual((dry.status, dry.counts["Default"]["text_anonymised"]), ("finished", 1))

    def test_after_a_run_finishes_the_next_one_may_claim(self):
        first = services.retention_run(dry_run=False, now=self.now)
        second = services.retention_run(dry_run=False, now=self.now)
        self.assertEqual((first.status, second.status), ("finished", "finished"))

    def test_a_claim_left_by_a_dead_worker_is_taken_over_after_six_hours(self):
        dead = RetentionRun.objects.create(dry_run=False, started_at=timezone.now() - dt.timedelta(hours=7))
        message = self.message(400)

        run = services.retention_run(dry_run=False, now=self.now)

        dead.refresh_from_db()
        self.assertEqual(dead.status, "failed")
        self.assertIn("Abandoned", dead.error)
        self.assertEqual(run.status, "finished")
        self.assertEqual(Message.objects.get(pk=message.pk).text, "")


@unittest.skipUnless(connection.vendor == "postgresql", "two workers at once need a server database")
class TwoWorkersTest(TransactionTestCase):
    """Two real runs in two threads (two connections), the second starting while the first works."""

    serialized_rollback = True  # keeps the built-in policies (a data migration) for the tests after this one

    def test_two_workers_at_once_purge_each_message_once_and_one_of_them_skips(self):
        account = AccountFactory()
        contact = ContactFactory(account=account)
        source = SourceFactory(slug="helpdesk")
        old = timezone.now() - dt.timedelta(days=400)
        ids = [
            MessageFactory(source=source, account=account, contact=contact, created_at_source=old).pk for _ in range(5)
        ]
        first_is_working, second_is_done = threading.Event(), threading.Event()
        real_apply = services._policy_apply
        results: dict[str, RetentionRun] = {}

        def slow_apply(*args, **kwargs):
            # The first worker holds the claim until the second has tried.
            first_is_working.set()
            second_is_done.wait(timeout=10)
            return real_apply(*args, **kwargs)

        def worker(name: str) -> None:
            try:
                results[name] = services.retention_run(dry_run=False)
            finally:
                connection.close()

        with mock.patch.object(services, "_policy_apply", side_effect=slow_apply):
            first = threading.Thread(target=worker, args=("first",))
            first.start()
            self.assertTrue(first_is_working.wait(timeout=10))
            second = threading.Thread(target=worker, args=("second",))
            second.start()
            second.join(timeout=10)
            second_is_done.set()
            first.join(timeout=20)

        self.assertEqual(results["second"].status, "skipped")
        self.assertEqual(results["first"].status, "finished")
        self.assertEqual(results["first"].counts["Default"]["text_anonymised"], 5)
        self.assertEqual(RetentionRun.objects.filter(dry_run=False, status="finished").count(), 1)
        self.assertEqual(Message.objects.filter(pk__in=ids, text="").count(), 5)
