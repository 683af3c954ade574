"""Signing in and the admin tools, in a real browser."""

import pytest

from apps.scoring.models import LexiconEntry
from tests.browser.conftest import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_user_signs_in_and_out(page):
    UserFactory(username="am.alice")
    sign_in(page, "am.alice")
    signout = page.get_by_role("button", name="Sign out am.alice")
    signout.wait_for()
    signout.click()
    page.get_by_role("link", name="Sign in").wait_for()


def test_a_wrong_password_says_so_and_signs_nobody_in(page):
    UserFactory(username="am.alice")
    sign_in(page, "am.alice", "not-the-password")
    assert page.get_by_role("alert").inner_text().startswith("Your username and password didn't match")
    assert page.get_by_role("button", name="Sign out am.alice").count() == 0


def test_an_admin_fixes_sarcasm_with_a_lexicon_entry_and_sees_it_fire(page, settings):
    settings.SCORING_ENGINE, settings.SCORING_ENGINE_OPTIONS = "lexicon", {}
    UserFactory(username="root", is_staff=True, is_superuser=True)
    page.goto("/admin/login/?next=/admin/scoring/scoringmodel/try/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("Text").fill("Great, another outage.")
    page.get_by_role("button", name="Score it").click()
    assert "anger" not in page.locator("h2").first.inner_text()

    page.goto("/admin/scoring/lexiconentry/add/")
    page.get_by_label("Term or phrase").fill("great, another outage")
    page.get_by_label("Kind").select_option("sarcasm")
    page.get_by_label("Adjustments").fill('{"joy": -0.8, "anger": 0.7}')
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was added successfully").wait_for()
    assert LexiconEntry.objects.filter(term="great, another outage").exists()

    page.goto("/admin/scoring/scoringmodel/try/")
    page.get_by_label("Text").fill("Great, another outage.")
    page.get_by_role("button", name="Score it").click()
    assert "dominant: anger" in page.locator("h2").first.inner_text()
    assert "great, another outage" in page.locator("#domain-terms").inner_text()
