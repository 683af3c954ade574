"""Validation and normalisation of one canonical ingestion item (see ``adapters`` for the shape)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.crm.choices import JourneyStage
from apps.sources.choices import AuthorRole, Platform

MAX_TEXT_CHARS = 1_000_000  # larger texts are refused; the scorer truncates long ones at 5,000 characters
_ROLES = {
    "customer": AuthorRole.CUSTOMER,
    "end-user": AuthorRole.CUSTOMER,
    "end_user": AuthorRole.CUSTOMER,
    "requester": AuthorRole.CUSTOMER,
    "user": AuthorRole.CUSTOMER,
    "agent": AuthorRole.AGENT,
    "admin": AuthorRole.AGENT,
    "staff": AuthorRole.AGENT,
    "system": AuthorRole.SYSTEM,
    "bot": AuthorRole.SYSTEM,
}
_PLATFORMS = set(Platform.values)
_STAGES = set(JourneyStage.values)


@dataclass
class CleanItem:
    """An item that passed validation, normalised."""

    external_id: str
    text: str
    role: str
    created_at: dt.datetime
    email: str = ""
    handle: str = ""
    author_external_id: str = ""
    author_name: str = ""
    followers: int | None = None
    bot_declared: bool = False
    account_external_id: str = ""
    account_domain: str = ""
    thread_id: str = ""
    language: str = ""
    journey_stage: str = ""
    platform: str = ""
    url: str = ""
    subject: str = ""
    rating: float | None = None
    rating_max: float | None = None
    expires_at: dt.datetime | None = None
    is_private: bool = False
    self_reported: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)


def _str(value, name: str, errors: dict, *, max_length: int, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            errors[name] = "This field is required."
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors[name] = f"Expected a string, got {type(value).__name__}."
        return ""
    value = str(value).strip()
    if len(value) > max_length:
        errors[name] = f"At most {max_length} characters (got {len(value)})."
        return ""
    return value


def _when(value, name: str, errors: dict) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            errors[name] = "Not a valid Unix timestamp."
            return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        errors[name] = "Expected an ISO 8601 date-time such as 2026-11-30T14:05:00Z."
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def strip_nul(value):
    """``value`` with NUL characters removed from every string in it: PostgreSQL stores no NUL in text or JSON,
    and a NUL carries no meaning in a customer's words."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    return value


def clean_item(raw) -> tuple[CleanItem | None, dict]:
    """Validate one item; returns the clean item, or None and ``{field: message}``."""
    errors: dict[str, str] = {}
    raw = strip_nul(raw)
    if not isinstance(raw, dict):
        return None, {"item": f"Expected an object, got {type(raw).__name__}."}
    author = raw.get("author") or {}
    account = raw.get("account") or {}
    if not isinstance(author, dict):
        errors["author"] = "Expected an object."
        author = {}
    if not isinstance(account, dict):
        errors["account"] = "Expected an object."
        account = {}
    external_id = _str(raw.get("external_id"), "external_id", errors, max_length=200, required=True)
    text = raw.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        errors["text"] = f"Expected a string, got {type(text).__name__}."
        text = ""
    elif len(text) > MAX_TEXT_CHARS:
        errors["text"] = f"At most {MAX_TEXT_CHARS:,} characters (got {len(text):,})."
    role_raw = author.get("role", "customer")
    role = _ROLES.get(str(role_raw).lower()) if isinstance(role_raw, str) else None
    if role is None:
        errors["author.role"] = "Expected customer, agent or system."
    created_at = _when(raw.get("created_at"), "created_at", errors)
    if created_at and created_at > timezone.now() + dt.timedelta(days=1):
        errors["created_at"] = "Lies in the future."
    expires_at = _when(raw.get("expires_at"), "expires_at", errors)
    platform = _str(raw.get("platform"), "platform", errors, max_length=20).lower()
    if platform and platform not in _PLATFORMS:
        errors["platform"] = f"Unknown platform {platform!r}; one of {', '.join(sorted(_PLATFORMS))}."
    stage = _str(raw.get("journey_stage"), "journey_stage", errors, max_length=20).lower()
    if stage and stage not in _STAGES:
        errors["journey_stage"] = f"Unknown journey stage {stage!r}; one of {', '.join(sorted(_STAGES))}."
    followers = author.get("followers")
    if followers is not None and (isinstance(followers, bool) or not isinstance(followers, int) or followers < 0):
        errors["author.followers"] = "Expected a whole number of at least 0."
        followers = None
    rating, rating_max = None, None
    if raw.get("rating") is not None:
        rating_raw = raw["rating"]
        try:
            rating = float(rating_raw["value"] if isinstance(rating_raw, dict) else rating_raw)
            rating_max = float(rating_raw.get("scale_max", 5) if isinstance(rating_raw, dict) else 5)
            if not 0 <= rating <= rating_max or rating_max <= 0:
                raise ValueError
        except (TypeError, ValueError, KeyError):
            errors["rating"] = 'Expected {"value": n, "scale_max": m} with 0 <= n <= m.'
            rating = rating_max = None
    metadata = raw.get("metadata") or {}
    if not isinstance(metadata, dict):
        errors["metadata"] = "Expected an object."
        metadata = {}
    self_reported = raw.get("self_reported") or {}
    if not isinstance(self_reported, dict):
        errors["self_reported"] = "Expected an object."
        self_reported = {}
    email = _str(author.get("email"), "author.email", errors, max_length=254).lower()
    if email and ("@" not in email or " " in email):
        errors["author.email"] = "Not an email address."
    item = CleanItem(
        external_id=external_id,
        text=text,
        role=role or AuthorRole.CUSTOMER,
        created_at=created_at or timezone.now(),
        email=email,
        handle=_str(author.get("handle"), "author.handle", errors, max_length=255).lstrip("@").lower(),
        author_external_id=_str(author.get("external_id"), "author.external_id", errors, max_length=255),
        author_name=_str(author.get("name"), "author.name", errors, max_length=200),
        followers=followers,
        bot_declared=author.get("is_bot_declared") is True,
        account_external_id=_str(account.get("external_id"), "account.external_id", errors, max_length=100),
        account_domain=_str(account.get("domain"), "account.domain", errors, max_length=200).lower(),
        thread_id=_str(raw.get("thread_id"), "thread_id", errors, max_length=200),
        language=_str(raw.get("language"), "language", errors, max_length=12).lower(),
        journey_stage=stage,
        platform=platform,
        url=_str(raw.get("url"), "url", errors, max_length=500),
        subject=_str(raw.get("subject"), "subject", errors, max_length=300),
        rating=rating,
        rating_max=rating_max,
        expires_at=expires_at,
        is_private=raw.get("is_private") is True,
        self_reported=self_reported,
        metadata=metadata,
    )
    if item.is_private:
        item.role = AuthorRole.AGENT  # a private note is staff talking to staff, never a customer's words
    return (None, errors) if errors else (item, {})
