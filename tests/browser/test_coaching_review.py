"""A coaching review in a real browser: the supervisor writes and shares it, the agent signs, the supervisor
signs; it then shows as signed by both. Another team's supervisor is refused (404)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.coaching import services
from apps.coaching.models import CoachingReview
from apps.coaching.tests.factories import agent_says, customer_says
from apps.core.testing import purposes_switched_on
from tests.browser.conftest import sign_in
from tests.factories import AccountFactory, ContactFactory, SourceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _choose_coaching(page) -> None:
    if "/purpose/" in page.url:
        page.get_by_label("Coaching").check()
        page.get_by_role("button", name="Continue").click()


def _sign_out(page, username: str) -> None:
    page.get_by_role("button", name=f"Sign out {username}").click()
    page.get_by_role("link", name="Sign in").wait_for()


def test_a_supervisor_and_an_agent_complete_a_coaching_review(page):
    purposes_switched_on("coaching")
    sam, olga, dana = (UserFactory(username=n) for n in ("supervisor.sam", "supervisor.olga", "agent.dana"))
    for user, role in ((sam, "Support Supervisor"), (olga, "Support Supervisor"), (dana, "Support Agent")):
        user.groups.add(Group.objects.get(name=role))
    team = services.team_save(name="Support EU", supervisors=[sam])
    services.team_save(name="Support US", supervisors=[olga])
    services.agent_profile_save(user=dana, team=team, handles=["dana@team.example"])
    source, account = SourceFactory(slug="helpdesk", name="Helpdesk"), AccountFactory(name="Globex")
    contact = ContactFactory(account=account)
    at = timezone.now() - dt.timedelta(days=1)
    customer_says(source, "T-1", at, account=account, contact=contact, valence=-0.8, dominant="anger")
    agent_says(
        source,
        "T-1",
        at + dt.timedelta(minutes=5),
        handle="dana@team.example",
        account=account,
        text="I understand, and I'm sorry. Fixed now.",
    )
    customer_says(source, "T-1", at + dt.timedelta(hours=1), account=account, contact=contact, valence=0.6)

    sign_in(page, "supervisor.sam")
    page.get_by_role("button", name="Sign out supervisor.sam").wait_for()
    page.goto("/coaching/")
    _choose_coaching(page)
    page.get_by_role("heading", name="Support EU").wait_for()
    page.get_by_role("link", name="agent.dana").click()
    assert "negative (-0.80, anger)" in page.locator("#conversations").inner_text()
    page.get_by_role("link", name="Start a review of this period").click()
    page.get_by_label("Discuss T-1").check()
    page.get_by_label("Note on T-1").fill("Acknowledged first, then fixed it.")
    page.get_by_label("Notes", exact=True).fill("A hard start turned around well.")
    page.get_by_label("Action 1", exact=True).fill("Share this reply as an example with the team")
    page.get_by_label("Owner of action 1").select_option(label="agent.dana")
    page.get_by_label("Due date of action 1").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft review saved.").wait_for()
    page.get_by_role("button", name="Share with the agent").click()
    page.get_by_text("Shared with the agent.").wait_for()
    review = CoachingReview.objects.get()
    assert page.locator("#review-status").inner_text() == "Shared with the agent"
    _sign_out(page, "supervisor.sam")

    sign_in(page, "agent.dana")
    page.get_by_role("button", name="Sign out agent.dana").wait_for()
    page.goto(f"/coaching/reviews/{review.pk}/")
    _choose_coaching(page)
    assert "Acknowledged first, then fixed it." in page.locator("#review-conversations").inner_text()
    assert "Share this reply as an example" in page.locator("#review-actions").inner_text()
    page.get_by_label("Your comment (optional)").fill("Thanks, happy to share it.")
    page.get_by_role("button", name="Sign as agent").click()
    page.get_by_text("Signed.", exact=True).wait_for()
    _sign_out(page, "agent.dana")

    sign_in(page, "supervisor.olga")
    page.get_by_role("button", name="Sign out supervisor.olga").wait_for()
    page.goto("/coaching/")
    _choose_coaching(page)
    assert page.goto(f"/coaching/reviews/{review.pk}/").status == 404
    page.goto("/coaching/")
    _sign_out(page, "supervisor.olga")

    sign_in(page, "supervisor.sam")
    page.get_by_role("button", name="Sign out supervisor.sam").wait_for()
    page.goto(f"/coaching/reviews/{review.pk}/")
    _choose_coaching(page)
    page.get_by_role("button", name="Sign as supervisor").click()
    page.get_by_text("Signed. The review is now signed by both and read-only.").wait_for()
    assert page.locator("#review-status").inner_text() == "Signed by both"
    signoff = page.locator("#review-signoff").inner_text()
    assert "Signed by both. This review is read-only." in signoff
    assert "Thanks, happy to share it." in signoff
    assert page.get_by_role("button", name="Sign as supervisor").count() == 0
    review.refresh_from_db()
    assert review.status == "signed" and review.agent_signed_at and review.supervisor_signed_at
