"""The account workspace in a real browser: an account manager opens an assigned account, sees the timeline and a
suggested reply and edits it before use; an account that is not theirs is a 404."""

import pytest
from django.contrib.auth.models import Group

from apps.core.testing import purposes_switched_on
from apps.crm import services
from apps.crm.tests.factories import ensure_taxonomy, scored
from apps.responses.models import TemplateUsage
from apps.responses.services import template_save
from tests.browser.conftest import sign_in
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_account_manager_works_an_assigned_account_and_an_unassigned_one_is_404(page):
    ensure_taxonomy()
    manager = UserFactory(username="am.ada", first_name="Ada")
    manager.groups.add(Group.objects.get_or_create(name="Account Manager")[0])
    purposes_switched_on("support", roles_for=[manager])
    account = AccountFactory(name="Globex", account_manager=manager, journey_stage="support")
    contact = ContactFactory(account=account, name="Hank Scorpio", email="hank@globex.example")
    for days_ago in (1, 3, 8):
        scored(
            account,
            contact=contact,
            dominant="anger",
            valence=-0.8,
            intensity=0.9,
            days_ago=days_ago,
            text="The export failed again and nobody called back. Furious.",
        )
    scored(account, contact=contact, dominant="joy", valence=0.7, days_ago=40)
    unassigned = AccountFactory(name="Initech")
    services.account_rollups_rebuild()
    template_save(
        user=None,
        name="Apology for anger",
        emotion="anger",
        body="Dear {{ contact.first_name }}, I am sorry about the trouble at {{ account.name }}.",
    )

    sign_in(page, "am.ada")
    page.get_by_role("button", name="Sign out am.ada").wait_for()
    page.goto("/crm/accounts/")
    assert "/purpose/" in page.url  # a purpose is stated before any emotion data is shown
    page.locator("input[name=purpose][value=support]").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="My accounts").wait_for()
    row = page.get_by_role("row").filter(has_text="Globex")
    assert "at risk" in row.inner_text()
    row.get_by_role("link", name="Globex").click()

    page.get_by_role("heading", name="Globex").wait_for()
    timeline = page.locator("svg#emotion-timeline")
    timeline.wait_for()
    assert timeline.locator("rect").count() >= 4  # a bar per day with messages
    assert "Emotion timeline of Globex" in timeline.locator("title").first.text_content()
    page.get_by_text("The timeline as a table").click()
    assert "Furious" in page.locator("#drivers").inner_text()

    reply = page.get_by_role("textbox", name="Reply")
    assert reply.input_value() == "Dear Hank, I am sorry about the trouble at Globex."
    reply.fill("Dear Hank, I am sorry about the export at Globex. I will call you at 3 pm today.")
    page.get_by_role("button", name="Use this reply").click()
    page.get_by_text("Recorded: you used").wait_for()
    usage = TemplateUsage.objects.get()
    assert usage.account == account and usage.user == manager
    assert usage.edited  # the reply was changed before use, and that is what was recorded

    response = page.goto(f"/crm/accounts/{unassigned.pk}/")
    assert response.status == 404
