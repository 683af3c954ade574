"""Pull connectors: poll a platform's API with a cursor; back off on errors and rate limits.

The endpoint answers ``GET <base_url>?cursor=<c>&limit=<n>`` with
``{"items": [...], "next_cursor": "...", "has_more": true|false}``; each item is read with the
source's adapter. A run is claimed with a conditional UPDATE, so two workers never poll one
connector at once, and the cursor moves only past pages that were stored.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.db.models import F, Q
from django.utils import timezone

from apps.sources import adapters, services
from apps.sources.choices import Channel
from apps.sources.models import Connector

logger = logging.getLogger("emotionhub.connectors")

CLAIM_FOR = dt.timedelta(minutes=10)
MAX_BACKOFF = dt.timedelta(hours=6)
TIMEOUT_SECONDS = 20


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


def _fetch(connector: Connector, cursor: str) -> dict:
    query = {"limit": connector.page_size}
    if cursor:
        query["cursor"] = cursor
    if not connector.base_url.startswith(("http://", "https://")):
        raise RuntimeError(f"only http(s) endpoints are polled, not {connector.base_url!r}")
    sep = "&" if "?" in connector.base_url else "?"
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked just above
        f"{connector.base_url}{sep}{urllib.parse.urlencode(query)}",
        headers={"Accept": "application/json", "User-Agent": "EmotionHub-connector/1"},
    )
    if connector.auth_token:
        request.add_header("Authorization", f"Bearer {connector.auth_token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 — admin-set https URL
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            retry = exc.headers.get("Retry-After", "60")
            raise RateLimited(int(retry) if retry.isdigit() else 60) from exc
        raise RuntimeError(f"HTTP {exc.code} from {connector.base_url}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RuntimeError(f"cannot reach {connector.base_url}: {getattr(exc, 'reason', exc)}") from exc
    try:
        page = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RuntimeError(f"the answer is not JSON: {exc}") from exc
    if not isinstance(page, dict) or not isinstance(page.get("items"), list):
        raise RuntimeError("the answer has no 'items' list")
    return page


def claim(connector_id: int, now: dt.datetime) -> bool:
    """Take the connector for one run, unless it is not due or another worker has it."""
    return bool(
        Connector.objects.filter(pk=connector_id, is_active=True, next_run_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_FOR)
    )


def connector_poll(*, connector_id: int) -> str:
    """One run: fetch pages from the cursor, ingest them, move the cursor; returns what happened."""
    now = timezone.now()
    if not claim(connector_id, now):
        return "skipped: not due, paused, or taken by another worker"
    connector = Connector.objects.select_related("source").get(pk=connector_id)
    cursor, fetched, pages = connector.cursor, 0, 0
    try:
        while pages < connector.max_pages_per_run:
            page = _fetch(connector, cursor)
            pages += 1
            items = []
            for raw in page["items"]:
                try:
                    items.extend(adapters.adapt(connector.source.adapter, raw, **connector.source.adapter_options()))
                except adapters.AdapterError as exc:
                    services.dead_letter_record(
                        source=connector.source,
                        channel=Channel.CONNECTOR,
                        payload=raw,
                        reason=f"unreadable {connector.source.adapter} item: {exc}",
                        stage="adapter",
                    )
            for start in range(0, len(items), services.MAX_BATCH):
                services.messages_ingest(
                    source=connector.source, items=items[start : start + services.MAX_BATCH], channel=Channel.CONNECTOR
                )
            fetched += len(page["items"])
            cursor = str(page.get("next_cursor") or cursor)
            # Save the cursor after every stored page: a crash later resumes here, not from the start.
            Connector.objects.filter(pk=connector.pk).update(
                cursor=cursor, items_total=F("items_total") + len(page["items"])
            )
            if not page.get("has_more"):
                break
    except RateLimited as exc:
        _failed(connector, str(exc), now + dt.timedelta(seconds=exc.retry_after), count_failure=False)
        return f"rate limited after {fetched} items; next try in {exc.retry_after} s"
    except RuntimeError as exc:
        failures = connector.consecutive_failures + 1
        delay = min(dt.timedelta(seconds=connector.interval_seconds * 2**failures), MAX_BACKOFF)
        _failed(connector, str(exc), now + delay, count_failure=True)
        logger.warning("connector %s failed (%s in a row): %s", connector.pk, failures, exc)
        return f"failed: {exc}; backing off {int(delay.total_seconds())} s"
    Connector.objects.filter(pk=connector.pk).update(
        claimed_until=None,
        consecutive_failures=0,
        last_success_at=timezone.now(),
        runs_total=F("runs_total") + 1,
        next_run_at=timezone.now() + dt.timedelta(seconds=connector.interval_seconds),
    )
    return f"ok: {fetched} items in {pages} page(s)"


def _failed(connector: Connector, error: str, next_run: dt.datetime, *, count_failure: bool) -> None:
    updates = {
        "claimed_until": None,
        "next_run_at": next_run,
        "last_error": error[:2000],
        "last_error_at": timezone.now(),
        "runs_total": F("runs_total") + 1,
    }
    if count_failure:
        updates |= {"consecutive_failures": F("consecutive_failures") + 1, "errors_total": F("errors_total") + 1}
    Connector.objects.filter(pk=connector.pk).update(**updates)


def connectors_poll_due() -> int:
    """Periodic job: queue a run for every connector that is due; returns how many were queued."""
    from django_q.tasks import async_task

    due = list(
        Connector.objects.filter(is_active=True, next_run_at__lte=timezone.now())
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now()))
        .values_list("pk", flat=True)
    )
    for pk in due:
        async_task("apps.sources.tasks.poll_connector", pk, group="connectors")
    return len(due)
