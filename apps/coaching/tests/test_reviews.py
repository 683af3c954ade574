"""Reviews: a supervisor writes a draft and shares it, the agent comments and signs, the supervisor signs; once
signed by both it is read-only. Refusals say why and change nothing; every write is audited with its actor."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.coaching import services
from apps.coaching.models import CoachingReview, TeamReview

from .base import CoachingTestCase


class ReviewFixtures(CoachingTestCase):
    def setUp(self):
        self.today = timezone.localdate()
        self.start = self.today - dt.timedelta(days=6)

    def draft(self, **fields) -> CoachingReview:
        return services.review_create(
            supervisor=self.sam,
            agent=self.dana,
            period_start=self.start,
            period_end=self.today,
            notes=fields.pop("notes", "Good recovery on T-1."),
            conversations=[services.ConversationRef(source_id=self.source.pk, thread_id="T-1", note="Talk it through")],
            actions=[services.ActionInput(text="Follow up", owner_id=self.dana.user_id, due_date=self.today)],
            **fields,
        )


class ReviewServiceTests(ReviewFixtures):
    def test_the_sign_off_flow_ends_read_only_and_refuses_what_does_not_fit(self):
        review = self.draft()
        with self.assertRaisesMessage(ValidationError, "must be shared"):
            services.review_sign(review=review, user=self.dana.user)
        services.review_share(review=review, user=self.sam)
        with self.assertRaisesMessage(ValidationError, "can no longer be edited"):
            services.review_update(review=review, user=self.sam, notes="changed", conversations=[], actions=[])
        services.review_sign(review=review, user=self.dana.user, comment="Agreed.")
        with self.assertRaisesMessage(ValidationError, "already signed"):
            services.review_sign(review=review, user=self.dana.user, comment="Again")
        with self.assertRaises(PermissionDenied):
            services.review_sign(review=review, user=self.olga)
        review = services.review_sign(review=review, user=self.sam)
        self.assertEqual(review.status, "signed")
        self.assertTrue(review.agent_signed_at and review.supervisor_signed_at)
        with self.assertRaisesMessage(ValidationError, "signed by both"):
            services.review_update(review=review, user=self.sam, notes="changed", conversations=[], actions=[])
        review.refresh_from_db()
        self.assertEqual((review.notes, review.agent_comment), ("Good recovery on T-1.", "Agreed."))

    def test_only_the_agents_own_conversations_in_the_period_can_be_discussed(self):
        for thread in ("E-1", "U-1", "nope"):
            with self.subTest(thread=thread), self.assertRaisesMessage(ValidationError, "Not a conversation"):
                services.review_create(
                    supervisor=self.sam,
                    agent=self.dana,
                    period_start=self.start,
                    period_end=self.today,
                    conversations=[services.ConversationRef(source_id=self.source.pk, thread_id=thread)],
                )
        self.assertFalse(CoachingReview.objects.exists())

    def test_a_supervisor_of_another_team_cannot_review_and_actions_need_a_participant(self):
        with self.assertRaises(PermissionDenied):
            services.review_create(
                supervisor=self.olga, agent=self.dana, period_start=self.start, period_end=self.today
            )
        with self.assertRaisesMessage(ValidationError, "owner must be the agent or a supervisor"):
            services.review_create(
                supervisor=self.sam,
                agent=self.dana,
                period_start=self.start,
                period_end=self.today,
                actions=[services.ActionInput(text="x", owner_id=self.ulf.user_id, due_date=self.today)],
            )
        self.assertFalse(CoachingReview.objects.exists())

    def test_every_write_is_audited_with_its_actor_and_notes_are_masked(self):
        from auditlog.context import set_actor

        with set_actor(self.sam):
            review = self.draft(notes="Private remark about the week")
            services.review_share(review=review, user=self.sam)
        entries = LogEntry.objects.get_for_object(review).order_by("id")
        self.assertEqual([e.action for e in entries], [LogEntry.Action.CREATE, LogEntry.Action.UPDATE])
        self.assertTrue(all(e.actor == self.sam for e in entries))
        self.assertNotIn("Private remark", str(entries[0].changes))
        self.assertTrue(LogEntry.objects.filter(content_type__model="reviewaction", actor=self.sam).exists())
        self.assertTrue(LogEntry.objects.filter(content_type__model="discussedconversation").exists())


class ReviewPageTests(ReviewFixtures):
    def test_the_supervisor_creates_a_review_from_the_conversation_list(self):
        url = reverse("coaching:review-new") + f"?agent={self.dana.pk}&period=7"
        page = self.sign_in(self.sam).get(url)
        self.assertContains(page, f'value="{self.source.pk}:T-1"')
        self.assertNotContains(page, "E-1")
        response = self.client.post(
            url,
            {
                "notes": "Great turnaround.",
                "conversation": [f"{self.source.pk}:T-1"],
                f"note:{self.source.pk}:T-1": "Acknowledge first",
                "action_rows": "3",
                "action_text_0": "Share the macro with the team",
                "action_owner_0": str(self.dana.user_id),
                "action_due_0": self.today.isoformat(),
            },
        )
        review = CoachingReview.objects.get()
        self.assertRedirects(response, reverse("coaching:review", args=[review.pk]))
        self.assertEqual(list(review.conversations.values_list("thread_id", "note")), [("T-1", "Acknowledge first")])
        self.assertEqual(review.actions.get().text, "Share the macro with the team")

    def test_bad_input_is_refused_with_a_message_and_nothing_is_created(self):
        url = reverse("coaching:review-new") + f"?agent={self.dana.pk}&period=7"
        response = self.sign_in(self.sam).post(url, {"notes": "x", "conversation": [f"{self.source.pk}:U-1"]})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Not a conversation of this agent in the period: U-1.", status_code=400)
        response = self.client.post(
            url, {"notes": "x", "action_text_0": "Do it", "action_owner_0": "", "action_due_0": ""}
        )
        self.assertContains(response, "needs a text, an owner and a due date", status_code=400)
        self.assertContains(response, 'value="Do it"', status_code=400)  # what was typed comes back
        self.assertFalse(CoachingReview.objects.exists())

    def test_the_agent_signs_the_supervisor_signs_and_edits_are_refused_with_a_message(self):
        review = self.draft()
        detail = reverse("coaching:review", args=[review.pk])
        self.assertEqual(self.sign_in(self.dana.user).get(detail).status_code, 404)  # a draft is not theirs yet
        self.sign_in(self.sam).post(reverse("coaching:review-act", args=[review.pk, "share"]))
        agent = self.sign_in(self.dana.user)
        page = agent.get(detail)
        self.assertContains(page, "Sign as agent")
        agent.post(reverse("coaching:review-act", args=[review.pk, "sign"]), {"comment": "Fair summary."})
        again = agent.post(reverse("coaching:review-act", args=[review.pk, "sign"]), {"comment": "Twice"}, follow=True)
        self.assertContains(again, "You have already signed this review.")
        supervisor = self.sign_in(self.sam)
        edit = supervisor.get(reverse("coaching:review-edit", args=[review.pk]), follow=True)
        self.assertContains(edit, "can no longer be edited")
        signed = supervisor.post(reverse("coaching:review-act", args=[review.pk, "sign"]), follow=True)
        self.assertContains(signed, "signed by both and read-only")
        self.assertContains(signed, "Signed by both. This review is read-only.")
        self.assertNotContains(signed, "Sign as supervisor")
        review.refresh_from_db()
        self.assertEqual((review.status, review.agent_comment), ("signed", "Fair summary."))
        edit = supervisor.get(reverse("coaching:review-edit", args=[review.pk]), follow=True)
        self.assertContains(edit, "signed by both and can no longer be changed")

    def test_others_cannot_see_or_sign_a_review(self):
        review = self.draft()
        services.review_share(review=review, user=self.sam)
        for user in (self.olga, self.outsider, self.emil.user):
            with self.subTest(user=user.username):
                client = self.sign_in(user)
                self.assertEqual(client.get(reverse("coaching:review", args=[review.pk])).status_code, 404)
                sign = client.post(reverse("coaching:review-act", args=[review.pk, "sign"]))
                self.assertEqual(sign.status_code, 404)
        review.refresh_from_db()
        self.assertIsNone(review.agent_signed_at)

    def test_a_team_review_is_written_signed_and_then_read_only(self):
        url = reverse("coaching:team-review", args=[self.team.pk]) + "?period=30"
        client = self.sign_in(self.sam)
        self.assertContains(client.get(url), "The team over this period")
        client.post(
            url,
            {
                "notes": "Outage week; rotate the queue.",
                "action_text_0": "Rota",
                "action_owner_0": str(self.sam.pk),
                "action_due_0": self.today.isoformat(),
            },
        )
        team_review = TeamReview.objects.get()
        self.assertEqual(team_review.actions.get().text, "Rota")
        client.post(reverse("coaching:team-review-act", args=[team_review.pk, "sign"]))
        again = client.post(reverse("coaching:team-review-act", args=[team_review.pk, "sign"]), follow=True)
        self.assertContains(again, "already signed")
        team_review.refresh_from_db()
        self.assertEqual((team_review.status, team_review.signed_by), ("signed", self.sam))
        self.assertEqual(
            self.sign_in(self.olga)
            .post(reverse("coaching:team-review-act", args=[team_review.pk, "save"]))
            .status_code,
            404,
        )


class ReviewApiTests(ReviewFixtures):
    def api(self, user):
        return self.client_for(user, purpose="coaching")

    def payload(self) -> dict:
        return {
            "agent": self.dana.pk,
            "period_start": self.start.isoformat(),
            "period_end": self.today.isoformat(),
            "notes": "Recovered well.",
            "conversations": [{"source": self.source.pk, "thread_id": "T-1", "note": "discuss"}],
            "actions": [{"text": "Follow up", "owner": self.dana.user_id, "due_date": self.today.isoformat()}],
        }

    def test_the_whole_flow_through_the_api_with_audit_entries_naming_the_token_users(self):
        created = self.api(self.sam).post(reverse("v1:coaching-review-list"), self.payload(), format="json")
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        review = CoachingReview.objects.get(pk=pk)
        self.assertEqual(LogEntry.objects.get_for_object(review).get(action=LogEntry.Action.CREATE).actor, self.sam)
        patched = self.api(self.sam).patch(
            reverse("v1:coaching-review-detail", args=[pk]), {"notes": "Edited."}, format="json"
        )
        self.assertEqual(patched.json()["notes"], "Edited.")
        self.assertEqual(patched.json()["conversations"][0]["thread_id"], "T-1")  # kept when not sent
        self.assertEqual(self.api(self.dana.user).get(reverse("v1:coaching-review-list")).json()["count"], 0)  # draft
        self.api(self.sam).post(reverse("v1:coaching-review-share", args=[pk]))
        refused = self.api(self.sam).patch(
            reverse("v1:coaching-review-detail", args=[pk]), {"notes": "x"}, format="json"
        )
        self.assertEqual(refused.status_code, 400)
        self.assertIn("can no longer be edited", str(refused.json()))
        signed = self.api(self.dana.user).post(
            reverse("v1:coaching-review-sign", args=[pk]), {"comment": "OK"}, format="json"
        )
        self.assertEqual(signed.status_code, 200, signed.content)
        twice = self.api(self.dana.user).post(reverse("v1:coaching-review-sign", args=[pk]), {}, format="json")
        self.assertEqual(twice.status_code, 400)
        self.assertIn("already signed", str(twice.json()))
        final = self.api(self.sam).post(reverse("v1:coaching-review-sign", args=[pk]), {}, format="json").json()
        self.assertEqual(final["status"], "signed")
        update = LogEntry.objects.get_for_object(review).filter(action=LogEntry.Action.UPDATE)
        self.assertEqual({e.actor for e in update}, {self.sam, self.dana.user})

    def test_others_get_404_or_403_and_nothing_changes(self):
        review = self.draft()
        services.review_share(review=review, user=self.sam)
        for user in (self.olga, self.outsider, self.emil.user):
            with self.subTest(user=user.username):
                self.assertEqual(
                    self.api(user).get(reverse("v1:coaching-review-detail", args=[review.pk])).status_code, 404
                )
                self.assertEqual(
                    self.api(user).post(reverse("v1:coaching-review-sign", args=[review.pk])).status_code, 404
                )
        self.assertEqual(
            self.api(self.outsider).post(reverse("v1:coaching-review-list"), self.payload(), format="json").status_code,
            403,
        )
        other_team = self.api(self.olga).post(reverse("v1:coaching-review-list"), self.payload(), format="json")
        self.assertEqual(other_team.status_code, 400)
        self.assertIn("agent", other_team.json()["errors"])
        self.assertEqual(CoachingReview.objects.count(), 1)
        self.assertEqual(
            self.client_for(None, purpose="coaching").get(reverse("v1:coaching-review-list")).status_code, 401
        )

    def test_writes_state_the_coaching_purpose_too(self):
        response = self.client_for(self.sam, purpose="support").post(
            reverse("v1:coaching-review-list"), self.payload(), format="json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(CoachingReview.objects.exists())
