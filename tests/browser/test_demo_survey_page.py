"""The demo host page shows the survey widget from EmotionHub's own origin (no Origin header on its GET)."""

import pytest

from apps.sources.models import Message, Survey
from tests.factories import SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_demo_page_shows_the_widget_and_an_answer_is_stored(page, live_server, settings):
    settings.DEBUG = True
    settings.SCORING_ENGINE, settings.SCORING_ENGINE_OPTIONS = "lexicon", {}
    Survey.objects.create(
        source=SourceFactory(kind="survey", platform="in_app", slug="pulse"),
        name="Pulse",
        public_key="srv_demo_pulse",
        allowed_origins=[live_server.url],
    )
    page.goto("/demo/survey/")
    page.wait_for_function("window.EmotionHubSurvey && window.EmotionHubSurvey.state === 'shown'")
    dialog = page.get_by_role("dialog", name="Feedback survey")
    dialog.get_by_role("button", name="Delighted").click()
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_text("Thank you!").wait_for()
    message = Message.objects.get(source__slug="pulse")
    assert message.self_reported["scale"]["label"] == "Delighted"
