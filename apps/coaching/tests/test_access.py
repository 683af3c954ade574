"""Who sees what: a supervisor their teams, an agent only their own, anyone else a 404 — on pages and the API;
the coaching purpose is required, and every read lands in the data-access log."""

from __future__ import annotations

from django.urls import reverse

from apps.coaching import services
from apps.governance.models import DataAccessLog

from .base import CoachingTestCase


class PageAccessTests(CoachingTestCase):
    def test_the_supervisor_sees_their_team_most_exposed_first_and_not_another_team(self):
        response = self.sign_in(self.sam).get(reverse("coaching:index"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Support EU")
        self.assertContains(response, "agent.dana")
        self.assertNotContains(response, "agent.ulf")
        self.assertNotContains(response, "Support US")
        self.assertContains(response, "What coaching deliberately does not measure")
        self.assertContains(response, "Sales conversion and upsell")
        log = DataAccessLog.objects.filter(username="supervisor.sam").latest("id")
        self.assertEqual((log.purpose, log.outcome, log.resource), ("coaching", "allowed", "page:coaching-overview"))
        self.assertEqual(log.account_ids, [self.customer_account.pk])

    def test_the_agent_page_shows_the_conversations_with_their_outcomes_and_is_logged(self):
        response = self.sign_in(self.sam).get(reverse("coaching:agent", args=[self.dana.pk]) + "?period=7")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "T-1")
        self.assertContains(response, "negative (-0.80, anger)")
        self.assertContains(response, "positive (+0.60")
        self.assertContains(response, '<span class="tag">apology</span>', html=True)
        log = DataAccessLog.objects.filter(username="supervisor.sam").latest("id")
        self.assertEqual(log.resource, "page:coaching-agent")
        self.assertEqual((log.account_ids, log.contact_ids), ([self.customer_account.pk], [self.contact.pk]))

    def test_another_teams_supervisor_an_outsider_and_a_colleague_get_404(self):
        url = reverse("coaching:agent", args=[self.dana.pk])
        for user in (self.olga, self.outsider, self.emil.user):
            with self.subTest(user=user.username):
                self.assertEqual(self.sign_in(user).get(url).status_code, 404)
        self.assertEqual(self.sign_in(self.outsider).get(reverse("coaching:index")).status_code, 404)
        self.assertEqual(
            self.sign_in(self.olga).get(reverse("coaching:team-review", args=[self.team.pk])).status_code, 404
        )

    def test_an_agent_sees_their_own_figures_and_not_the_team_overview(self):
        response = self.sign_in(self.dana.user).get(reverse("coaching:index"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "My figures")
        self.assertNotContains(response, "agent.emil")
        self.assertEqual(self.client.get(reverse("coaching:agent", args=[self.dana.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("coaching:team-review", args=[self.team.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("coaching:review-new") + f"?agent={self.dana.pk}").status_code, 404)

    def test_pages_ask_for_the_coaching_purpose_and_refuse_a_role_that_may_not_use_it(self):
        url = reverse("coaching:agent", args=[self.dana.pk])
        for purpose in (None, "support"):
            response = self.sign_in(self.sam, purpose=purpose).get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("governance:choose-purpose"), response["Location"])
        # A supervisor of the team whose role may not use coaching: refused (403) and logged.
        self.team.supervisors.add(self.outsider.__class__.objects.create(username="no.role"))
        stranger = self.team.supervisors.get(username="no.role")
        services.team_supervisors_sync(team=self.team)
        self.assertEqual(self.sign_in(stranger).get(url).status_code, 403)
        log = DataAccessLog.objects.get(username="no.role")
        self.assertEqual((log.outcome, log.purpose), ("refused", "coaching"))

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.client.get(reverse("coaching:index"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_a_bad_period_says_what_is_wrong(self):
        response = self.sign_in(self.sam).get(reverse("coaching:agent", args=[self.dana.pk]) + "?period=12")
        self.assertContains(response, "period must be 7, 30, 90 or custom")

    def test_removing_a_supervisor_takes_their_access_away(self):
        services.team_save(team=self.team, name=self.team.name, supervisors=[self.olga])
        self.assertEqual(self.sign_in(self.sam).get(reverse("coaching:agent", args=[self.dana.pk])).status_code, 404)
        self.assertEqual(self.sign_in(self.olga).get(reverse("coaching:agent", args=[self.dana.pk])).status_code, 200)


class ApiAccessTests(CoachingTestCase):
    def metrics_url(self, agent) -> str:
        return reverse("v1:coaching-agent-metrics", args=[agent.pk])

    def test_the_supervisor_reads_an_agents_figures_with_their_explanations(self):
        response = self.client_for(self.sam, purpose="coaching").get(self.metrics_url(self.dana) + "?period=7")
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["summary"]["conversations"], 1)
        self.assertEqual(body["summary"]["recovery_rate"], 1.0)
        self.assertEqual(body["conversations"][0]["thread_id"], "T-1")
        self.assertEqual(body["conversations"][0]["behaviours"], ["apology"])
        self.assertIn("mislead", body["explanations"]["recovery_rate"])
        self.assertEqual(body["thresholds"]["negative_below"], -0.2)
        log = DataAccessLog.objects.filter(username="supervisor.sam").latest("id")
        self.assertEqual((log.purpose, log.resource), ("coaching", "api:coaching-agent-metrics"))
        self.assertEqual((log.account_ids, log.contact_ids), ([self.customer_account.pk], [self.contact.pk]))

    def test_a_custom_period_and_a_bad_one(self):
        client = self.client_for(self.sam, purpose="coaching")
        self.assertEqual(client.get(self.metrics_url(self.dana) + "?from=2026-01-01&to=2026-01-02").status_code, 200)
        response = client.get(self.metrics_url(self.dana) + "?from=2026-01-05&to=2026-01-01")
        self.assertEqual(response.status_code, 400)
        self.assertIn("ends before it starts", response.json()["errors"]["period"][0])

    def test_others_get_404_and_an_agent_reads_only_their_own(self):
        for user in (self.olga, self.outsider, self.emil.user):
            with self.subTest(user=user.username):
                response = self.client_for(user, purpose="coaching").get(self.metrics_url(self.dana))
                self.assertEqual(response.status_code, 404)
        own = self.client_for(self.dana.user, purpose="coaching")
        self.assertEqual(own.get(self.metrics_url(self.dana)).status_code, 200)
        self.assertEqual(
            [a["username"] for a in own.get(reverse("v1:coaching-agent-list")).json()["results"]], ["agent.dana"]
        )
        listed = self.client_for(self.outsider, purpose="coaching").get(reverse("v1:coaching-agent-list")).json()
        self.assertEqual(listed["count"], 0)

    def test_it_needs_the_coaching_purpose_and_logs_a_refusal(self):
        self.assertEqual(self.client_for(None, purpose="coaching").get(self.metrics_url(self.dana)).status_code, 401)
        self.assertEqual(self.client_for(self.sam, purpose=None).get(self.metrics_url(self.dana)).status_code, 403)
        response = self.client_for(self.sam, purpose="support").get(self.metrics_url(self.dana))
        self.assertEqual(response.status_code, 403)
        self.assertIn("coaching", response.json()["detail"])
        log = DataAccessLog.objects.filter(username="supervisor.sam").latest("id")
        self.assertEqual((log.outcome, log.purpose), ("refused", "support"))
