"""In a real browser: a CX analyst imports outcomes in the admin (refused file, then valid rows only), and legal
downloads the shipped model's card."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.monitoring.models import AccountOutcome
from apps.scoring.models import ScoringModel
from tests.browser.conftest import sign_in
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_analyst_imports_outcomes_and_legal_downloads_the_model_card(page, tmp_path):
    analyst = UserFactory(username="cx.ana", is_staff=True)
    analyst.groups.add(Group.objects.get(name="CX Analyst"))
    AccountFactory(external_id="ACC-1")
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    csv = tmp_path / "outcomes.csv"
    csv.write_text(f"account_external_id,kind,occurred_on,value\nACC-1,churned,{day},-5000\nACC-2,churned,{day},\n")

    sign_in(page, "cx.ana")
    page.goto("/admin/monitoring/accountoutcome/")
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    assert "Nothing was imported" in page.locator("#import-summary").inner_text()
    assert "ACC-2" in page.locator("#import-errors").inner_text()
    assert AccountOutcome.objects.count() == 0

    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_label("Import the valid rows and report the rest").check()
    page.get_by_role("button", name="Import").click()
    assert "1 created" in page.locator(".messagelist").inner_text()
    assert AccountOutcome.objects.get().kind == "churned"

    legal = UserFactory(username="legal.lou")
    legal.groups.add(Group.objects.get(name="Privacy Officer"))
    model = ScoringModel.objects.create(name="Shipped", engine="linear", version="linear-6ac34b1d4ea4bdb4+x")
    page.context.clear_cookies()
    sign_in(page, "legal.lou")
    page.goto(f"/monitoring/model-cards/{model.pk}/")
    assert page.get_by_role("heading", name="Known limitations").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Markdown").click()
    assert download.value.suggested_filename == "model-card-shipped.md"
    with open(download.value.path(), encoding="utf-8") as handle:
        assert "GoEmotions" in handle.read()
