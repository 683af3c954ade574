"""The outcomes API: restricted lists, single and bulk writes, all or nothing, per-item results."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import APITestCase, APIViewTestCases
from apps.monitoring.models import AccountOutcome
from apps.monitoring.tests.factories import outcome
from tests.factories import UserFactory

DAY = timezone.localdate() - dt.timedelta(days=2)


class OutcomeReadTest(APIViewTestCases.GetObject, APIViewTestCases.ListObjects):
    model = AccountOutcome
    basename = "accountoutcome"

    def make_object(self):
        return outcome(account=self.account, occurred_on=DAY)

    def test_outsider_does_not_see_it_in_the_list_and_no_purpose_is_needed(self):
        outcome(account=self.account, occurred_on=DAY)
        outcome(account=self.other_account, occurred_on=DAY)
        response = self.client_for(self.owner, purpose=None).get(self.list_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual([r["account"] for r in response.json()["results"]], [self.account.pk])


class OutcomeWriteTest(APITestCase):
    def setUp(self):
        self.url = reverse("v1:accountoutcome-list")
        self.grant(self.owner, AccountOutcome, "add")

    def item(self, **over):
        return {
            "account_external_id": self.account.external_id,
            "kind": "churned",
            "occurred_on": DAY.isoformat(),
        } | over

    def test_one_outcome_is_created_and_audited_with_the_token_user(self):
        response = self.client_for(self.owner, purpose=None).post(self.url, self.item(value="-900"), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["summary"]["created"], 1)
        created = AccountOutcome.objects.get(pk=body["results"][0]["id"])
        self.assertEqual(created.source, "api")
        entry = LogEntry.objects.get_for_object(created).get(action=LogEntry.Action.CREATE)
        self.assertEqual(entry.actor, self.owner)

    def test_a_batch_with_one_bad_item_writes_nothing_and_says_which(self):
        items = [self.item(), self.item(kind="renewed"), self.item(kind="gone")]
        response = self.client_for(self.owner).post(self.url, {"outcomes": items}, format="json")
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertFalse(body["written"])
        self.assertEqual([(r["index"], r["status"]) for r in body["results"]], [(2, "invalid")])
        self.assertIn("kind", body["results"][0]["errors"])
        self.assertEqual(AccountOutcome.objects.count(), 0)

    def test_partial_with_no_valid_item_is_a_400_and_says_nothing_was_written(self):
        response = self.client_for(self.owner).post(f"{self.url}?partial=1", [self.item(kind="gone")], format="json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(response.json()["written"])

    def test_partial_writes_the_valid_items_with_a_207(self):
        items = [self.item(), self.item(kind="gone")]
        response = self.client_for(self.owner).post(f"{self.url}?partial=true", items, format="json")
        self.assertEqual(response.status_code, 207)
        self.assertEqual([r["status"] for r in response.json()["results"]], ["created", "invalid"])
        self.assertEqual(AccountOutcome.objects.count(), 1)

    def test_sending_it_again_is_unchanged(self):
        client = self.client_for(self.owner)
        client.post(self.url, [self.item()], format="json")
        response = client.post(self.url, [self.item()], format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["results"][0]["status"], "unchanged")
        self.assertEqual(AccountOutcome.objects.count(), 1)

    def test_an_account_the_user_may_not_see_is_an_item_error_not_a_write(self):
        item = self.item(account_external_id=self.other_account.external_id)
        response = self.client_for(self.owner).post(self.url, item, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("that you may see", response.json()["results"][0]["errors"]["account_external_id"][0])
        self.assertFalse(AccountOutcome.objects.exists())

    def test_more_than_a_thousand_is_refused(self):
        response = self.client_for(self.owner).post(self.url, [self.item()] * 1001, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("At most 1000", str(response.json()))
        self.assertFalse(AccountOutcome.objects.exists())

    def test_an_empty_or_shapeless_body_is_refused(self):
        for body in ([], "churned", {"outcomes": "x"}, ["churned"], [{"account_id": "9" * 40, "kind": "renewed"}]):
            response = self.client_for(self.owner).post(self.url, body, format="json")
            self.assertEqual(response.status_code, 400, body)

    def test_outsider_without_add_permission_is_forbidden(self):
        response = self.client_for(self.outsider).post(self.url, self.item(), format="json")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(AccountOutcome.objects.exists())

    def test_anonymous_is_refused(self):
        self.assertEqual(self.client_for(None).post(self.url, self.item(), format="json").status_code, 401)

    def test_the_integration_role_may_add_outcomes(self):
        integration = UserFactory(username="crm-sync")
        integration.groups.add(Group.objects.get(name="Integration"))
        response = self.client_for(integration, purpose=None).post(self.url, self.item(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
