"""Key accounts going quiet or trending negative over N days raise one alert each."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.alerts import services
from apps.alerts.models import Alert
from apps.alerts.tests.helpers import rule, scored
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_a_key_account_that_went_quiet_raises_one_alert_and_a_normal_account_none():
    now = timezone.now()
    rule(name="Key accounts going quiet", condition="disengagement", scope="key_accounts", days=14, min_volume=3)
    quiet = AccountFactory(name="Quiet Co", is_key_account=True)
    busy = AccountFactory(name="Busy Co", is_key_account=True)
    small = AccountFactory(name="Small Co", is_key_account=False)
    for days_ago in (20, 21, 22, 25):
        for account in (quiet, busy, small):
            scored(account, at=now - dt.timedelta(days=days_ago), dominant="joy", value=0.8)
    scored(busy, at=now - dt.timedelta(days=2), dominant="joy", value=0.8)
    assert services.disengagement_check(now=now) == 1
    assert services.disengagement_check(now=now) == 0  # the same incident, not a second alert
    alert = Alert.objects.get()
    assert alert.account == quiet and "went quiet" in alert.title


def test_a_key_account_whose_valence_turned_negative_raises_an_alert():
    now = timezone.now()
    rule(name="Key accounts souring", condition="disengagement", scope="key_accounts", days=14, min_volume=1, ratio=0.5)
    souring = AccountFactory(name="Souring Co", is_key_account=True)
    for days_ago in (20, 22, 24):
        scored(souring, at=now - dt.timedelta(days=days_ago), dominant="joy", value=0.8)
    for days_ago in (1, 3):
        scored(souring, at=now - dt.timedelta(days=days_ago), dominant="anger", value=0.9)
    assert services.disengagement_check(now=now) == 1
    assert "trending negative" in Alert.objects.get(account=souring).title
