"""The embeddable survey widget, in a real browser, on a host page served from another origin (real CORS)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from apps.sources.models import Message, Survey
from tests.factories import SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCRIPT_PATH = "/static/js/emotionhub-survey.js"
KEY = "srv_test_widget_0001"
EMAIL = "visitor@customer.example"
NPS_GROUP = "How likely are you to recommend us? (0\u201310)"

# The host page is deliberately hostile: if any of these rules reached the widget, it would be unusable.
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<style>
  body {{ margin: 0; font: 40px/3 serif; color: red; letter-spacing: 4px; }}
  textarea, form, [role="dialog"], .card, .face {{ display: none !important; }}
  button {{ all: unset; }}
  #left {{ position: fixed; left: 16px; bottom: 16px; font-size: 16px; border: 1px solid; padding: 4px; }}
</style></head>
<body>
  <main id="main"><h1>Host app</h1><p id="clicks">0 clicks</p></main>
  <button id="left" type="button" onclick="var n = ++window.hostClicks || (window.hostClicks = 1);
    document.getElementById('clicks').textContent = n + ' clicks';">Host action</button>
  <script async src="{live}{script}" data-survey-key="{key}" data-endpoint="{live}"
    data-respondent-email="{email}"></script>
</body></html>
"""


class HostSite:
    """A tiny HTTP server on 127.0.0.1 (a different origin from live_server) serving one HTML page."""

    def __init__(self) -> None:
        self.html = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/":
                    self.send_error(404)
                    return
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host_site(live_server) -> Iterator[HostSite]:
    """The host page, embedding the widget from live_server."""
    cache.clear()  # the answer rate limit lives in the cache
    site = HostSite()
    site.html = HOST_PAGE.format(live=live_server.url, script=SCRIPT_PATH, key=KEY, email=EMAIL)
    yield site
    site.close()


@pytest.fixture
def fast_scoring(settings) -> None:
    settings.SCORING_ENGINE, settings.SCORING_ENGINE_OPTIONS = "lexicon", {}


def make_survey(allowed_origins: list[str], **fields) -> Survey:
    source = SourceFactory(kind="survey", platform="in_app", slug="in-app-survey", name="In-app survey")
    fields = {"ask_nps": True, **fields}
    return Survey.objects.create(
        source=source, name="Product pulse", public_key=KEY, allowed_origins=allowed_origins, **fields
    )


def open_host_page(page, host_site: HostSite, live_server) -> None:
    """Open the host page and prove the widget script itself was served by Django and ran."""
    with page.expect_response(f"{live_server.url}{SCRIPT_PATH}") as script:
        page.goto(host_site.origin + "/")
    assert script.value.status == 200
    assert "javascript" in script.value.headers["content-type"]
    page.wait_for_function("() => typeof window.EmotionHubSurvey === 'object'")


def widget_state(page) -> str:
    return page.evaluate("() => window.EmotionHubSurvey.state")


def test_a_visitor_on_an_allowed_origin_answers_and_the_answer_is_stored_and_scored(
    page, live_server, host_site, fast_scoring
):
    survey = make_survey([host_site.origin])
    open_host_page(page, host_site, live_server)
    dialog = page.get_by_role("dialog", name="Feedback survey")
    dialog.wait_for()
    assert dialog.get_by_text(survey.question).is_visible()

    happy = dialog.get_by_role("button", name="Happy", exact=True)
    happy.click()
    assert happy.get_attribute("aria-pressed") == "true"
    dialog.get_by_role("group", name=NPS_GROUP).get_by_role("button", name="9", exact=True).click()
    dialog.get_by_label("Anything you'd like to tell us?").fill("I love the new dashboard, it is great!")
    with page.expect_response(lambda r: r.url.endswith("/responses/") and r.request.method == "POST") as posted:
        dialog.get_by_role("button", name="Submit").click()
    assert posted.value.status == 201
    page.get_by_text("Thank you!").wait_for()

    message = Message.objects.get(source=survey.source)
    assert message.text == "I love the new dashboard, it is great!"
    assert message.ingested_via == "survey"
    assert message.self_reported["scale"] == {"value": 4, "label": "Happy", "emotion": "joy"}
    assert message.self_reported["nps"] == 9
    assert message.author_handle == EMAIL
    assert message.metadata["origin"] == host_site.origin
    assert message.status == "scored"

    dialog.wait_for(state="detached")  # the thanks fades out by itself
    assert page.evaluate(f"() => Number(localStorage.getItem('emotionhub-survey:{KEY}')) > Date.now()")


def test_dismissing_hides_the_widget_and_a_reload_does_not_show_it_again(page, live_server, host_site):
    survey = make_survey([host_site.origin])
    open_host_page(page, host_site, live_server)
    dialog = page.get_by_role("dialog", name="Feedback survey")
    dialog.wait_for()

    page.get_by_role("button", name="Dismiss survey").click()
    dialog.wait_for(state="detached")
    assert widget_state(page) == "hidden"

    config_requests: list[str] = []
    page.on("request", lambda r: config_requests.append(r.url) if "/api/v1/surveys/" in r.url else None)
    page.reload()
    page.wait_for_function("() => window.EmotionHubSurvey && window.EmotionHubSurvey.state === 'suppressed'")
    assert page.get_by_role("dialog").count() == 0
    assert config_requests == []  # it did not even ask
    assert not Message.objects.filter(source=survey.source).exists()


def test_the_escape_key_dismisses_and_the_widget_never_takes_focus_on_load(page, live_server, host_site):
    make_survey([host_site.origin])
    open_host_page(page, host_site, live_server)
    dialog = page.get_by_role("dialog", name="Feedback survey")
    dialog.wait_for()
    assert page.evaluate("() => document.activeElement === document.body")

    dialog.get_by_role("button", name="Meh").focus()
    page.keyboard.press("Space")
    assert dialog.get_by_role("button", name="Meh").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert page.evaluate(f"() => localStorage.getItem('emotionhub-survey:{KEY}') !== null")


def test_a_page_on_an_origin_not_allowed_never_shows_the_widget_and_keeps_working(page, live_server, host_site):
    survey = make_survey(["https://app.example.com"])
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    open_host_page(page, host_site, live_server)

    page.wait_for_function("() => window.EmotionHubSurvey.state === 'failed'")
    assert any("[EmotionHub survey] not shown" in w for w in warnings)
    assert page.get_by_role("dialog").count() == 0
    assert page.locator("emotionhub-survey").count() == 0

    page.locator("#left").click()
    assert page.locator("#clicks").inner_text() == "1 clicks"

    # Even a hand-made answer from this page is refused: the preflight gets no CORS headers.
    refused = page.evaluate(
        """async (url) => {
            try {
                await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                  body: JSON.stringify({scale: 5})});
                return "sent";
            } catch (e) { return e.name; }
        }""",
        f"{live_server.url}/api/v1/surveys/{KEY}/responses/",
    )
    assert refused == "TypeError"
    assert not Message.objects.filter(source=survey.source).exists()


def test_the_host_pages_own_content_stays_clickable_and_unshifted_while_the_widget_is_open(
    page, live_server, host_site
):
    make_survey([host_site.origin])
    open_host_page(page, host_site, live_server)
    dialog = page.get_by_role("dialog", name="Feedback survey")
    dialog.wait_for()
    layout = "() => [document.getElementById('main').getBoundingClientRect().toJSON(), document.body.scrollHeight]"
    shown = page.evaluate(layout)
    page.evaluate("() => window.EmotionHubSurvey.hide()")
    dialog.wait_for(state="detached")
    assert page.evaluate(layout) == shown  # position: fixed, so no layout shift
    page.evaluate("() => window.EmotionHubSurvey.show()")
    dialog.wait_for()

    left = page.locator("#left").bounding_box()
    card = dialog.bounding_box()
    assert left["x"] + left["width"] < card["x"]  # nowhere near each other
    centre = (left["x"] + left["width"] / 2, left["y"] + left["height"] / 2)
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).id", centre) == "left"
    page.locator("#left").click()  # Playwright checks the element itself receives the click
    page.locator("#left").click()
    assert page.locator("#clicks").inner_text() == "2 clicks"
    assert dialog.is_visible()


def test_a_rejected_answer_shows_the_servers_reason_inline(page, live_server, host_site):
    survey = make_survey([host_site.origin])
    open_host_page(page, host_site, live_server)
    dialog = page.get_by_role("dialog", name="Feedback survey")
    dialog.wait_for()
    Survey.objects.filter(pk=survey.pk).update(ask_nps=False)  # the survey changed after the page loaded

    dialog.get_by_role("group", name=NPS_GROUP).get_by_role("button", name="3", exact=True).click()
    dialog.get_by_role("button", name="Submit").click()
    status = dialog.get_by_role("status")
    status.filter(has_text="nps: This survey does not ask it.").wait_for()
    assert status.inner_text().startswith("The answer is not valid")
    assert dialog.is_visible()
    assert not Message.objects.filter(source=survey.source).exists()


def test_a_rate_limited_answer_says_to_try_again_in_a_minute(page, live_server, host_site):
    survey = make_survey([host_site.origin])
    open_host_page(page, host_site, live_server)
    dialog = page.get_by_role("dialog", name="Feedback survey")
    dialog.wait_for()
    Survey.objects.filter(pk=survey.pk).update(rate_limit_per_minute=0)

    dialog.get_by_role("button", name="Delighted").click()
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_text("Please try again in a minute.").wait_for()
    assert not Message.objects.filter(source=survey.source).exists()


def test_a_network_failure_offers_a_retry_and_the_retry_goes_through(page, live_server, host_site, fast_scoring):
    survey = make_survey([host_site.origin])
    open_host_page(page, host_site, live_server)
    dialog = page.get_by_role("dialog", name="Feedback survey")
    dialog.wait_for()

    page.route("**/responses/", lambda route: route.abort("internetdisconnected"))
    dialog.get_by_role("button", name="Angry").click()
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_text("Could not send your answer. Check your connection and try again.").wait_for()
    assert not Message.objects.filter(source=survey.source).exists()

    page.unroute("**/responses/")
    dialog.get_by_role("button", name="Submit").click()
    page.get_by_text("Thank you!").wait_for()
    assert Message.objects.get(source=survey.source).self_reported["scale"]["emotion"] == "anger"
