"""A customer opts out through the public portal, in a real browser, and is never analysed again."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from apps.consent.models import ConsentRecord
from apps.scoring.models import EmotionScore
from apps.sources import services as sources
from apps.sources.models import Message
from tests.factories import ContactFactory, SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "maria.customer@customer.example"


def ticket(external_id: str, text: str) -> dict:
    return {"external_id": external_id, "text": text, "author": {"email": EMAIL, "role": "customer"}}


def test_a_customer_opts_out_of_all_analysis_and_is_never_scored_again(page, settings, live_server):
    settings.SCORING_ENGINE, settings.SCORING_ENGINE_OPTIONS = "lexicon", {}
    settings.SITE_URL = live_server.url  # emailed links are built on it
    cache.clear()
    helpdesk = SourceFactory(slug="helpdesk", name="Helpdesk", kind="ticketing", platform="zendesk")
    SourceFactory(slug="reviews", name="Reviews", kind="review", platform="trustpilot")
    maria = ContactFactory(name="Maria Customer", email=EMAIL)
    sources.messages_ingest(
        source=helpdesk,
        items=[ticket("t-1", "The export is broken again and I am furious."), ticket("t-2", "Thanks, that fixed it!")],
        channel="api",
    )
    assert EmotionScore.objects.filter(message__contact=maria).count() == 2

    page.goto("/privacy/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("heading", name="What we analyse", exact=True).wait_for()
    assert "Support tickets (Zendesk)" in page.locator("main").inner_text()
    page.get_by_role("link", name="Opt out of analysis").click()

    page.get_by_label("Your email address").fill(EMAIL)
    page.get_by_role("button", name="Email me the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    assert [m.to for m in mail.outbox] == [[EMAIL]]
    link = re.search(r"https?://\S+/privacy/opt-out/confirm/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("heading", name="Confirm your opt-out").wait_for()
    assert page.get_by_label("Review site").count() == 1  # the analysed channels are offered
    page.get_by_label("All analysis of my messages").check()
    page.get_by_role("button", name="Confirm my opt-out").click()

    page.get_by_role("heading", name="Your opt-out is confirmed").wait_for()
    status = page.get_by_role("status").inner_text()
    assert "We have stopped all analysis of your messages." in status
    assert "2 messages reduced to a record without its content." in status
    assert "2 emotion estimates deleted." in status

    assert not EmotionScore.objects.filter(message__contact=maria).exists()
    for message in Message.objects.filter(contact=maria):
        assert (message.status, message.text, message.author_handle) == ("tombstone", "", "")
    record = ConsentRecord.objects.get(contact=maria)
    assert (record.status, record.channel, record.origin) == ("opted_out", "all", "portal")
    assert len(mail.outbox) == 2 and "Your opt-out is confirmed" in mail.outbox[1].body

    report = sources.messages_ingest(source=helpdesk, items=[ticket("t-3", "Still broken. Awful.")], channel="api")
    assert report.results[0].message_status == "tombstone"
    later = Message.objects.get(external_id="t-3")
    assert (later.status, later.text, later.contact_id) == ("tombstone", "", maria.pk)
    assert not later.emotion_scores.exists()

    page.goto(link)  # the link worked once
    page.get_by_role("heading", name="This link was already used").wait_for()
