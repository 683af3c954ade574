"""Audit entries name their actor, whether the change came from a session, a token or a task."""

from auditlog.models import LogEntry
from django.urls import reverse

from apps.core.tasks import enqueue_audited
from apps.core.testing import APITestCase
from apps.crm.models import Account
from tests.factories import UserFactory


def rename_account(account_id: int, name: str) -> None:
    """A stand-in for any background job that changes a governed model."""
    from apps.crm.services import account_update

    account_update(account=Account.objects.get(pk=account_id), name=name)


class AuditActorTest(APITestCase):
    def test_a_token_request_is_audited_as_the_tokens_user(self):
        url = reverse("v1:account-detail", kwargs={"pk": self.account.pk})
        self.client_for(self.owner).patch(url, {"name": "Renamed by token"}, format="json")
        entry = LogEntry.objects.get_for_object(self.account).latest("timestamp")
        self.assertEqual(entry.actor, self.owner)
        self.assertEqual(entry.changes_dict["name"], ["Owner's account", "Renamed by token"])

    def test_a_session_request_in_the_admin_is_audited_as_the_signed_in_user(self):
        admin = UserFactory(username="root", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        url = reverse("admin:crm_account_change", args=[self.account.pk])
        form = {
            "name": "Renamed in admin",
            "tier": "smb",
            "journey_stage": "onboarding",
            "lifecycle_status": "active",
            "arr": "12000",
            "currency": "EUR",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "account_manager": self.owner.pk,
        }
        response = self.client.post(url, form)
        self.assertEqual(response.status_code, 302, getattr(response, "context_data", {}).get("errors"))
        entry = LogEntry.objects.get_for_object(self.account).latest("timestamp")
        self.assertEqual(entry.actor, admin)

    def test_a_background_job_is_audited_as_the_user_who_queued_it(self):
        enqueue_audited(
            "apps.core.tests.test_audit.rename_account", self.account.pk, "Renamed by job", actor=self.owner
        )
        self.account.refresh_from_db()
        self.assertEqual(self.account.name, "Renamed by job")
        entry = LogEntry.objects.get_for_object(self.account).latest("timestamp")
        self.assertEqual(entry.actor, self.owner)

    def test_a_job_without_an_actor_is_recorded_with_none(self):
        enqueue_audited("apps.core.tests.test_audit.rename_account", self.account.pk, "System rename")
        entry = LogEntry.objects.get_for_object(self.account).latest("timestamp")
        self.assertIsNone(entry.actor)

    def test_customer_contact_details_are_masked_in_audit_diffs(self):
        from tests.factories import ContactFactory

        contact = ContactFactory(account=self.account, email="secret.person@customer.example")
        entry = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.CREATE)
        self.assertNotIn("secret.person", str(entry.changes))
