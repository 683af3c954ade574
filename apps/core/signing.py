"""The webhook signature scheme, in and out: ``v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">``."""

from __future__ import annotations

import hashlib
import hmac


def webhook_signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-EmotionHub-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signature_matches(secrets: list[str], timestamp: int | str, body: bytes, given: str) -> bool:
    """Whether ``given`` was made with one of ``secrets``; every secret is compared in constant time."""
    valid = False
    for secret in secrets:
        valid |= hmac.compare_digest(webhook_signature(secret, timestamp, body), given.strip())
    return valid
