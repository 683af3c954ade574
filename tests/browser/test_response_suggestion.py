"""The suggestion box in a real browser: the preview follows the edits, a reply with a placeholder left in is
stopped before it is posted, and "Use this reply" records the use."""

import pytest
from django.contrib.auth.models import Group

from apps.responses.models import TemplateUsage
from apps.responses.tests.helpers import make_template
from tests.browser.conftest import sign_in
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_account_manager_edits_the_suggestion_and_uses_it(page):
    manager = UserFactory(username="am.ada", first_name="Ada")
    manager.groups.add(Group.objects.get(name="Account Manager"))
    account = AccountFactory(name="Globex", account_manager=manager, renewal_date=None)
    ContactFactory(account=account, name="Priya Shah")
    template = make_template(
        body="Hi {{ contact.first_name }}, renewal on {{ account.renewal_date }}. {{ agent.first_name }}"
    )

    sign_in(page, "am.ada")
    page.get_by_role("button", name="Sign out am.ada").wait_for()
    page.goto(f"/responses/templates/{template.pk}/?account={account.pk}")
    box = page.locator("[data-responses-suggestion]")
    box.get_by_role("heading", name="Suggested reply: Apology v1").wait_for()
    assert box.locator(".responses-missing-list").inner_text().count("{{") == 2
    assert box.locator("[data-responses-preview] mark").count() == 2

    reply = box.get_by_label("Reply")
    reply.fill("Hi {{ contact.first_name }}, your renewal is next month. Ada")
    assert box.locator("[data-responses-preview] mark").count() == 1
    box.get_by_role("button", name="Use this reply").click()
    box.get_by_text("Fill in or remove {{ contact.first_name }} first.").wait_for()
    assert not TemplateUsage.objects.exists()

    reply.fill("Hi Priya, your renewal is next month. Ada")
    assert box.locator("[data-responses-preview] mark").count() == 0
    box.get_by_role("button", name="Copy").click()
    box.locator("[data-responses-copied]").filter(has_text="Cop").wait_for()
    box.get_by_role("button", name="Use this reply").click()
    page.get_by_text("Recorded: you used “Apology” (version 1) for Globex.").wait_for()
    usage = TemplateUsage.objects.get()
    assert (usage.user, usage.account, usage.edited, usage.version.number) == (manager, account, True, 1)
