"""The workspace demo seed runs twice without duplicating anything."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import TestCase
from guardian.shortcuts import get_objects_for_user

from apps.crm import demo
from apps.crm.models import AccountEmotionDay, HandoffNote
from apps.crm.tests.factories import scored
from tests.factories import AccountFactory, ContactFactory, UserFactory


class DemoSeedTest(TestCase):
    def test_it_is_idempotent_and_gives_agents_and_managers_something_to_see(self):
        alice = UserFactory(username="am.alice")
        dana = UserFactory(username="agent.dana")
        dana.groups.add(Group.objects.get_or_create(name="Support Agent")[0])
        for i in range(4):
            account = AccountFactory(
                external_id=f"DEMO-{i:04d}", name=f"Demo {i}", account_manager=alice, is_key_account=True
            )
            ContactFactory(account=account, name=f"Person {i}")
            scored(account, dominant="anger" if i % 2 else "joy", valence=-0.7 if i % 2 else 0.6)
        first = demo.seed()
        second = demo.seed()
        self.assertEqual(first, second)
        self.assertEqual(first["handoff notes"], 3)
        self.assertEqual(HandoffNote.objects.count(), 3)
        self.assertEqual(AccountEmotionDay.objects.count(), 4)
        self.assertEqual(get_objects_for_user(dana, "crm.view_account").count(), 4)
        worst = HandoffNote.objects.order_by("account__name").first()
        self.assertEqual((worst.author, worst.to_team), (dana, "success"))
