from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from tests.factories import UserFactory


class WorkspaceLinksTests(TestCase):
    def _home_for(self, *groups: str) -> str:
        user = UserFactory()
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        self.client.force_login(user)
        return self.client.get(reverse("home")).content.decode()

    def test_an_agent_sees_accounts_and_coaching_but_not_model_health(self):
        html = self._home_for("Support Agent")
        self.assertIn(f'href="{reverse("crm:accounts")}"', html)
        self.assertIn(f'href="{reverse("coaching:index")}"', html)
        self.assertNotIn(f'href="{reverse("monitoring:model-cards")}"', html)
        self.assertNotIn(f'href="{reverse("validation:index")}"', html)

    def test_the_privacy_officer_sees_model_health_but_no_account_workspace(self):
        html = self._home_for("Privacy Officer")
        self.assertIn(f'href="{reverse("monitoring:model-cards")}"', html)
        self.assertNotIn(f'href="{reverse("crm:accounts")}"', html)

    def test_a_user_without_a_role_and_an_anonymous_visitor_see_no_workspace_links(self):
        for html in (self._home_for(), self.client.logout() or self.client.get(reverse("home")).content.decode()):
            for name in ("crm:accounts", "coaching:index", "validation:index", "monitoring:model-cards"):
                self.assertNotIn(f'href="{reverse(name)}"', html)
