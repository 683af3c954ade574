"""The actors of the coaching tests: a team with its supervisor and two agents, another team, an outsider."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.utils import timezone

from apps.core.testing import APITestCase, purposes_switched_on
from tests.factories import AccountFactory, ContactFactory, SourceFactory, UserFactory

from .factories import agent_says, customer_says, team_with

DANA, EMIL, ULF = "dana@team.example", "emil@team.example", "ulf@us.example"


class CoachingTestCase(APITestCase):
    """``sam`` supervises Support EU (``dana``, ``emil``); ``olga`` supervises Support US (``ulf``); the
    ``outsider`` (an account manager here) may even use the coaching purpose, yet reaches nothing."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        purposes_switched_on("coaching", role="Coaching purpose (tests)", roles_for=[cls.outsider])
        cls.sam = UserFactory(username="supervisor.sam")
        cls.olga = UserFactory(username="supervisor.olga")
        for user in (cls.sam, cls.olga):
            user.groups.add(Group.objects.get(name="Support Supervisor"))
        cls.outsider.groups.add(Group.objects.get(name="Account Manager"))
        cls.team, (cls.dana, cls.emil) = team_with(
            "Support EU", supervisors=[cls.sam], agents=[("agent.dana", DANA), ("agent.emil", EMIL)]
        )
        cls.us_team, (cls.ulf,) = team_with("Support US", supervisors=[cls.olga], agents=[("agent.ulf", ULF)])
        for profile in (cls.dana, cls.emil, cls.ulf):
            profile.user.groups.add(Group.objects.get(name="Support Agent"))
        cls.source = SourceFactory(slug="helpdesk", name="Helpdesk")
        cls.customer_account = AccountFactory(name="Globex")
        contact = ContactFactory(account=cls.customer_account)
        cls.contact = contact
        at = timezone.now() - dt.timedelta(days=2)
        a = cls.customer_account
        customer_says(cls.source, "T-1", at, account=a, contact=contact, valence=-0.8, dominant="anger")
        agent_says(cls.source, "T-1", at + dt.timedelta(minutes=5), handle=DANA, account=a, text="I'm sorry.")
        customer_says(cls.source, "T-1", at + dt.timedelta(hours=1), account=a, contact=contact, valence=0.6)
        agent_says(cls.source, "E-1", at, handle=EMIL, account=a)
        agent_says(cls.source, "U-1", at, handle=ULF, account=a)

    def sign_in(self, user, purpose: str | None = "coaching"):
        self.client.force_login(user)
        if purpose:
            session = self.client.session
            session["emotionhub_purpose"] = purpose
            session.save()
        return self.client
