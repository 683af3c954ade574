"""Benchmarks of the sources app: bulk-creating messages and listing them through the API."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.core.bench import Bench, benchmark, percentile
from apps.crm import services as crm_services
from apps.sources.models import Message, Source


@benchmark("messages_bulk_create_and_list")
def messages_bulk_create_and_list(bench: Bench) -> None:
    """Bulk-create N messages, then page through them via ``GET /api/v1/messages/`` as an account manager."""
    from django.contrib.auth import get_user_model

    n = bench.scaled(10_000)
    user = get_user_model().objects.create_user("bench-manager", password="x")  # noqa: S106
    token = Token.objects.create(user=user)
    account = crm_services.account_create(name="Bench account", account_manager=user)
    source = Source.objects.create(name="Bench", slug="bench", kind="ticketing", platform="zendesk")

    rates = []
    for repeat in range(bench.repeats):
        rows = [
            Message(
                source=source,
                external_id=f"b{repeat}-{i}",
                account=account,
                text=f"The export failed again {i}",
                created_at_source=timezone.now(),
            )
            for i in range(n)
        ]
        elapsed = bench.timer()
        Message.objects.bulk_create(rows, batch_size=1000)
        rates.append(n / elapsed())
    bench.record("bulk create (ORM)", rates, "messages/s")

    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    latencies = []
    for page in range(1, 41):
        elapsed = bench.timer()
        response = client.get("/api/v1/messages/", {"page": page, "page_size": 100})
        latencies.append(elapsed() * 1000)
        assert response.status_code == 200, response.content
    bench.record("list page of 100 (API) p50", [percentile(latencies, 50)], "ms", higher_is_better=False)
    bench.record("list page of 100 (API) p95", [percentile(latencies, 95)], "ms", higher_is_better=False)
