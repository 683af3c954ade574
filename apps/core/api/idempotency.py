"""``Idempotency-Key`` for POST endpoints: a retry with the same key and body gets the first answer again."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

KEEP_FOR = dt.timedelta(hours=48)  # at least the 24 h integrations are promised
HEADER = "Idempotency-Key"


def idempotent(request, handler: Callable[[], Response]) -> Response:
    """Run ``handler`` once per (user, key); replay its answer for the same body, refuse another body."""
    from apps.sources.models import IdempotencyKey

    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > 255:
        return Response({"detail": f"{HEADER} must be at most 255 characters."}, status=status.HTTP_400_BAD_REQUEST)
    digest = hashlib.sha256(request.body).hexdigest()
    fresh_after = timezone.now() - KEEP_FOR
    IdempotencyKey.objects.filter(user=request.user, key=key, created__lt=fresh_after).delete()
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(user=request.user, key=key, request_hash=digest)
    except IntegrityError:
        record = IdempotencyKey.objects.get(user=request.user, key=key)
        if record.request_hash != digest:
            return Response(
                {"detail": f"This {HEADER} was already used with a different request body. Use a new key."},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        if record.status_code is None:
            return Response(
                {"detail": f"A request with this {HEADER} is still being processed; retry shortly."},
                status=status.HTTP_409_CONFLICT,
            )
        response = Response(record.response, status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        response = handler()
    except Exception:
        record.delete()  # a crash is not an answer: let the client retry with the same key
        raise
    if response.status_code >= 500:
        record.delete()
    else:
        IdempotencyKey.objects.filter(pk=record.pk).update(status_code=response.status_code, response=response.data)
    return response


def purge_expired() -> int:
    """Forget keys older than ``KEEP_FOR`` (a periodic job)."""
    from apps.sources.models import IdempotencyKey

    deleted, _ = IdempotencyKey.objects.filter(created__lt=timezone.now() - KEEP_FOR).delete()
    return deleted
