"""Pages and endpoints that belong to no single app: the home page and the health check."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("emotionhub")


def _database_status() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 — a health check reports every failure, whatever it is
        logger.warning("health check: database unavailable: %s", exc)
        return {"ok": False, "vendor": connection.vendor, "error": str(exc)}
    return {"ok": True, "vendor": connection.vendor, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _queue_status() -> dict:
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.status import Stat

    broker_name = "redis" if Conf.REDIS and not Conf.ORM else "orm"
    if Conf.SYNC:
        return {"ok": True, "broker": broker_name, "mode": "synchronous"}
    try:
        broker = get_broker()
        queued = broker.queue_size()
        clusters = [
            {"id": str(s.cluster_id), "status": s.status, "workers": len(s.workers)} for s in Stat.get_all(broker)
        ]
    except Exception as exc:  # noqa: BLE001
        logger.warning("health check: queue unavailable: %s", exc)
        return {"ok": False, "broker": broker_name, "error": str(exc)}
    return {
        "ok": True,
        "broker": broker_name,
        "queued": queued,
        "clusters": clusters,
        "workers_running": bool(clusters),
    }


@never_cache
@require_GET
def healthz(request):
    """``GET /healthz``: JSON with the database and queue status; 503 when either is down."""
    database = _database_status()
    queue = _queue_status()
    healthy = database["ok"] and queue["ok"]
    body = {"status": "ok" if healthy else "unavailable", "database": database, "queue": queue}
    if settings.DEBUG:
        body["debug"] = True
    return JsonResponse(body, status=200 if healthy else 503)


def home(request):
    """The landing page: where each kind of user goes next."""
    return render(request, "core/home.html")


def demo_survey(request):
    """A stand-in for a customer's product page carrying the demo survey widget (demo mode only)."""
    from django.http import Http404

    from apps.sources.models import Survey

    survey = Survey.objects.filter(public_key="srv_demo_pulse", is_active=True).first()
    if not settings.DEBUG or survey is None:
        raise Http404("The demo pages exist only in the demo (DEBUG) with its seeded survey.")
    origin = f"{request.scheme}://{request.get_host()}"
    snippet = (
        f'<script async src="{origin}/static/js/emotionhub-survey.js" data-survey-key="{survey.public_key}" '
        f'data-endpoint="{origin}"></script>'
    )
    return render(request, "core/demo_survey.html", {"snippet": snippet, "origin": origin, "key": survey.public_key})
