"""Security events: written to the database (admin) and to the ``emotionhub.security`` log."""

from __future__ import annotations

import logging

from apps.core.models import SecurityEvent

logger = logging.getLogger("emotionhub.security")


def client_ip(request) -> str | None:
    """The caller's address (the first X-Forwarded-For hop when behind a proxy)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    return (forwarded.split(",")[0].strip() or None) if forwarded else request.META.get("REMOTE_ADDR")


def security_event(kind: str, *, subject: str = "", request=None, **detail) -> SecurityEvent:
    """Record a refused, security-relevant request."""
    remote = client_ip(request) if request is not None else None
    logger.warning("security event %s subject=%s remote=%s detail=%s", kind, subject, remote, detail)
    return SecurityEvent.objects.create(kind=kind, subject=subject[:200], remote_addr=remote, detail=detail)
