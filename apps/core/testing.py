"""Test helpers: three actors for every permission test, and reusable API test cases.

The actors (healthchecks' ``hc/test.py``):
- ``owner``: the account manager of ``self.account`` (view and change it);
- ``member``: a colleague granted view-only access to ``self.account``;
- ``outsider``: signed in, with no grant on it at all. Every permission test includes them.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def purposes_switched_on(*keys: str, roles_for=(), role: str = "Purpose readers (tests)") -> None:
    """Approve the DPIA and switch on ``keys`` (the register comes from a migration); give ``roles_for`` a role
    allowed to use them. The default role holds no permission at all, so it changes nothing else a user may do."""
    import datetime as dt

    from django.apps import apps as registry
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from apps.governance.models import Purpose
    from apps.governance.register import ensure_register
    from apps.governance.services import dpia_approve

    ensure_register(registry)  # a transactional test before this one may have flushed the migration's data
    reviewer = get_user_model().objects.get_or_create(username="dpo", defaults={"email": "dpo@example.com"})[0]
    for purpose in Purpose.objects.filter(key__in=keys).select_related("dpia"):
        if not purpose.dpia.is_valid:
            dpia_approve(
                dpia=purpose.dpia, reviewer=reviewer, next_review_date=timezone.localdate() + dt.timedelta(days=365)
            )
        purpose.is_active = True
        purpose.save()
        purpose.allowed_roles.add(Group.objects.get_or_create(name=role)[0])
    group = Group.objects.get(name=role)
    for user in roles_for:
        user.groups.add(group)


class ActorsTestCase(TestCase):
    """Gives ``owner``, ``member`` and ``outsider``, and an account that the owner manages."""

    @classmethod
    def setUpTestData(cls):
        from tests.factories import AccountFactory, UserFactory

        cls.owner = UserFactory(username="owner")
        cls.member = UserFactory(username="member")
        cls.outsider = UserFactory(username="outsider")
        cls.account = AccountFactory(name="Owner's account", account_manager=cls.owner)
        cls.other_account = AccountFactory(name="Someone else's account")
        assign_perm("crm.view_account", cls.member, cls.account)
        # Every actor may read emotion data for "support": what decides what they see is the object grants.
        purposes_switched_on("support", roles_for=[cls.owner, cls.member, cls.outsider])

    @staticmethod
    def grant_perm(user, perm: str) -> None:
        """Give ``user`` a named permission, e.g. ``scoring.score_text``."""
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))

    @staticmethod
    def grant(user, model, *actions: str) -> None:
        """Give ``user`` a model-wide permission (e.g. ``add``)."""
        ct = ContentType.objects.get_for_model(model)
        for action in actions:
            user.user_permissions.add(
                Permission.objects.get(content_type=ct, codename=f"{action}_{model._meta.model_name}")
            )


class APITestCase(ActorsTestCase):
    """Clients authenticated by token, as integrations are."""

    def client_for(self, user, purpose: str | None = "support") -> APIClient:
        client = APIClient(**({"HTTP_X_PURPOSE": purpose} if purpose else {}))
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client


class APIViewTestCases:
    """Reusable cases (NetBox's ``utilities/testing/api.py``): anonymous, outsider, member, owner.

    A concrete case sets ``model``, ``basename`` and implements ``make_object()`` — an object that
    belongs to ``self.account`` — plus, for writes, ``update_data`` and ``create_data()``.
    """

    class Base(APITestCase):
        model = None
        basename = ""

        def make_object(self):
            raise NotImplementedError

        def list_url(self) -> str:
            return reverse(f"v1:{self.basename}-list")

        def detail_url(self, obj) -> str:
            return reverse(f"v1:{self.basename}-detail", kwargs={"pk": obj.pk})

    class GetObject(Base):
        def test_anonymous_is_refused(self):
            obj = self.make_object()
            self.assertEqual(self.client_for(None).get(self.detail_url(obj)).status_code, 401)

        def test_outsider_gets_404(self):
            obj = self.make_object()
            self.assertEqual(self.client_for(self.outsider).get(self.detail_url(obj)).status_code, 404)

        def test_member_can_read(self):
            obj = self.make_object()
            response = self.client_for(self.member).get(self.detail_url(obj))
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(response.json()["id"], obj.pk)

    class ListObjects(Base):
        def test_anonymous_is_refused(self):
            self.assertEqual(self.client_for(None).get(self.list_url()).status_code, 401)

        def test_outsider_lists_nothing(self):
            self.make_object()
            response = self.client_for(self.outsider).get(self.list_url())
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["count"], 0)

        def test_owner_lists_only_what_they_may_see(self):
            obj = self.make_object()
            response = self.client_for(self.owner).get(self.list_url())
            self.assertEqual(response.status_code, 200)
            ids = [row["id"] for row in response.json()["results"]]
            self.assertIn(obj.pk, ids)
            self.assertEqual(len(ids), response.json()["count"])

    class UpdateObject(Base):
        update_data: dict = {}

        def test_outsider_cannot_change_it(self):
            obj = self.make_object()
            response = self.client_for(self.outsider).patch(self.detail_url(obj), self.update_data, format="json")
            self.assertEqual(response.status_code, 404)

        def test_view_only_member_cannot_change_it(self):
            obj = self.make_object()
            response = self.client_for(self.member).patch(self.detail_url(obj), self.update_data, format="json")
            self.assertEqual(response.status_code, 404)

        def test_owner_change_leaves_an_audit_entry_naming_the_token_user(self):
            obj = self.make_object()
            response = self.client_for(self.owner).patch(self.detail_url(obj), self.update_data, format="json")
            self.assertEqual(response.status_code, 200, response.content)
            entry = LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
            self.assertEqual(entry.actor, self.owner)

    class CreateObject(Base):
        def create_data(self) -> dict:
            raise NotImplementedError

        def test_anonymous_cannot_create(self):
            response = self.client_for(None).post(self.list_url(), self.create_data(), format="json")
            self.assertEqual(response.status_code, 401)

        def test_outsider_without_add_permission_is_forbidden(self):
            before = self.model.objects.count()
            response = self.client_for(self.outsider).post(self.list_url(), self.create_data(), format="json")
            self.assertEqual(response.status_code, 403)
            self.assertEqual(self.model.objects.count(), before)

        def test_user_with_add_permission_creates_and_is_audited(self):
            self.grant(self.owner, self.model, "add")
            response = self.client_for(self.owner).post(self.list_url(), self.create_data(), format="json")
            self.assertEqual(response.status_code, 201, response.content)
            obj = self.model.objects.get(pk=response.json()["id"])
            entry = LogEntry.objects.get_for_object(obj).get(action=LogEntry.Action.CREATE)
            self.assertEqual(entry.actor, self.owner)

    class DeleteObject(Base):
        def test_outsider_cannot_delete_it(self):
            obj = self.make_object()
            response = self.client_for(self.outsider).delete(self.detail_url(obj))
            self.assertEqual(response.status_code, 404)
            self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())
