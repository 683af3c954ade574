"""Admin: teams and their supervisors' grants, agent profiles, reviews read-only once signed."""

from __future__ import annotations

from django.urls import reverse

from apps.coaching import services
from apps.coaching.models import AgentProfile
from apps.governance.models import Purpose
from tests.factories import UserFactory

from .base import CoachingTestCase


class AdminTests(CoachingTestCase):
    def setUp(self):
        self.admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(self.admin)

    def test_the_lists_and_forms_render(self):
        for name in ("team", "agentprofile", "coachingreview", "teamreview"):
            with self.subTest(model=name):
                self.assertEqual(self.client.get(reverse(f"admin:coaching_{name}_changelist")).status_code, 200)
                self.assertEqual(self.client.get(reverse(f"admin:coaching_{name}_add")).status_code, 200)
        self.assertContains(self.client.get(reverse("admin:coaching_team_change", args=[self.team.pk])), "agent.dana")

    def test_changing_a_teams_supervisors_in_the_admin_moves_the_grants(self):
        url = reverse("admin:coaching_team_change", args=[self.team.pk])
        members = list(self.team.members.all())
        data = {
            "name": self.team.name,
            "description": "",
            "supervisors": [self.olga.pk],
            "members-TOTAL_FORMS": str(len(members)),
            "members-INITIAL_FORMS": str(len(members)),
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
        }
        for n, member in enumerate(members):
            data |= {
                f"members-{n}-id": str(member.pk),
                f"members-{n}-team": str(self.team.pk),
                f"members-{n}-user": str(member.user_id),
                f"members-{n}-handles": f'["{member.handles[0]}"]',
                f"members-{n}-is_active": "on",
            }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertFalse(self.sam.has_perm("coaching.view_team", self.team))
        self.assertTrue(self.olga.has_perm("coaching.view_team", self.team))
        self.assertFalse(AgentProfile.objects.restrict(self.sam).filter(pk=self.dana.pk).exists())

    def test_a_handle_another_agent_uses_is_refused(self):
        with self.assertRaisesMessage(Exception, "Already another agent's handle"):
            services.agent_profile_save(
                user=UserFactory(username="agent.new"), team=self.team, handles=["DANA@team.example"]
            )

    def test_a_signed_review_is_read_only_in_the_admin(self):
        import datetime as dt

        from django.utils import timezone

        today = timezone.localdate()
        review = services.review_create(
            supervisor=self.sam, agent=self.dana, period_start=today - dt.timedelta(days=3), period_end=today, notes="n"
        )
        services.review_share(review=review, user=self.sam)
        services.review_sign(review=review, user=self.dana.user)
        services.review_sign(review=review, user=self.sam)
        page = self.client.get(reverse("admin:coaching_coachingreview_change", args=[review.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="_save"')
        response = self.client.post(reverse("admin:coaching_coachingreview_change", args=[review.pk]), {"notes": "x"})
        self.assertEqual(response.status_code, 403)
        review.refresh_from_db()
        self.assertEqual(review.notes, "n")

    def test_the_coaching_purpose_allows_supervisors_and_agents(self):
        roles = set(Purpose.objects.get(key="coaching").allowed_roles.values_list("name", flat=True))
        self.assertTrue({"Support Supervisor", "Support Agent"} <= roles)
        self.assertNotIn("Account Manager", roles)
