"""The workspace pages: who sees what, the purpose they state, what the access log says, and what they show."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse
from guardian.shortcuts import get_perms

from apps.core.testing import ActorsTestCase
from apps.crm import services
from apps.crm.models import HandoffNote
from apps.crm.tests.factories import ensure_taxonomy, scored
from apps.governance.models import DataAccessLog
from apps.governance.pages import SESSION_KEY
from tests.factories import AccountFactory, ContactFactory, UserFactory


def open_alert(account, *, status: str = "open", severity: str = "high"):
    from django.utils import timezone

    from apps.alerts.models import Alert, AlertRule

    rule = AlertRule.objects.get_or_create(name="Furious customer", defaults={"is_active": True})[0]
    now = timezone.now()
    return Alert.objects.create(
        rule=rule,
        account=account,
        dedup_key=f"{rule.pk}:{account.pk}:{status}",
        title=f"Furious customer at {account}",
        severity=severity,
        status=status,
        first_triggered_at=now,
        last_triggered_at=now,
        owner=account.account_manager,
    )


class PageTestCase(ActorsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ensure_taxonomy()
        cls.contact = ContactFactory(account=cls.account, name="Rita Furious", email="rita@owner.example")
        scored(
            cls.account,
            contact=cls.contact,
            dominant="anger",
            valence=-0.8,
            intensity=0.95,
            days_ago=2,
            text="Third outage this week, I am furious.",
            explanation={"drivers": [{"term": "furious", "label": "anger", "weight": 1.0, "source": "lexicon"}]},
        )
        scored(cls.account, contact=cls.contact, dominant="joy", valence=0.6, days_ago=20)
        scored(cls.other_account, dominant="joy", valence=0.9, text="Secret of someone else's account.")
        services.account_rollups_rebuild()

    def signed_in(self, user, purpose: str | None = "support"):
        self.client.force_login(user)
        if purpose:
            session = self.client.session
            session[SESSION_KEY] = purpose
            session.save()
        return self.client


class AccountPageTest(PageTestCase):
    def url(self, account=None):
        return reverse("crm:account", args=[(account or self.account).pk])

    def test_the_owner_sees_the_timeline_drivers_and_explanation(self):
        response = self.signed_in(self.owner).get(self.url())
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('id="emotion-timeline"', html)
        self.assertIn("mean valence -0.80 over 1 messages</title></circle>", html)  # a point with its tooltip
        self.assertIn("Third outage this week, I am furious.", html)
        self.assertIn("furious → anger", html)
        self.assertIn("The timeline as a table", html)

    def test_a_view_only_member_sees_it_too_but_the_outsider_gets_404(self):
        self.assertEqual(self.signed_in(self.member).get(self.url()).status_code, 200)
        self.assertEqual(self.signed_in(self.outsider).get(self.url()).status_code, 404)
        self.assertEqual(self.signed_in(self.owner).get(self.url(self.other_account)).status_code, 404)

    def test_without_a_purpose_the_user_is_sent_to_choose_one(self):
        response = self.signed_in(self.owner, purpose=None).get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("governance:choose-purpose")))
        self.assertFalse(DataAccessLog.objects.filter(resource="page:crm-account").exists())

    def test_anonymous_is_sent_to_sign_in(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_the_access_log_names_the_account_and_the_contacts_whose_messages_were_shown(self):
        self.signed_in(self.owner).get(self.url())
        log = DataAccessLog.objects.filter(resource="page:crm-account").latest("id")
        self.assertEqual((log.user, log.purpose, log.outcome), (self.owner, "support", "allowed"))
        self.assertEqual(log.account_ids, [self.account.pk])
        self.assertEqual(log.contact_ids, [self.contact.pk])

    def test_it_shows_the_state_against_the_segment_and_by_journey_stage(self):
        response = self.signed_in(self.owner).get(self.url())
        ctx = response.context["ctx"]
        self.assertEqual(ctx.current["n"], 2)
        self.assertEqual(ctx.current["dominant"], "anger")
        self.assertEqual(ctx.baseline["segment"], self.account.segment.name)
        self.assertEqual([s["stage"] for s in ctx.stages], [self.account.journey_stage])
        self.assertContains(response, "Now against the segment")

    def test_its_only_frame_policy_is_deny(self):
        response = self.signed_in(self.owner).get(self.url())
        self.assertEqual(response["X-Frame-Options"], "DENY")


class HandoffNoteTest(PageTestCase):
    def setUp(self):
        self.grant(self.owner, HandoffNote, "add")
        self.grant(self.member, HandoffNote, "add")

    def url(self):
        return reverse("crm:account", args=[self.account.pk])

    def test_the_owner_writes_a_note_and_it_is_shown_first_and_audited(self):
        from auditlog.models import LogEntry

        client = self.signed_in(self.owner)
        data = {"from_team": "support", "to_team": "success", "context": "Angry about outages; promised a call."}
        response = client.post(self.url(), data)
        self.assertRedirects(response, self.url())
        note = HandoffNote.objects.get()
        self.assertEqual((note.author, note.account, note.to_team), (self.owner, self.account, "success"))
        client.post(self.url(), {**data, "context": "Calmer now; renewal talk next week.", "to_team": "renewal"})
        page = client.get(self.url())
        html = page.content.decode()
        self.assertLess(html.index("Calmer now"), html.index("Angry about outages"))
        self.assertLess(html.index("Calmer now"), html.index('id="emotion-timeline"'))
        self.assertTrue(LogEntry.objects.get_for_object(note).filter(actor=self.owner).exists())

    def test_an_empty_note_or_one_to_the_same_team_is_a_400_that_says_why_and_saves_nothing(self):
        client = self.signed_in(self.owner)
        response = client.post(self.url(), {"from_team": "support", "to_team": "success", "context": "   "})
        self.assertContains(response, "Write the emotional context for the next owner.", status_code=400)
        response = client.post(self.url(), {"from_team": "support", "to_team": "support", "context": "Calm."})
        self.assertContains(response, "A handoff goes to another team", status_code=400)
        self.assertFalse(HandoffNote.objects.exists())

    def test_the_outsider_cannot_write_one(self):
        self.grant(self.outsider, HandoffNote, "add")
        response = self.signed_in(self.outsider).post(
            self.url(), {"from_team": "support", "to_team": "success", "context": "x"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(HandoffNote.objects.exists())

    def test_a_role_without_the_permission_is_refused(self):
        nobody = UserFactory(username="viewer")
        from guardian.shortcuts import assign_perm

        from apps.core.testing import purposes_switched_on

        assign_perm("crm.view_account", nobody, self.account)
        purposes_switched_on("support", roles_for=[nobody])
        response = self.signed_in(nobody).post(
            self.url(), {"from_team": "support", "to_team": "success", "context": "x"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(HandoffNote.objects.exists())

    def test_handing_to_success_with_a_new_owner_moves_the_account_and_its_grants(self):
        from django.contrib.auth.models import Group

        successor = UserFactory(username="csm")
        successor.groups.add(Group.objects.get_or_create(name="Account Manager")[0])
        response = self.signed_in(self.owner).post(
            self.url(),
            {"from_team": "support", "to_team": "success", "context": "Over to you.", "new_owner": successor.pk},
        )
        self.assertRedirects(response, reverse("crm:accounts"))
        self.account.refresh_from_db()
        self.assertEqual(self.account.account_manager, successor)
        self.assertIn("view_account", get_perms(successor, self.account))
        self.assertNotIn("view_account", get_perms(self.owner, self.account))
        self.assertEqual(HandoffNote.objects.get().new_owner, successor)

    def test_a_new_owner_when_handing_to_sales_is_refused(self):
        from django.contrib.auth.models import Group

        successor = UserFactory(username="seller")
        successor.groups.add(Group.objects.get_or_create(name="Account Manager")[0])
        response = self.signed_in(self.owner).post(
            self.url(), {"from_team": "support", "to_team": "sales", "context": "x", "new_owner": successor.pk}
        )
        self.assertContains(response, "Only a handoff to customer success or renewals", status_code=400)
        self.account.refresh_from_db()
        self.assertEqual(self.account.account_manager, self.owner)

    def test_a_view_only_member_is_not_offered_reassignment(self):
        response = self.signed_in(self.member).get(self.url())
        self.assertNotIn("new_owner", response.context["form"].fields)


class MyAccountsTest(PageTestCase):
    url = reverse("crm:accounts")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.happy = AccountFactory(
            name="Happy Co", account_manager=cls.owner, tier="enterprise", journey_stage="advocacy"
        )
        for _ in range(3):
            scored(cls.happy, dominant="joy", valence=0.8, days_ago=3)
        open_alert(cls.account)
        open_alert(cls.account, status="resolved")
        open_alert(cls.other_account)
        cls.quiet = AccountFactory(name="Quiet Ltd", account_manager=cls.owner, tier="mid_market")
        services.account_rollups_rebuild()

    def names(self, response) -> list[str]:
        return [row.account.name for row in response.context["rows"]]

    def test_the_owner_lists_their_accounts_only_and_the_outsider_none(self):
        response = self.signed_in(self.owner).get(self.url)
        self.assertEqual(set(self.names(response)), {"Owner's account", "Happy Co", "Quiet Ltd"})
        self.assertNotContains(response, "Someone else's account")
        self.assertEqual(self.names(self.signed_in(self.outsider).get(self.url)), [])

    def test_rows_carry_health_trend_and_open_alerts(self):
        response = self.signed_in(self.owner).get(self.url)
        rows = {row.account.name: row for row in response.context["rows"]}
        # anger −0.8 and joy +0.6: mean −0.1, half negative → 100 × (0.6 × 0.45 + 0.4 × 0.5) = 47
        self.assertEqual(rows["Owner's account"].health, 47)
        self.assertEqual(rows["Happy Co"].health, 94)
        self.assertIsNone(rows["Quiet Ltd"].health)
        self.assertEqual((rows["Owner's account"].trend.direction, rows["Owner's account"].trend.delta), ("down", -82))
        self.assertEqual(rows["Happy Co"].trend.direction, "unknown")  # nothing in the previous fortnight
        self.assertEqual(rows["Owner's account"].open_alerts, 1)
        self.assertEqual(rows["Happy Co"].open_alerts, 0)

    def test_sorting_by_health_both_ways_puts_accounts_without_messages_last(self):
        client = self.signed_in(self.owner)
        self.assertEqual(
            self.names(client.get(self.url, {"sort": "health", "dir": "asc"})),
            ["Owner's account", "Happy Co", "Quiet Ltd"],
        )
        self.assertEqual(
            self.names(client.get(self.url, {"sort": "health", "dir": "desc"})),
            ["Happy Co", "Owner's account", "Quiet Ltd"],
        )
        self.assertEqual(
            self.names(client.get(self.url, {"sort": "name"})), ["Happy Co", "Owner's account", "Quiet Ltd"]
        )

    def test_filters_by_name_stage_tier_and_at_risk(self):
        client = self.signed_in(self.owner)
        self.assertEqual(self.names(client.get(self.url, {"q": "happy"})), ["Happy Co"])
        self.assertEqual(self.names(client.get(self.url, {"stage": "advocacy"})), ["Happy Co"])
        self.assertEqual(self.names(client.get(self.url, {"tier": "mid_market"})), ["Quiet Ltd"])
        # Owner's account fell from joy (health 88, 15–28 days ago) to anger (6, this fortnight): at risk.
        self.assertEqual(self.names(client.get(self.url, {"at_risk": "on"})), ["Owner's account"])
        self.assertEqual(self.names(client.get(self.url, {"at_risk": "on", "q": "happy"})), [])

    def test_an_unknown_sort_or_filter_value_falls_back_instead_of_failing(self):
        response = self.signed_in(self.owner).get(self.url, {"sort": "drop table", "stage": "nowhere"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["rows"]), 3)

    def test_the_access_log_names_the_accounts_listed(self):
        self.signed_in(self.owner).get(self.url)
        log = DataAccessLog.objects.filter(resource="page:crm-accounts").latest("id")
        self.assertEqual(set(log.account_ids), {self.account.pk, self.happy.pk, self.quiet.pk})

    def test_the_list_is_one_query_for_the_rows_however_many_accounts(self):
        client = self.signed_in(self.owner)
        client.get(self.url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(self.url)
        for i in range(5):
            account = AccountFactory(name=f"More {i}", account_manager=self.owner)
            scored(account, dominant="joy", valence=0.5)
        services.account_rollups_rebuild()
        with CaptureQueriesContext(connection) as more:
            client.get(self.url)
        self.assertEqual(len(more), len(few))


@override_settings(CRM_EMBED_FRAME_ANCESTORS=["https://acme.lightning.force.com", "https://app.hubspot.com"])
class EmbedPanelTest(PageTestCase):
    def url(self, account=None):
        return reverse("crm:embed", args=[(account or self.account).pk])

    def test_it_may_be_framed_only_by_the_allow_list(self):
        response = self.signed_in(self.owner).get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Security-Policy"],
            "frame-ancestors 'self' https://acme.lightning.force.com https://app.hubspot.com",
        )
        self.assertFalse(response.has_header("X-Frame-Options"))

    def test_it_is_read_only_and_compact(self):
        response = self.signed_in(self.owner).get(self.url())
        html = response.content.decode()
        self.assertNotIn("<form", html)
        self.assertNotIn("<textarea", html)
        self.assertIn("Third outage this week", html)

    def test_the_outsider_gets_404_and_the_read_is_logged_for_the_owner(self):
        self.assertEqual(self.signed_in(self.outsider).get(self.url()).status_code, 404)
        self.signed_in(self.owner).get(self.url())
        log = DataAccessLog.objects.filter(resource="page:crm-embed", user=self.owner).latest("id")
        self.assertEqual(log.account_ids, [self.account.pk])

    def test_signed_out_or_without_a_purpose_it_says_where_to_go_instead_of_redirecting(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Sign in (opens a new tab)")
        self.assertIn("frame-ancestors", response["Content-Security-Policy"])
        response = self.signed_in(self.owner, purpose=None).get(self.url())
        self.assertContains(response, "Choose a purpose (opens a new tab)")
        self.assertNotContains(response, "Third outage")

    @override_settings(CRM_EMBED_FRAME_ANCESTORS=[])
    def test_without_an_allow_list_only_this_site_may_frame_it(self):
        response = self.signed_in(self.owner).get(self.url())
        self.assertEqual(response["Content-Security-Policy"], "frame-ancestors 'self'")


class SuggestedReplyTest(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from apps.responses.models import ResponseTemplate
        from apps.responses.services import template_save

        ensure_taxonomy()
        template_save(
            user=None,
            name="Apology for anger",
            emotion="anger",
            body="Dear {{ contact.first_name }}, I am sorry about what happened at {{ account.name }}.",
        )
        for user in (cls.owner, cls.outsider):
            cls.grant(user, ResponseTemplate, "view")

    def test_the_account_page_suggests_a_filled_editable_reply_for_its_state(self):
        response = self.signed_in(self.owner).get(reverse("crm:account", args=[self.account.pk]))
        self.assertEqual(response.context["ctx"].suggestion.name, "Apology for anger")
        self.assertContains(response, "<textarea")
        self.assertContains(response, "Dear Rita, I am sorry about what happened at Owner&#x27;s account.")
        self.assertContains(response, "Wrong emotion?")  # frontline feedback next to each driver

    def test_the_embed_shows_it_read_only(self):
        response = self.signed_in(self.owner).get(reverse("crm:embed", args=[self.account.pk]))
        self.assertContains(response, "Apology for anger")
        self.assertNotContains(response, "<textarea")
