"""An opt-out takes the contact's messages out of the alerts built on them."""

import pytest

from apps.alerts import services
from apps.alerts.models import Alert, AlertTrigger
from apps.alerts.tests.helpers import rule, scored
from apps.consent.services import optout_apply
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_an_opt_out_removes_the_contacts_triggers_and_evidence_but_keeps_the_alert():
    account = AccountFactory(is_key_account=True)
    contact = ContactFactory(account=account)
    other = ContactFactory(account=account)
    rule(threshold=0.8)
    mine = scored(account, dominant="anger", value=0.95, contact=contact)
    theirs = scored(account, dominant="anger", value=0.95, contact=other)
    services.alerts_evaluate(message_ids=[mine.pk, theirs.pk])
    alert = Alert.objects.get()
    assert set(AlertTrigger.objects.values_list("message_id", flat=True)) == {mine.pk, theirs.pk}

    optout_apply(contacts=[contact], emails=[contact.email], origin="portal", channels=None)

    assert list(AlertTrigger.objects.values_list("message_id", flat=True)) == [theirs.pk]
    alert.refresh_from_db()
    assert mine.pk not in alert.evidence["message_ids"] and theirs.pk in alert.evidence["message_ids"]
