"""Pull connectors against a local stand-in of a review platform's API (never the internet)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from apps.sources.connectors import claim, connector_poll, connectors_poll_due
from apps.sources.models import Connector, DeadLetter, Message
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def review(n: int) -> dict:
    return {
        "id": f"r{n}",
        "rating": 2,
        "title": "Sync keeps failing",
        "body": f"The Salesforce sync failed again ({n})",
        "author": {"name": f"Reviewer {n}", "id": f"u{n}"},
        "created_at": "2026-11-20T10:00:00Z",
    }


class StandIn(BaseHTTPRequestHandler):
    """Serves ``pages`` in order of cursor; ``script`` can force errors for the next requests."""

    pages: list[list[dict]] = []
    script: list[tuple[int, str | dict]] = []
    seen: list[dict] = []

    def do_GET(self):
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        StandIn.seen.append({"query": query, "auth": self.headers.get("Authorization")})
        if StandIn.script:
            status, body = StandIn.script.pop(0)
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "120")
            self.end_headers()
            self.wfile.write(payload)
            return
        index = int(query.get("cursor", "0"))
        items = StandIn.pages[index] if index < len(StandIn.pages) else []
        body = {"items": items, "next_cursor": str(index + 1), "has_more": index + 1 < len(StandIn.pages)}
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def stand_in():
    StandIn.pages, StandIn.script, StandIn.seen = [], [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/reviews"
    server.shutdown()
    server.server_close()


@pytest.fixture
def connector(stand_in):
    source = SourceFactory(slug="g2-pull", kind="review", platform="g2", adapter="review")
    return Connector.objects.create(
        source=source, name="G2 reviews", base_url=stand_in, auth_token="tok", page_size=2, interval_seconds=300
    )


def test_it_fetches_every_page_moves_the_cursor_and_is_healthy(connector):
    StandIn.pages = [[review(1), review(2)], [review(3)]]
    outcome = connector_poll(connector_id=connector.pk)
    assert outcome == "ok: 3 items in 2 page(s)"
    assert Message.objects.filter(source=connector.source).count() == 3
    connector.refresh_from_db()
    assert (connector.cursor, connector.items_total, connector.health) == ("2", 3, "healthy")
    assert connector.next_run_at > timezone.now() + dt.timedelta(seconds=250)
    assert StandIn.seen[0]["auth"] == "Bearer tok" and StandIn.seen[0]["query"] == {"limit": "2"}


def test_the_next_run_resumes_from_the_cursor_and_stores_nothing_twice(connector):
    StandIn.pages = [[review(1), review(2)], [review(3)]]
    connector_poll(connector_id=connector.pk)
    Connector.objects.filter(pk=connector.pk).update(next_run_at=timezone.now())
    StandIn.pages.append([review(3), review(4)])  # the platform re-sends an item it already gave us
    connector_poll(connector_id=connector.pk)
    assert StandIn.seen[-1]["query"]["cursor"] == "2"
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["r1", "r2", "r3", "r4"]


def test_a_rate_limit_waits_as_told_without_counting_as_a_failure(connector):
    StandIn.script = [(429, {"error": "slow down"})]
    outcome = connector_poll(connector_id=connector.pk)
    assert "rate limited" in outcome and "120 s" in outcome
    connector.refresh_from_db()
    assert connector.consecutive_failures == 0
    assert connector.next_run_at > timezone.now() + dt.timedelta(seconds=100)


def test_errors_back_off_exponentially_and_mark_the_connector_failing(connector):
    delays = []
    for _ in range(3):
        Connector.objects.filter(pk=connector.pk).update(next_run_at=timezone.now())
        StandIn.script = [(500, "boom")]
        before = timezone.now()
        assert connector_poll(connector_id=connector.pk).startswith("failed: HTTP 500")
        connector.refresh_from_db()
        delays.append((connector.next_run_at - before).total_seconds())
    assert delays[0] < delays[1] < delays[2]
    assert (connector.consecutive_failures, connector.health, connector.errors_total) == (3, "failing", 3)
    assert "HTTP 500" in connector.last_error
    Connector.objects.filter(pk=connector.pk).update(next_run_at=timezone.now())
    StandIn.pages = [[review(1)]]
    connector_poll(connector_id=connector.pk)
    connector.refresh_from_db()
    assert (connector.consecutive_failures, connector.health) == (0, "healthy")


def test_an_answer_that_is_not_json_is_a_failure_with_a_clear_reason(connector):
    StandIn.script = [(200, "<html>maintenance</html>")]
    assert "not JSON" in connector_poll(connector_id=connector.pk)


def test_an_unreadable_item_is_dead_lettered_and_the_rest_stored(connector):
    StandIn.pages = [[review(1), {"rating": "five"}]]
    connector_poll(connector_id=connector.pk)
    assert Message.objects.filter(external_id="r1").exists()
    assert DeadLetter.objects.filter(channel="connector").count() == 1


def test_an_unreachable_platform_is_a_failure(connector):
    Connector.objects.filter(pk=connector.pk).update(base_url="http://127.0.0.1:9/nothing-listens-here")
    assert "cannot reach" in connector_poll(connector_id=connector.pk)


def test_two_workers_never_take_the_same_run(connector):
    now = timezone.now()
    assert claim(connector.pk, now) is True
    assert claim(connector.pk, now) is False
    assert connector_poll(connector_id=connector.pk).startswith("skipped")


def test_the_periodic_job_queues_only_due_active_connectors(connector, settings):
    StandIn.pages = [[review(1)]]
    Connector.objects.create(source=connector.source, name="paused", base_url=connector.base_url, is_active=False)
    Connector.objects.create(
        source=connector.source,
        name="later",
        base_url=connector.base_url,
        next_run_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert connectors_poll_due() == 1  # runs synchronously in tests
    assert Message.objects.filter(external_id="r1").exists()
