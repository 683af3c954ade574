"""Security events: written to the database (admin) and to the ``emotionhub.security`` log."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.models import SecurityEvent

logger = logging.getLogger("emotionhub.security")


def client_ip(request) -> str | None:
    """The caller's address. ``X-Forwarded-For`` is believed only behind ``TRUSTED_PROXY_COUNT`` proxies of
    our own (then the hop they appended); anyone else could write any address in it."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


def safe_next(request, candidate: str, fallback: str) -> str:
    """``candidate`` (a ``next`` from the request) when it stays on this site, else ``fallback``: no open redirect."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def security_event(kind: str, *, subject: str = "", request=None, **detail) -> SecurityEvent:
    """Record a refused, security-relevant request."""
    remote = client_ip(request) if request is not None else None
    logger.warning("security event %s subject=%s remote=%s detail=%s", kind, subject, remote, detail)
    return SecurityEvent.objects.create(kind=kind, subject=subject[:200], remote_addr=remote, detail=detail)
