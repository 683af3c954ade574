"""Ingestion endpoints: the bulk API for integrations and signed webhooks per source."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.idempotency import idempotent
from apps.core.security import security_event
from apps.core.signing import signature_matches
from apps.sources import adapters, services
from apps.sources.choices import Channel
from apps.sources.models import Source

SIGNATURE_HEADER = "X-EmotionHub-Signature"
TIMESTAMP_HEADER = "X-EmotionHub-Timestamp"
REPLAY_WINDOW = 300


def too_large(request) -> Response | None:
    """413 before reading a body larger than ``INGEST_MAX_BODY_BYTES``."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return Response({"detail": "Content-Length is not a number."}, status=status.HTTP_400_BAD_REQUEST)
    if length > settings.INGEST_MAX_BODY_BYTES:
        return Response(
            {
                "detail": f"The body is {length:,} bytes; at most {settings.INGEST_MAX_BODY_BYTES:,} are accepted. "
                f"Send smaller batches."
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return None


def ingest_body(request) -> tuple[Source | None, list | None, Response | None]:
    """Read ``{"source": slug, "messages": [...]}`` or ``{"source": slug, ...one item}``."""
    data = request.data
    if not isinstance(data, dict):
        return (
            None,
            None,
            Response(
                {"detail": "Expected a JSON object with 'source' and 'messages'."}, status=status.HTTP_400_BAD_REQUEST
            ),
        )
    slug = data.get("source")
    if not isinstance(slug, str) or not slug:
        return (
            None,
            None,
            Response(
                {
                    "detail": 'Name the source: {"source": "<slug>", ...}.',
                    "errors": {"source": "This field is required."},
                },
                status=status.HTTP_400_BAD_REQUEST,
            ),
        )
    source = Source.objects.filter(slug=slug).first()
    if source is None:
        return (
            None,
            None,
            Response(
                {"detail": f"Unknown source {slug!r}.", "errors": {"source": "Unknown source."}},
                status=status.HTTP_400_BAD_REQUEST,
            ),
        )
    if "messages" in data:
        items = data["messages"]
        if not isinstance(items, list) or not items:
            return (
                None,
                None,
                Response(
                    {
                        "detail": "'messages' must be a non-empty list.",
                        "errors": {"messages": "Expected a non-empty list."},
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                ),
            )
    else:
        items = [{k: v for k, v in data.items() if k != "source"}]
    if len(items) > services.MAX_BATCH:
        return (
            None,
            None,
            Response(
                {
                    "detail": f"At most {services.MAX_BATCH} messages per request (got {len(items)}).",
                    "errors": {"messages": f"At most {services.MAX_BATCH} items."},
                },
                status=status.HTTP_400_BAD_REQUEST,
            ),
        )
    return source, items, None


def report_response(report: services.IngestReport) -> Response:
    """201 when everything was stored, 200 when all were duplicates, 207 when some items were refused."""
    counts = report.counts
    if counts["rejected"] and not (counts["created"] or counts["duplicate"]):
        code = status.HTTP_400_BAD_REQUEST
    elif counts["rejected"]:
        code = status.HTTP_207_MULTI_STATUS
    elif counts["created"]:
        code = status.HTTP_201_CREATED
    else:
        code = status.HTTP_200_OK
    body = report.as_dict()
    if code == status.HTTP_400_BAD_REQUEST:
        body = {"detail": "No message was accepted; see results.", **body}
    return Response(body, status=code)


class WebhookView(APIView):
    """``POST /api/v1/webhooks/<source-slug>/``, signed with the source's secret.

    ``X-EmotionHub-Timestamp``: Unix seconds. ``X-EmotionHub-Signature: v1=<hex>``: HMAC-SHA256 of
    ``<timestamp>.<raw body>``. The signature is checked (in constant time, against the current and,
    during a rotation, the previous secret) before the body is parsed.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT, 207: OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True),
        ],
    )
    def post(self, request, slug: str):
        source = get_object_or_404(Source, slug=slug)
        refused = too_large(request)
        if refused:
            return refused
        body = request.body
        problem = self._verify(request, source, body)
        if problem:
            return problem
        try:
            # Raw bytes for email, so the message's own charset is honoured.
            payload = body if source.adapter == "email" else json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            dead = services.dead_letter_record(
                source=source,
                channel=Channel.WEBHOOK,
                raw_body=body.decode("utf-8", "replace"),
                reason=f"body is not valid JSON: {exc}",
                stage="adapter",
            )
            return Response(
                {"detail": f"The body is not valid JSON: {exc}", "dead_letter_id": dead.pk},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            items = adapters.adapt(source.adapter, payload, **source.adapter_options())
        except adapters.AdapterError as exc:
            dead = services.dead_letter_record(
                source=source,
                channel=Channel.WEBHOOK,
                payload=None if isinstance(payload, bytes) else payload,
                raw_body=payload.decode("utf-8", "replace") if isinstance(payload, bytes) else "",
                reason=f"unreadable {source.adapter} payload: {exc}",
                stage="adapter",
            )
            return Response(
                {"detail": f"The {source.adapter} payload cannot be read: {exc}", "dead_letter_id": dead.pk},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not items:
            return Response(
                {"counts": {"created": 0, "duplicate": 0, "rejected": 0}, "results": []}, status=status.HTTP_200_OK
            )
        results = []
        for start in range(0, len(items), services.MAX_BATCH):  # a huge delivery is split, never cut short
            chunk = services.messages_ingest(
                source=source, items=items[start : start + services.MAX_BATCH], channel=Channel.WEBHOOK
            )
            results += [replace(r, index=r.index + start) for r in chunk.results]
        return report_response(services.IngestReport(results))

    @staticmethod
    def _verify(request, source: Source, body: bytes) -> Response | None:
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not source.webhook_secrets():
            security_event("webhook_no_secret", subject=source.slug, request=request)
            return Response(
                {"detail": "This source has no webhook secret; rotate one in the admin."},
                status=status.HTTP_403_FORBIDDEN,
            )
        if not timestamp.isdigit() or not signature.startswith("v1="):
            security_event("webhook_missing_signature", subject=source.slug, request=request)
            return Response(
                {"detail": f"Send {TIMESTAMP_HEADER} (Unix seconds) and {SIGNATURE_HEADER}: v1=<hex>."},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        skew = abs(time.time() - int(timestamp))
        if skew > REPLAY_WINDOW:
            security_event("webhook_stale_timestamp", subject=source.slug, request=request, skew_seconds=int(skew))
            return Response(
                {"detail": f"The timestamp is {int(skew)} s away from now; at most {REPLAY_WINDOW} s is accepted."},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        valid = signature_matches(source.webhook_secrets(), timestamp, body, signature)
        if not valid:
            security_event("webhook_bad_signature", subject=source.slug, request=request)
            return Response({"detail": "The signature does not match."}, status=status.HTTP_401_UNAUTHORIZED)
        seen_key = f"webhook-seen:{source.pk}:{signature.strip()}"
        if not cache.add(seen_key, 1, timeout=REPLAY_WINDOW * 2):
            # The same signed delivery again: its items de-duplicate anyway; note it and carry on.
            security_event("webhook_replayed_delivery", subject=source.slug, request=request)
        return None


class MessageIngestMixin:
    """``POST /api/v1/messages/``: one message or a batch of up to 1,000, with per-item results."""

    parser_classes = [JSONParser]

    def create(self, request, *args, **kwargs):
        refused = too_large(request)
        if refused:
            return refused
        return idempotent(request, lambda: self._ingest(request))

    def _ingest(self, request) -> Response:
        source, items, problem = ingest_body(request)
        if problem:
            return problem
        return report_response(services.messages_ingest(source=source, items=items, channel=Channel.API))
