from django.urls import reverse
from guardian.shortcuts import get_perms

from apps.core.testing import APITestCase, APIViewTestCases
from apps.crm.models import Account, Contact, Segment
from tests.factories import AccountFactory, ContactFactory, SegmentFactory, UserFactory


class AccountAPITest(
    APIViewTestCases.GetObject,
    APIViewTestCases.ListObjects,
    APIViewTestCases.UpdateObject,
    APIViewTestCases.CreateObject,
    APIViewTestCases.DeleteObject,
):
    model = Account
    basename = "account"
    update_data = {"tier": "enterprise", "is_key_account": True}

    def make_object(self):
        return self.account

    def create_data(self):
        return {"name": "New Co", "tier": "smb", "arr": "5000.00", "currency": "EUR"}

    def test_outsider_lists_none_of_another_owners_accounts(self):
        AccountFactory.create_batch(3, account_manager=self.owner)
        response = self.client_for(self.outsider).get(reverse("v1:account-list"))
        self.assertEqual(response.json()["count"], 0)
        self.assertEqual(response.json()["results"], [])

    def test_owner_sees_own_accounts_but_not_others(self):
        response = self.client_for(self.owner).get(reverse("v1:account-list"))
        names = {row["name"] for row in response.json()["results"]}
        self.assertIn("Owner's account", names)
        self.assertNotIn("Someone else's account", names)

    def test_global_view_permission_sees_every_account(self):
        analyst = UserFactory(username="analyst")
        self.grant(analyst, Account, "view")
        response = self.client_for(analyst).get(reverse("v1:account-list"))
        self.assertEqual(response.json()["count"], Account.objects.count())

    def test_reassigning_the_manager_moves_the_object_grant(self):
        newcomer = UserFactory(username="newcomer")
        self.grant(self.owner, Account, "change")
        url = reverse("v1:account-detail", kwargs={"pk": self.account.pk})
        response = self.client_for(self.owner).patch(url, {"account_manager": newcomer.pk}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertIn("view_account", get_perms(newcomer, self.account))
        self.assertEqual(self.client_for(newcomer).get(url).status_code, 200)

    def test_a_negative_arr_is_a_400_that_says_why(self):
        url = reverse("v1:account-detail", kwargs={"pk": self.account.pk})
        response = self.client_for(self.owner).patch(url, {"arr": "-1"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("arr", response.json()["errors"])
        self.account.refresh_from_db()
        self.assertEqual(self.account.arr, 12000)

    def test_a_bad_currency_is_refused(self):
        url = reverse("v1:account-detail", kwargs={"pk": self.account.pk})
        response = self.client_for(self.owner).patch(url, {"currency": "euro"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("currency", response.json()["errors"])

    def test_page_size_is_capped(self):
        self.grant(self.owner, Account, "view")
        AccountFactory.create_batch(5)
        with self.settings(API_MAX_PAGE_SIZE=3):
            response = self.client_for(self.owner).get(reverse("v1:account-list"), {"page_size": 1000})
        self.assertEqual(len(response.json()["results"]), 3)
        self.assertIsNotNone(response.json()["next"])


class ContactAPITest(APIViewTestCases.GetObject, APIViewTestCases.ListObjects, APIViewTestCases.UpdateObject):
    model = Contact
    basename = "contact"
    update_data = {"title": "Head of Operations"}

    def make_object(self):
        return ContactFactory(account=self.account)

    def test_a_contact_cannot_be_created_on_an_account_the_user_cannot_see(self):
        self.grant(self.owner, Contact, "add")
        response = self.client_for(self.owner).post(
            reverse("v1:contact-list"), {"account": self.other_account.pk, "name": "Mallory"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("account", response.json()["errors"])
        self.assertFalse(Contact.objects.filter(name="Mallory").exists())

    def test_email_becomes_an_identity(self):
        contact = ContactFactory(account=self.account, email="Jo@Customer.Example")
        self.assertEqual(contact.email, "jo@customer.example")
        self.assertTrue(contact.identities.filter(kind="email", value="jo@customer.example").exists())


class SegmentAPITest(APITestCase):
    def test_segments_need_a_model_wide_grant(self):
        SegmentFactory(name="Retail")
        self.assertEqual(self.client_for(self.outsider).get(reverse("v1:segment-list")).json()["count"], 0)
        self.grant(self.outsider, Segment, "view")
        self.assertGreaterEqual(self.client_for(self.outsider).get(reverse("v1:segment-list")).json()["count"], 1)
