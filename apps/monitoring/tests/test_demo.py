"""The monitoring demo seed: idempotent, deterministic, and it leaves the pages something to show."""

import pytest

from apps.core import demo as core_demo
from apps.monitoring import demo
from apps.monitoring.models import AccountOutcome, DriftAlert, DriftReport
from apps.scoring.models import ScoringModel

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_nothing_and_unhappy_accounts_churn_more(settings):
    settings.SCORING_ENGINE = "lexicon"
    core_demo.seed(accounts=90, messages=900)
    first = demo.seed()
    outcomes = list(
        AccountOutcome.objects.order_by("account_id", "kind").values_list("account_id", "kind", "occurred_on")
    )
    reports = DriftReport.objects.count()
    second = demo.seed()
    assert first["account outcomes"] > 0 and second["account outcomes"] == 0
    assert second["outage messages scored"] == 0
    assert (
        list(AccountOutcome.objects.order_by("account_id", "kind").values_list("account_id", "kind", "occurred_on"))
        == outcomes
    )
    assert DriftReport.objects.count() == reports > 0
    assert DriftAlert.objects.filter(platform="zendesk").count() == 1  # the outage week, once
    assert first["scoring model registered"] == 1 and second["scoring model registered"] == 0
    assert ScoringModel.objects.filter(is_active=True).count() == 1  # so the model in use has a card
    churned = set(AccountOutcome.objects.filter(kind="churned").values_list("account_id", flat=True))
    unhappy = [pk for pk in AccountOutcome.objects.values_list("account__pk", flat=True).distinct() if pk % 9 == 0]
    from apps.crm.models import Account

    ids = list(Account.objects.filter(external_id__startswith="DEMO-").values_list("pk", flat=True))
    rate = lambda group: sum(pk in churned for pk in group) / len(group)  # noqa: E731
    assert rate([pk for pk in ids if pk % 9 == 0]) > rate([pk for pk in ids if pk % 9]), unhappy
