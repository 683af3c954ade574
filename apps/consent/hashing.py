"""Keyed digests of email addresses: what we keep when we must recognise an address without storing it."""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "apps.consent.email-digest"


def normalise_email(email: str) -> str:
    """The form every comparison uses: trimmed, lower case."""
    return (email or "").strip().lower()


def email_digest(email: str, *, secret: str | None = None) -> str:
    """HMAC-SHA256 of the normalised address, keyed with the secret key (a plain hash of an email is guessable)."""
    return salted_hmac(
        _SALT, normalise_email(email), secret=secret or settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()


def email_digests(email: str) -> list[str]:
    """The digest under the current secret key and every fallback key, so a key rotation forgets nobody."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return list(dict.fromkeys(email_digest(email, secret=s) for s in secrets))
