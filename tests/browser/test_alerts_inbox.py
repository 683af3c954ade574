"""The alerts inbox in a real browser: the account manager sees their alert and acknowledges it."""

import pytest

from apps.alerts import services
from apps.alerts.models import Alert, AlertRule
from apps.core.testing import purposes_switched_on
from apps.scoring.models import EmotionScore
from tests.browser.conftest import sign_in
from tests.factories import AccountFactory, MessageFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _furious_alert(account) -> Alert:
    AlertRule.objects.create(
        name="Furious key account", is_active=True, scope="key_accounts", threshold=0.8, severity="high"
    )
    message = MessageFactory(account=account, status="scored", text="I am furious.")
    EmotionScore.objects.create(
        message=message,
        account=account,
        message_created_at=message.created_at_source,
        engine="lexicon",
        model_version="test",
        scores={"anger": 0.93, "joy": 0.01},
        dominant="anger",
        valence=-0.8,
    )
    services.alerts_evaluate(message_ids=[message.pk])
    return Alert.objects.get()


def test_the_account_manager_acknowledges_an_alert_and_an_outsider_gets_404(page):
    manager = UserFactory(username="am.alice")
    outsider = UserFactory(username="out.olga")
    purposes_switched_on("support", roles_for=[manager, outsider])
    alert = _furious_alert(AccountFactory(name="Globex", is_key_account=True, account_manager=manager))

    sign_in(page, "am.alice")
    page.get_by_role("button", name="Sign out am.alice").wait_for()
    page.goto("/alerts/")
    if "/purpose/" in page.url:
        page.locator("input[name=purpose][value=support]").check()
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Alerts inbox").wait_for()
    row = page.get_by_role("row").filter(has_text="Globex")
    assert "High" in row.inner_text()
    row.get_by_role("link").click()
    page.get_by_label("Note", exact=True).fill("Calling their CTO now.")
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text(f"Alert #{alert.pk}: acknowledged.").wait_for()
    assert page.locator("#alert-status").inner_text() == "Acknowledged"
    assert "Calling their CTO now." in page.locator("#alert-history").inner_text()
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_at is not None

    page.get_by_role("button", name="Sign out am.alice").click()
    sign_in(page, "out.olga")
    page.get_by_role("button", name="Sign out out.olga").wait_for()
    response = page.goto(f"/alerts/{alert.pk}/")
    if "/purpose/" in page.url:
        page.locator("input[name=purpose][value=support]").check()
        page.get_by_role("button", name="Continue").click()
        response = page.goto(f"/alerts/{alert.pk}/")
    assert response.status == 404
