"""The retention run: which policy governs a message, what anonymising keeps, holds, dry runs, idempotency."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.exceptions import ValidationError

from apps.retention import services
from apps.retention.models import AnonymisedMessage, RetentionPolicy
from apps.retention.tests.helpers import RetentionTestCase, make_score
from apps.scoring.models import EmotionScore
from apps.sources.models import Message
from tests.factories import AccountFactory, ContactFactory, SegmentFactory, SourceFactory, UserFactory


def run(now, **kwargs):
    return services.retention_run(dry_run=kwargs.pop("dry_run", False), now=now, **kwargs)


class BuiltInPoliciesTest(RetentionTestCase):
    def test_the_built_in_policies_are_active_and_the_strict_ones_win(self):
        ranked = list(RetentionPolicy.objects.filter(is_active=True).values_list("name", flat=True))
        self.assertEqual(ranked, ["Vulnerable contacts", "Sensitive messages", "Default"])

    def test_a_vulnerable_contacts_40_day_old_text_is_anonymised_but_a_10_day_old_one_is_not(self):
        old = self.message(40, contact=self.vulnerable)
        recent = self.message(10, contact=self.vulnerable)
        ordinary = self.message(40)  # the default keeps text for a year

        result = run(self.now)

        old.refresh_from_db()
        recent.refresh_from_db()
        ordinary.refresh_from_db()
        self.assertEqual(old.text, "")
        self.assertIsNone(old.contact_id)
        self.assertIn("export has failed", recent.text)
        self.assertEqual(recent.contact, self.vulnerable)
        self.assertIn("export has failed", ordinary.text)
        self.assertEqual(result.status, "finished")
        self.assertEqual(result.counts["Vulnerable contacts"]["text_anonymised"], 1)
        self.assertEqual(result.counts["Default"]["text_anonymised"], 0)

    def test_anonymising_blanks_what_identifies_the_customer_and_keeps_what_aggregates_need(self):
        message = self.message(
            40,
            contact=self.vulnerable,
            self_reported={"survey": "Pulse", "nps": 3},
            content_hash="9f2c",
            sensitivity_reason="hardship cue",
        )
        score = make_score(message)

        run(self.now)

        message.refresh_from_db()
        for name in ("text", "subject", "author_handle", "url", "content_hash", "sensitivity_reason"):
            self.assertEqual(getattr(message, name), "", name)
        self.assertEqual(message.metadata, {})
        self.assertEqual(message.self_reported, {})
        self.assertIsNone(message.contact_id)
        # The row and the aggregate-safe fields stay: status, account, source, date, numeric signals, scores.
        self.assertEqual(message.status, "scored")
        self.assertEqual(message.account, self.account)
        self.assertEqual(message.source, self.helpdesk)
        self.assertEqual(message.rating, 2.0)
        self.assertEqual(message.raw_signal, -0.6)
        self.assertTrue(EmotionScore.objects.filter(pk=score.pk).exists())
        mark = AnonymisedMessage.objects.get(message=message)
        self.assertEqual((mark.policy.name, mark.because), ("Vulnerable contacts", "policy"))

    def test_a_sensitive_message_follows_the_stricter_policy(self):
        sensitive = self.message(40, is_sensitive=True, sensitivity_reason="bereavement cue")
        ordinary = self.message(40)

        result = run(self.now)

        sensitive.refresh_from_db()
        ordinary.refresh_from_db()
        self.assertEqual((sensitive.text, sensitive.sensitivity_reason), ("", ""))
        self.assertTrue(sensitive.is_sensitive)
        self.assertIn("export has failed", ordinary.text)
        self.assertEqual(result.counts["Sensitive messages"]["text_anonymised"], 1)

    def test_the_general_policy_leaves_recent_messages_and_anonymises_those_over_a_year_old(self):
        recent = [self.message(days) for days in (1, 100, 364)]
        old = self.message(400)

        result = run(self.now)

        for message in recent:
            message.refresh_from_db()
            self.assertNotEqual(message.text, "")
            self.assertEqual(message.contact, self.contact)
        old.refresh_from_db()
        self.assertEqual(old.text, "")
        self.assertEqual(result.counts["Default"]["text_anonymised"], 1)

    def test_scores_older_than_the_policy_keeps_them_are_deleted_and_newer_ones_kept(self):
        kept = make_score(self.message(80, contact=self.vulnerable))
        gone = [make_score(self.message(100, contact=self.vulnerable), version=v) for v in ("v1", "v2")]
        ordinary = make_score(self.message(100))  # the default keeps scores for two years

        result = run(self.now)

        self.assertEqual(EmotionScore.objects.filter(pk__in=[kept.pk, ordinary.pk]).count(), 2)
        self.assertFalse(EmotionScore.objects.filter(pk__in=[s.pk for s in gone]).exists())
        self.assertEqual(result.counts["Vulnerable contacts"]["scores_deleted"], 2)
        # The message itself stays (anonymised), only its scores went.
        self.assertTrue(Message.objects.filter(pk=gone[0].message_id, text="").exists())

    def test_a_vulnerable_contacts_message_keeps_its_strict_policy_after_its_contact_is_detached(self):
        message = self.message(60, contact=self.vulnerable)
        score = make_score(message)
        run(self.now)  # 60 days old: anonymised, contact detached, scores kept (90 days)
        self.assertIsNone(Message.objects.get(pk=message.pk).contact_id)
        self.assertTrue(EmotionScore.objects.filter(pk=score.pk).exists())

        later = run(self.now + dt.timedelta(days=31))  # 91 days old

        self.assertFalse(EmotionScore.objects.filter(pk=score.pk).exists())
        self.assertEqual(later.counts["Vulnerable contacts"]["scores_deleted"], 1)
        self.assertEqual(later.counts["Default"]["scores_deleted"], 0)


class CustomPoliciesTest(RetentionTestCase):
    def setUp(self):
        super().setUp()
        RetentionPolicy.objects.update(is_active=False)

    def test_a_delete_policy_deletes_old_messages_and_their_scores(self):
        services.retention_policy_create(name="Tickets", keep_text_days=30, action="delete", is_active=True)
        old, recent = self.message(31), self.message(29)
        make_score(old)

        result = run(self.now)

        self.assertFalse(Message.objects.filter(pk=old.pk).exists())
        self.assertFalse(EmotionScore.objects.filter(message_id=old.pk).exists())
        self.assertTrue(Message.objects.filter(pk=recent.pk).exists())
        self.assertEqual(
            result.counts["Tickets"], {"text_anonymised": 0, "messages_deleted": 1, "scores_deleted": 0, "held": 0}
        )

    def test_each_message_is_governed_by_the_first_matching_policy_only(self):
        enterprise = SegmentFactory(slug="enterprise", name="Enterprise")
        big = AccountFactory(name="Big Co", segment=enterprise)
        big_contact = ContactFactory(account=big, name="Bea Big")
        social = SourceFactory(slug="social", kind="social", platform="x")
        services.retention_policy_create(
            name="Social", source_kind="social", keep_text_days=7, is_active=True, priority=5
        )
        services.retention_policy_create(
            name="Enterprise", segment=enterprise, keep_text_days=60, is_active=True, priority=10
        )
        services.retention_policy_create(name="Everything", keep_text_days=20, is_active=True, priority=50)
        tweet = self.message(10, contact=big_contact, source=social)  # social wins over enterprise
        enterprise_ticket = self.message(30, contact=big_contact)  # enterprise keeps 60 days
        other_ticket = self.message(30)  # everything: 20 days

        result = run(self.now)

        self.assertEqual(Message.objects.get(pk=tweet.pk).text, "")
        self.assertNotEqual(Message.objects.get(pk=enterprise_ticket.pk).text, "")
        self.assertEqual(Message.objects.get(pk=other_ticket.pk).text, "")
        self.assertEqual(
            {name: c["text_anonymised"] for name, c in result.counts.items()},
            {"Social": 1, "Enterprise": 0, "Everything": 1, "ephemeral": 0},
        )

    def test_a_platform_policy_matches_the_messages_own_platform_or_else_its_sources(self):
        mixed = SourceFactory(slug="listening", kind="social", platform="other")
        services.retention_policy_create(name="TikTok", platform="tiktok", keep_text_days=1, is_active=True)
        on_tiktok = self.message(2, source=mixed, platform="tiktok")
        on_x = self.message(2, source=mixed, platform="x")
        tiktok_source = SourceFactory(slug="tiktok", kind="social", platform="tiktok")
        from_tiktok_source = self.message(2, source=tiktok_source)

        run(self.now)

        self.assertEqual(Message.objects.get(pk=on_tiktok.pk).text, "")
        self.assertEqual(Message.objects.get(pk=from_tiktok_source.pk).text, "")
        self.assertNotEqual(Message.objects.get(pk=on_x.pk).text, "")

    def test_an_inactive_policy_does_nothing_but_its_dry_run_shows_what_it_would_do(self):
        policy = services.retention_policy_create(name="Aggressive", keep_text_days=0, keep_scores_days=0)
        message = self.message(5)
        make_score(message)

        result = run(self.now)

        self.assertNotIn("Aggressive", result.counts)
        message.refresh_from_db()
        self.assertNotEqual(message.text, "")
        self.assertEqual(EmotionScore.objects.filter(message=message).count(), 1)
        preview = services.retention_policy_dry_run(policy=policy, now=self.now)
        self.assertEqual(
            preview["counts"], {"text_anonymised": 1, "messages_deleted": 0, "scores_deleted": 1, "held": 0}
        )
        self.assertEqual([row["id"] for row in preview["sample"]], [message.pk])
        self.assertIn("export has failed", preview["sample"][0]["excerpt"])
        self.assertFalse(preview["is_active"])
        message.refresh_from_db()
        self.assertNotEqual(message.text, "")

    def test_a_policy_dry_run_ranks_it_among_the_active_policies_and_samples_at_most_20(self):
        RetentionPolicy.objects.filter(name="Vulnerable contacts").update(is_active=True)
        policy = services.retention_policy_create(name="Everything", keep_text_days=10, priority=500)
        for _ in range(22):
            self.message(15)
        self.message(15, contact=self.vulnerable)  # the vulnerable policy has it

        preview = services.retention_policy_dry_run(policy=policy, now=self.now)

        self.assertEqual(preview["counts"]["text_anonymised"], 22)
        self.assertEqual(len(preview["sample"]), 20)

    def test_ephemeral_content_is_purged_at_its_expiry_whatever_the_policy_and_counted_apart(self):
        expired = self.message(1, expires_at=self.now - dt.timedelta(minutes=1))
        live = self.message(1, expires_at=self.now + dt.timedelta(hours=1))
        expired_vulnerable = self.message(1, contact=self.vulnerable, expires_at=self.now - dt.timedelta(hours=2))
        RetentionPolicy.objects.filter(name="Vulnerable contacts").update(is_active=True)

        result = run(self.now)

        expired.refresh_from_db()
        live.refresh_from_db()
        self.assertEqual((expired.text, expired.contact_id), ("", None))
        self.assertNotEqual(live.text, "")
        self.assertEqual(result.counts["ephemeral"]["text_anonymised"], 2)
        self.assertEqual(result.counts["Vulnerable contacts"]["text_anonymised"], 0)
        # Governed by no active policy, and by the vulnerable one: the ledger keeps which.
        self.assertIsNone(AnonymisedMessage.objects.get(message=expired).policy)
        self.assertEqual(AnonymisedMessage.objects.get(message=expired_vulnerable).policy.name, "Vulnerable contacts")
        self.assertEqual(run(self.now).counts["ephemeral"]["text_anonymised"], 0)

    def test_a_policy_needs_a_duration_of_zero_days_or_more_and_cannot_be_called_ephemeral(self):
        with self.assertRaises(ValidationError):
            services.retention_policy_create(name="Nothing")
        with self.assertRaises(ValidationError):
            services.retention_policy_create(name="Negative", keep_text_days=-1)
        with self.assertRaises(ValidationError):
            services.retention_policy_create(name="Ephemeral", keep_text_days=1)
        with self.assertRaises(ValidationError):
            services.retention_policy_create(name="Forever and a day", keep_scores_days=10**9)
        self.assertEqual(services.retention_policy_create(name="Scores only", keep_scores_days=0).keep_text_days, None)


class LegalHoldTest(RetentionTestCase):
    def setUp(self):
        super().setUp()
        self.lawyer = UserFactory(username="counsel")

    def hold(self, reason: str, **scope):
        """A hold placed by counsel a day before ``self.now``."""
        return services.legal_hold_place(
            reason=reason, placed_by=self.lawyer, starts_at=self.now - dt.timedelta(days=1), **scope
        )

    def test_a_legal_hold_pauses_purging_and_the_run_reports_what_it_held(self):
        held = self.message(40, contact=self.vulnerable)
        make_score(self.message(100, contact=self.vulnerable))
        hold = self.hold("Case 2024-17", contact=self.vulnerable)

        result = run(self.now)

        held.refresh_from_db()
        self.assertIn("export has failed", held.text)
        self.assertEqual(held.contact, self.vulnerable)
        self.assertEqual(EmotionScore.objects.count(), 1)
        self.assertEqual(result.counts["Vulnerable contacts"]["held"], 2)
        self.assertEqual(result.totals["text_anonymised"] + result.totals["scores_deleted"], 0)

        services.legal_hold_release(hold=hold)
        after = run(self.now)

        held.refresh_from_db()
        self.assertEqual(held.text, "")
        self.assertEqual(after.counts["Vulnerable contacts"]["held"], 0)
        self.assertEqual(after.counts["Vulnerable contacts"]["text_anonymised"], 2)
        self.assertEqual(EmotionScore.objects.count(), 0)

    def test_a_hold_on_an_account_and_a_source_holds_only_where_they_meet(self):
        chat = SourceFactory(slug="chat", kind="chat", platform="intercom")
        on_chat = self.message(400, source=chat)
        on_helpdesk = self.message(400)
        other = self.message(400, contact=ContactFactory(name="Olga Other"), source=chat)
        self.hold("Chat logs", account=self.account, source=chat)
        ephemeral = self.message(1, source=chat, expires_at=self.now - dt.timedelta(hours=1))

        result = run(self.now)

        self.assertNotEqual(Message.objects.get(pk=on_chat.pk).text, "")
        self.assertNotEqual(Message.objects.get(pk=ephemeral.pk).text, "")
        self.assertEqual(Message.objects.get(pk=on_helpdesk.pk).text, "")
        self.assertEqual(Message.objects.get(pk=other.pk).text, "")
        self.assertEqual(result.counts["Default"]["held"], 1)
        self.assertEqual(result.counts["ephemeral"]["held"], 1)

    def test_a_hold_that_has_ended_or_not_started_holds_nothing(self):
        ended = services.legal_hold_place(
            reason="Old matter",
            placed_by=self.lawyer,
            account=self.account,
            starts_at=self.now - dt.timedelta(days=30),
            ends_at=self.now - dt.timedelta(days=1),
        )
        services.legal_hold_place(
            reason="Future matter",
            placed_by=self.lawyer,
            account=self.account,
            starts_at=self.now + dt.timedelta(days=1),
        )
        message = self.message(400)

        run(self.now)

        self.assertEqual(Message.objects.get(pk=message.pk).text, "")
        self.assertFalse(ended.in_force(self.now))

    def test_holds_for_names_the_holds_that_cover_a_contact_an_account_or_a_source(self):
        from apps.retention.selectors import holds_for

        chat = SourceFactory(slug="chat", kind="chat", platform="intercom")
        stranger = ContactFactory(name="Sam Stranger")
        on_contact = self.hold("A", contact=self.contact)
        on_account = self.hold("B", account=self.account)
        on_chat = self.hold("C", source=chat)
        self.message(5, source=chat, contact=self.vulnerable)
        self.message(5, contact=self.contact)

        self.assertEqual(set(holds_for(contact=self.contact)), {on_contact, on_account})
        self.assertEqual(set(holds_for(contact=self.vulnerable)), {on_account, on_chat})  # it has chat messages
        self.assertEqual(set(holds_for(account=self.account)), {on_contact, on_account, on_chat})
        self.assertEqual(set(holds_for(contact=stranger)), set())
        self.assertEqual(set(holds_for(account=stranger.account)), set())
        self.assertEqual(set(holds_for(source=self.helpdesk)), {on_contact, on_account})
        self.assertEqual(set(holds_for(source=chat)), {on_chat, on_account})
        self.assertEqual(set(holds_for()), {on_contact, on_account, on_chat})
        services.legal_hold_release(hold=on_account)
        self.assertEqual(set(holds_for(contact=self.contact)), {on_contact})

    def test_a_hold_must_name_what_it_holds(self):
        with self.assertRaises(ValidationError):
            services.legal_hold_place(reason="Nothing", placed_by=self.lawyer)
        with self.assertRaises(ValidationError):
            services.legal_hold_place(
                reason="Mismatch", placed_by=self.lawyer, account=AccountFactory(), contact=self.contact
            )


class DryRunAndIdempotencyTest(RetentionTestCase):
    def setUp(self):
        super().setUp()
        services.retention_policy_create(
            name="Social deleted", source_kind="social", keep_text_days=14, keep_scores_days=7, action="delete",
            is_active=True, priority=30,
        )  # fmt: skip
        social = SourceFactory(slug="social", kind="social", platform="x")
        for days in (1, 20, 40, 100, 400, 800):
            for contact in (self.contact, self.vulnerable):
                make_score(self.message(days, contact=contact))
                make_score(self.message(days, contact=contact, is_sensitive=True))
                make_score(self.message(days, contact=contact, source=social))
        self.message(3, source=social, expires_at=self.now - dt.timedelta(hours=1))
        self.message(3, expires_at=self.now - dt.timedelta(hours=1))
        self.message(800, source=social, expires_at=self.now - dt.timedelta(days=799))
        self.message(400, expires_at=self.now - dt.timedelta(days=399))  # expired and past its policy's text cut
        services.legal_hold_place(
            reason="Hold",
            placed_by=UserFactory(username="counsel"),
            contact=self.vulnerable,
            source=social,
            starts_at=self.now - dt.timedelta(days=1),
        )

    def snapshot(self):
        return (
            list(Message.objects.order_by("pk").values_list("pk", "text", "contact_id", "status")),
            list(EmotionScore.objects.order_by("pk").values_list("pk", flat=True)),
        )

    def test_a_dry_run_writes_nothing_and_counts_exactly_what_the_real_run_then_does(self):
        before = self.snapshot()

        dry = run(self.now, dry_run=True, batch_size=3)

        self.assertEqual(self.snapshot(), before)
        self.assertTrue(dry.dry_run)
        self.assertGreater(sum(dry.totals.values()), 0)
        for policy in ("Vulnerable contacts", "Sensitive messages", "Social deleted", "Default", "ephemeral"):
            self.assertGreater(sum(dry.counts[policy].values()), 0, policy)

        real = run(self.now, batch_size=3)

        self.assertEqual((dry.status, real.status), ("finished", "finished"))
        self.assertEqual(real.counts, dry.counts)
        self.assertNotEqual(self.snapshot(), before)

    def test_running_twice_purges_nothing_more_the_second_time(self):
        first = run(self.now, batch_size=4)
        after_first = self.snapshot()

        second = run(self.now, batch_size=4)

        self.assertEqual(self.snapshot(), after_first)
        self.assertEqual((first.status, second.status), ("finished", "finished"))
        self.assertEqual(set(second.counts), set(first.counts))
        self.assertGreater(first.totals["text_anonymised"], 0)
        for key, counts in second.counts.items():
            # Held messages are still held (a gauge, not work done); everything else is zero.
            self.assertEqual({**counts, "held": 0}, dict.fromkeys(counts, 0), key)
            self.assertEqual(counts["held"], first.counts[key]["held"], key)

    def test_a_failing_run_is_recorded_as_failed_and_the_task_says_so(self):
        from apps.retention.tasks import run_retention

        with mock.patch.object(services, "_policy_apply", side_effect=RuntimeError("disk full")):
            failed = run(self.now)
            self.assertEqual((failed.status, failed.error), ("failed", "RuntimeError: disk full"))
            self.assertIsNotNone(failed.finished_at)
            with self.assertRaisesMessage(RuntimeError, "disk full"):
                run_retention()
        self.assertEqual(run(self.now).status, "finished")  # the failed run released the claim
