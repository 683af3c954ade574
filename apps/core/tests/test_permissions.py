from django.test import TestCase

from apps.core.permissions import permission_name, restrict_queryset
from apps.core.testing import ActorsTestCase
from apps.crm.models import Account, Contact, ContactIdentity
from tests.factories import ContactFactory, UserFactory


class RestrictTest(ActorsTestCase):
    def test_anonymous_sees_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertFalse(Account.objects.restrict(AnonymousUser()).exists())

    def test_outsider_sees_nothing_owner_and_member_see_the_account(self):
        self.assertFalse(Account.objects.restrict(self.outsider).exists())
        self.assertEqual(list(Account.objects.restrict(self.owner)), [self.account])
        self.assertEqual(list(Account.objects.restrict(self.member)), [self.account])

    def test_member_may_view_but_not_change(self):
        self.assertFalse(Account.objects.restrict(self.member, "change").exists())
        self.assertEqual(list(Account.objects.restrict(self.owner, "change")), [self.account])

    def test_children_follow_their_parent_through_each_hop(self):
        contact = ContactFactory(account=self.account)
        ContactFactory(account=self.other_account)
        identity = contact.identities.get()
        self.assertEqual(list(Contact.objects.restrict(self.member)), [contact])
        self.assertEqual(list(ContactIdentity.objects.restrict(self.member)), [identity])
        self.assertFalse(ContactIdentity.objects.restrict(self.outsider).exists())

    def test_inactive_user_sees_nothing(self):
        self.owner.is_active = False
        self.owner.save()
        self.assertFalse(Account.objects.restrict(self.owner).exists())

    def test_superuser_sees_everything(self):
        root = UserFactory(username="root", is_superuser=True)
        self.assertEqual(Account.objects.restrict(root).count(), Account.objects.count())


class PermissionNameTest(TestCase):
    def test_it_refuses_an_unknown_action(self):
        with self.assertRaises(ValueError):
            permission_name(Account, "approve")

    def test_it_builds_the_django_permission(self):
        self.assertEqual(permission_name(Account, "view"), "crm.view_account")

    def test_models_without_any_rule_are_hidden_without_a_grant(self):
        from django.contrib.auth.models import Group

        Group.objects.create(name="Somebody's group")
        user = UserFactory()
        self.assertFalse(restrict_queryset(Group.objects.all(), user).exists())
        root = UserFactory(is_superuser=True)
        self.assertTrue(restrict_queryset(Group.objects.all(), root).exists())
