"""Payload adapters: one raw payload of a known shape in, a list of canonical items out.

An adapter reads what a source pushes us (a Zendesk ticket webhook, a social-listening mention, a review, a forum
post, a raw email, or the canonical format itself) and returns plain dicts in the canonical item shape that the
ingestion service validates and stores. Adapters store nothing and guess nothing: a key is left out when the payload
has no value for it, and a payload they cannot read raises ``AdapterError`` naming the offending place
(``ticket.comments[2]: missing 'id'``), so that the caller can dead-letter it with a reason a human can act on.

Timestamps always come out as ISO 8601 in UTC. Only the standard library parses (json, email).
"""

from __future__ import annotations

import copy
import email
import email.policy
import email.utils
import inspect
import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from apps.crm.choices import JourneyStage
from apps.sources.choices import AuthorRole, Platform

Item = dict[str, Any]
Payload = dict | list | str | bytes

CUSTOMER = AuthorRole.CUSTOMER.value
AGENT = AuthorRole.AGENT.value
SYSTEM = AuthorRole.SYSTEM.value

#: The keys a canonical item may have, in the order adapters write them.
CANONICAL_KEYS = (
    "external_id",
    "text",
    "author",
    "account",
    "created_at",
    "thread_id",
    "language",
    "platform",
    "url",
    "rating",
    "expires_at",
    "is_private",
    "subject",
    "metadata",
    # Accepted by the ingestion service (apps/sources/items.py) though no adapter here writes them.
    "journey_stage",
    "self_reported",
)
AUTHOR_KEYS = ("role", "email", "handle", "external_id", "name", "followers", "verified", "is_bot_declared")
ACCOUNT_KEYS = ("external_id", "domain", "name")

# Message.external_id is a CharField(max_length=200); a longer id could not be stored.
EXTERNAL_ID_MAX_LENGTH = 200

# Stories vanish from the platform a day after posting unless the feed says otherwise.
STORY_LIFETIME = timedelta(hours=24)

_PLATFORMS = frozenset(Platform.values)
# Listening tools and review aggregators spell platforms their own way; these are the same places.
_PLATFORM_ALIASES = {
    "twitter": "x",
    "x.com": "x",
    "fb": "facebook",
    "ig": "instagram",
    "appstore": "app_store",
    "app-store": "app_store",
    "apple_app_store": "app_store",
    "ios": "app_store",
    "googleplay": "google_play",
    "google-play": "google_play",
    "play_store": "google_play",
    "playstore": "google_play",
    "android": "google_play",
}


class AdapterError(ValueError):
    """A payload an adapter cannot read. ``path`` locates the problem, ``problem`` says what it is."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path or "payload"
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


# --------------------------------------------------------------------------- reading JSON-ish values with a path


def _kind(value: Any) -> str:
    # Senders think in JSON, not Python, so errors name JSON types.
    names = {type(None): "null", bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _field(obj: dict, key: str, path: str, read: Callable[[Any, str], Any], *, required: bool = False) -> Any:
    value = obj.get(key)
    if value is None:
        if required:
            raise AdapterError(path, f"missing '{key}'" if key not in obj else f"'{key}' is null")
        return None
    return read(value, _join(path, key))


def _object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise AdapterError(path, f"expected an object, got {_kind(value)}")
    return value


def _array(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise AdapterError(path, f"expected an array, got {_kind(value)}")
    return value


def _ident(value: Any, path: str) -> str:
    # Most APIs send integer ids, some strings; both become strings. A boolean is always a mistake.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AdapterError(path, f"expected an id (string or integer), got {_kind(value)}")
    text = str(value).strip()
    if not text:
        raise AdapterError(path, "empty id")
    return text


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise AdapterError(path, f"expected a string, got {_kind(value)}")
    return value


def _name(value: Any, path: str) -> str | None:
    # Names, handles and titles: surrounding blanks carry nothing, an empty one is no value.
    return _string(value, path).strip() or None


def _integer(value: Any, path: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdapterError(path, f"expected a whole number, got {_kind(value)}")
    if value < 0:
        raise AdapterError(path, f"expected a non-negative number, got {value}")
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise AdapterError(path, f"expected true or false, got {_kind(value)}")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise AdapterError(path, f"expected a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AdapterError(path, f"expected a number, got {_kind(value)}")
    if not math.isfinite(value):
        raise AdapterError(path, f"expected a finite number, got {value}")
    return float(value)


_EPOCH = re.compile(r"-?\d+(\.\d+)?")
# X's v1.1 API format, still emitted by many listening tools: "Wed Oct 10 20:19:24 +0000 2018".
_LEGACY_X_FORMAT = "%a %b %d %H:%M:%S %z %Y"


def _from_epoch(seconds: float, path: str) -> datetime:
    # A value this large is milliseconds (JavaScript feeds); as seconds it would be past the year 5000.
    if abs(seconds) >= 1e11:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise AdapterError(path, f"epoch {seconds} is out of range") from None


def _instant(value: Any, path: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise AdapterError(path, f"expected a timestamp, got {_kind(value)}")
    if isinstance(value, int | float):
        return _from_epoch(value, path)
    text = value.strip()
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text), path)
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.strptime(text, _LEGACY_X_FORMAT)
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                parsed = None
    if parsed is None:
        raise AdapterError(path, f"{value!r} is not a timestamp (expected ISO 8601, RFC 2822 or epoch seconds)")
    if parsed.tzinfo is None:
        # Guessing the zone would shift the moment by hours; the sender has to say.
        raise AdapterError(path, f"{value!r} has no timezone")
    return parsed.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _timestamp(value: Any, path: str) -> str:
    return _iso(_instant(value, path))


def _platform(value: str | None) -> tuple[str | None, str | None]:
    """The canonical platform for what a payload calls it, and the raw name when it is not one we know."""
    if value is None or not value.strip():
        return None, None
    key = value.strip().lower().replace(" ", "_")
    key = _PLATFORM_ALIASES.get(key, key)
    if key in _PLATFORMS:
        return key, None
    # Kept as "other" (with the raw name in metadata) rather than failing the item on a vocabulary gap.
    return Platform.OTHER.value, value


def _language(value: str | None) -> tuple[str | None, str | None]:
    """ISO 639-1 from a language tag ("en-US" → "en"), and the raw tag when it has no such code ("und", "zxx")."""
    if value is None or not value.strip():
        return None, None
    primary = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    if len(primary) == 2 and primary.isascii() and primary.isalpha():
        return primary, None
    return None, value


def _body(obj: dict, path: str, plain_keys: tuple[str, ...], html_keys: tuple[str, ...]) -> tuple[str, bool]:
    """The text of ``obj``: the first non-empty plain body, else the first HTML one. Returns (text, is_html)."""
    present = False
    for keys, is_html in ((plain_keys, False), (html_keys, True)):
        for key in keys:
            value = _field(obj, key, path, _string)
            present = present or value is not None
            if value and value.strip():
                return value, is_html
    if present:
        # An empty body is still a comment (an attachment, a rating without words); the service decides.
        return "", False
    names = ", ".join(f"'{key}'" for key in plain_keys[1:] + html_keys)
    raise AdapterError(path, f"missing '{plain_keys[0]}'" + (f" (or {names})" if names else ""))


def _compact(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def _item(**fields: Any) -> Item:
    # Never claim an empty author, account or metadata: what we do not know is simply absent.
    return {key: value for key, value in fields.items() if value is not None and value != {}}


def _load_json(payload: Any) -> Any:
    if isinstance(payload, bytes | bytearray):
        try:
            payload = bytes(payload).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AdapterError("", f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if isinstance(payload, str):
        if not payload.strip():
            raise AdapterError("", "empty payload")
        try:
            return json.loads(payload)
        except json.JSONDecodeError as exc:
            raise AdapterError("", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        except RecursionError:
            raise AdapterError("", "JSON nested too deeply") from None
    return payload


def _records(payload: Any, batch_key: str) -> list[tuple[dict, str]]:
    """The records of a single-record or batch payload (``{batch_key: [...]}`` or a bare array), with their paths."""
    data = _load_json(payload)
    if isinstance(data, dict) and batch_key in data:
        entries, base = _array(data[batch_key], batch_key), batch_key
    elif isinstance(data, list):
        entries, base = data, ""
    elif isinstance(data, dict):
        return [(data, "")]
    else:
        raise AdapterError("", f"expected an object or an array, got {_kind(data)}")
    return [(_object(entry, f"{base}[{index}]"), f"{base}[{index}]") for index, entry in enumerate(entries)]


def _as_set(values: Iterable[str] | str | None) -> set[str]:
    # A single string would otherwise be iterated character by character.
    if values is None:
        return set()
    if isinstance(values, str):
        values = [values]
    return {value.strip().lower() for value in values if value and value.strip()}


# --------------------------------------------------------------------------- zendesk

_ZENDESK_ROLES = {"end-user": CUSTOMER, "end_user": CUSTOMER, "agent": AGENT, "admin": AGENT}


def adapt_zendesk(payload: Payload) -> list[Item]:
    """One item per comment of a Zendesk ticket webhook (``{"ticket": {...}, "users": [...]}``)."""
    data = _object(_load_json(payload), "")
    ticket = _field(data, "ticket", "", _object, required=True)
    ticket_id = _field(ticket, "id", "ticket", _ident, required=True)
    subject = _field(ticket, "subject", "ticket", _name)

    people: dict[str, dict[str, Any]] = {}
    requester = _field(ticket, "requester", "ticket", _object) or {}
    requester_id = _field(requester, "id", "ticket.requester", _ident) or _field(
        ticket, "requester_id", "ticket", _ident
    )
    if requester_id:
        people[requester_id] = _compact(
            {
                "email": _field(requester, "email", "ticket.requester", _name),
                "name": _field(requester, "name", "ticket.requester", _name),
            }
        )
    for index, raw_user in enumerate(_field(data, "users", "", _array) or []):
        upath = f"users[{index}]"
        user = _object(raw_user, upath)
        user_id = _field(user, "id", upath, _ident, required=True)
        fields = {
            "email": _field(user, "email", upath, _name),
            "name": _field(user, "name", upath, _name),
            "zendesk_role": _field(user, "role", upath, _name),
        }
        people.setdefault(user_id, {}).update(_compact(fields))

    organization = _field(ticket, "organization", "ticket", _object) or {}
    domains = [
        _string(domain, f"ticket.organization.domain_names[{index}]").strip()
        for index, domain in enumerate(_field(organization, "domain_names", "ticket.organization", _array) or [])
    ]
    account = _compact(
        {
            "external_id": _field(organization, "id", "ticket.organization", _ident),
            "domain": next((domain for domain in domains if domain), None),
            "name": _field(organization, "name", "ticket.organization", _name),
        }
    )

    tags = [
        _string(tag, f"ticket.tags[{index}]")
        for index, tag in enumerate(_field(ticket, "tags", "ticket", _array) or [])
    ]
    via = _field(ticket, "via", "ticket", _object) or {}
    ticket_metadata = _compact(
        {
            "tags": tags or None,
            "priority": _field(ticket, "priority", "ticket", _name),
            "status": _field(ticket, "status", "ticket", _name),
            "channel": _field(via, "channel", "ticket.via", _name),
            "ticket_created_at": _field(ticket, "created_at", "ticket", _timestamp),
        }
    )

    items = []
    for index, raw_comment in enumerate(_field(ticket, "comments", "ticket", _array, required=True)):
        cpath = f"ticket.comments[{index}]"
        comment = _object(raw_comment, cpath)
        comment_id = _field(comment, "id", cpath, _ident, required=True)
        text, is_html = _body(comment, cpath, ("body", "plain_body"), ("html_body",))
        public = _field(comment, "public", cpath, _boolean)
        author_id = _field(comment, "author_id", cpath, _ident)
        person = people.get(author_id, {}) if author_id else {}

        role = _ZENDESK_ROLES.get((person.get("zendesk_role") or "").lower())
        if role is None and author_id is not None and author_id == requester_id:
            role = CUSTOMER
        if public is False:
            # End users cannot write private comments in Zendesk: a private comment is an internal agent note.
            role = AGENT
        # An author we cannot place (not the requester, not in "users") gets no role rather than a guessed one.

        comment_via = _field(comment, "via", cpath, _object) or {}
        metadata = copy.deepcopy(ticket_metadata)
        metadata |= _compact(
            {
                "comment_channel": _field(comment_via, "channel", f"{cpath}.via", _name),
                "body_format": "html" if is_html else None,
            }
        )
        items.append(
            _item(
                external_id=f"ticket-{ticket_id}/comment-{comment_id}",
                text=text,
                author=_compact(
                    {
                        "role": role,
                        "email": person.get("email"),
                        "external_id": author_id,
                        "name": person.get("name"),
                    }
                ),
                account=dict(account),
                created_at=_field(comment, "created_at", cpath, _timestamp),
                thread_id=ticket_id,
                is_private=None if public is None else not public,
                subject=subject,
                metadata=metadata,
            )
        )
    return items


# --------------------------------------------------------------------------- social listening


def _handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def adapt_social(payload: Payload, *, agent_handles: Iterable[str] | str | None = None) -> list[Item]:
    """One item per social-listening mention (a mention, ``{"mentions": [...]}`` or an array of mentions).

    ``agent_handles`` are our own brand accounts: their replies are agent items, not customer voice.
    """
    own = {_handle_key(handle) for handle in _as_set(agent_handles)}
    return [_social_item(mention, path, own) for mention, path in _records(payload, "mentions")]


def _social_item(mention: dict, path: str, own_handles: set[str]) -> Item:
    mention_id = _field(mention, "id", path, _ident, required=True)
    text = _field(mention, "text", path, _string, required=True)
    platform, platform_raw = _platform(_field(mention, "platform", path, _string))
    language, language_raw = _language(
        _field(mention, "lang", path, _string) or _field(mention, "language", path, _string)
    )

    apath = _join(path, "author")
    author = _field(mention, "author", path, _object) or {}
    handle = _field(author, "handle", apath, _name)
    declared_bot = None
    for key in ("is_bot_declared", "bot", "automated"):
        declared_bot = _field(author, key, apath, _boolean)
        if declared_bot is not None:
            break
    role = AGENT if handle and _handle_key(handle) in own_handles else CUSTOMER

    created = _field(mention, "created_at", path, _instant) or _field(mention, "timestamp", path, _instant)
    kind = (_field(mention, "type", path, _name) or "").lower() or None
    expires = _field(mention, "expires_at", path, _instant)
    expires_estimated = None
    if expires is None and kind == "story" and created is not None:
        expires, expires_estimated = created + STORY_LIFETIME, True

    in_reply_to = _field(mention, "in_reply_to", path, _ident)
    # The conversation root when the feed gives it; otherwise a reply joins its parent's thread.
    thread_id = (
        _field(mention, "conversation_id", path, _ident)
        or _field(mention, "thread_id", path, _ident)
        or in_reply_to
        or mention_id
    )
    metrics = _field(mention, "metrics", path, _object)
    metadata = _compact(
        {
            "type": kind,
            "in_reply_to": in_reply_to,
            "metrics": copy.deepcopy(metrics) if metrics else None,
            "author_created_at": _field(author, "created_at", apath, _timestamp),
            "expires_at_estimated": expires_estimated,
            "platform_raw": platform_raw,
            "language_raw": language_raw,
        }
    )
    return _item(
        external_id=mention_id,
        text=text,
        author=_compact(
            {
                "role": role,
                "handle": handle,
                "external_id": _field(author, "id", apath, _ident),
                "name": _field(author, "name", apath, _name),
                "followers": _field(author, "followers", apath, _integer),
                "verified": _field(author, "verified", apath, _boolean),
                "is_bot_declared": declared_bot,
            }
        ),
        created_at=_iso(created) if created else None,
        thread_id=thread_id,
        language=language,
        platform=platform,
        url=_field(mention, "url", path, _name),
        expires_at=_iso(expires) if expires else None,
        metadata=metadata,
    )


# --------------------------------------------------------------------------- reviews

DEFAULT_RATING_MAX = 5.0


def adapt_review(payload: Payload) -> list[Item]:
    """One item per review, plus one agent item per vendor reply (a review, ``{"reviews": [...]}`` or an array)."""
    items: list[Item] = []
    for review, path in _records(payload, "reviews"):
        items.extend(_review_items(review, path))
    return items


def _review_items(review: dict, path: str) -> list[Item]:
    review_id = _field(review, "id", path, _ident, required=True)
    title = _field(review, "title", path, _name)
    body = _field(review, "body", path, _string)
    if body is None and title is None:
        raise AdapterError(path, "missing 'body' (or 'title')")
    # Some sites allow a title-only review; then the title is all the customer said.
    text = body if body and body.strip() else (title or "")

    rating = None
    value = _field(review, "rating", path, _number)
    if value is not None:
        scale_max = _field(review, "rating_max", path, _number)
        scale_max = DEFAULT_RATING_MAX if scale_max is None else scale_max
        if scale_max <= 0:
            raise AdapterError(_join(path, "rating_max"), f"must be above 0, got {scale_max:g}")
        if not 0 <= value <= scale_max:
            raise AdapterError(_join(path, "rating"), f"{value:g} is outside 0..{scale_max:g}")
        rating = {"value": value, "scale_max": scale_max}

    platform, platform_raw = _platform(_field(review, "platform", path, _string))
    language, language_raw = _language(_field(review, "language", path, _string))
    apath = _join(path, "author")
    author = _field(review, "author", path, _object) or {}
    product = _field(review, "product", path, _name)
    items = [
        _item(
            external_id=review_id,
            text=text,
            author=_compact(
                {
                    "role": CUSTOMER,
                    "external_id": _field(author, "id", apath, _ident),
                    "name": _field(author, "name", apath, _name),
                }
            ),
            created_at=_field(review, "created_at", path, _timestamp),
            thread_id=review_id,
            language=language,
            platform=platform,
            url=_field(review, "url", path, _name),
            rating=rating,
            subject=title,
            metadata=_compact({"product": product, "platform_raw": platform_raw, "language_raw": language_raw}),
        )
    ]

    reply = _field(review, "reply", path, _object)
    if reply is not None:
        rpath = _join(path, "reply")
        reply_author = reply.get("author")
        # A reply's author is a name on some sites and an object on others.
        if isinstance(reply_author, str):
            reply_author = {"name": reply_author}
        reply_author = _object(reply_author, _join(rpath, "author")) if reply_author is not None else {}
        items.append(
            _item(
                external_id=f"{review_id}/reply",
                text=_field(reply, "body", rpath, _string, required=True),
                author=_compact(
                    {
                        "role": AGENT,
                        "external_id": _field(reply_author, "id", _join(rpath, "author"), _ident),
                        "name": _field(reply_author, "name", _join(rpath, "author"), _name),
                    }
                ),
                created_at=_field(reply, "created_at", rpath, _timestamp),
                thread_id=review_id,
                platform=platform,
                metadata=_compact({"in_reply_to": review_id, "product": product, "platform_raw": platform_raw}),
            )
        )
    return items


# --------------------------------------------------------------------------- community forum

# Discourse post types: 1 regular, 2 moderator action, 3 small action ("closed this topic"), 4 whisper (staff only).
_SYSTEM_POST_TYPES = {2, 3}
_WHISPER_POST_TYPE = 4


def adapt_forum(payload: Payload) -> list[Item]:
    """One item per community forum post (Discourse-like: a post, ``{"posts": [...]}`` or an array)."""
    return [_forum_item(post, path) for post, path in _records(payload, "posts")]


def _forum_item(post: dict, path: str) -> Item:
    post_id = _field(post, "id", path, _ident, required=True)
    topic_id = _field(post, "topic_id", path, _ident, required=True)
    # "raw" is the author's Markdown, "cooked" the rendered HTML: prefer what the author typed.
    text, is_html = _body(post, path, ("body", "raw"), ("cooked",))
    staff = any(_field(post, key, path, _boolean) for key in ("staff", "admin", "moderator"))
    post_type = _field(post, "post_type", path, _integer)

    role = AGENT if staff else CUSTOMER
    is_private = None
    if post_type in _SYSTEM_POST_TYPES:
        role = SYSTEM
    elif post_type == _WHISPER_POST_TYPE:
        # Whispers are visible to staff only, and only staff can write them.
        role, is_private = AGENT, True

    return _item(
        external_id=post_id,
        text=text,
        author=_compact(
            {
                "role": role,
                "email": _field(post, "email", path, _name),
                "handle": _field(post, "username", path, _name),
                "external_id": _field(post, "user_id", path, _ident),
                "name": _field(post, "name", path, _name),
            }
        ),
        created_at=_field(post, "created_at", path, _timestamp),
        thread_id=topic_id,
        url=_field(post, "url", path, _name),
        is_private=is_private,
        subject=_field(post, "topic_title", path, _name),
        metadata=_compact(
            {
                "post_number": _field(post, "post_number", path, _integer),
                "reply_to_post_number": _field(post, "reply_to_post_number", path, _integer),
                "post_type": post_type if post_type not in (None, 1) else None,
                "like_count": _field(post, "like_count", path, _integer),
                "category_id": _field(post, "category_id", path, _ident),
                "action_code": _field(post, "action_code", path, _name),
                "body_format": "html" if is_html else None,
            }
        ),
    )


# --------------------------------------------------------------------------- email

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# "On Mon, 2 Mar 2026 at 17:04, Jane <jane@example.com> wrote:" and its usual translations.
_ATTRIBUTION = re.compile(
    r"^(On\s.+\swrote|Le\s.+\sa\s[ée]crit|Am\s.+\sschrieb.*|El\s.+\sescribi[óo]|Op\s.+\sschreef.*)\s?:\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^(On|Le|Am|El|Op)\s", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}$", re.I)
_OUTLOOK_HEADER_NEXT = re.compile(r"^(Sent|Date|Gesendet|Envoyé)\s*:", re.IGNORECASE)
# Where mail clients start the quoted history in an HTML body.
_HTML_QUOTE = re.compile(
    r"<div[^>]*class=\"[^\"]*gmail_quote|<blockquote[^>]*type=\"cite\"|<div[^>]*id=\"(divRplyFwdMsg|appendonsend)\"",
    re.IGNORECASE,
)


def _starts_quoted_history(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _ORIGINAL_MESSAGE.match(line):
        return True
    if re.fullmatch(r"_{10,}", line):
        # Outlook's separator line above the quoted message's From/Sent block.
        following = next((nxt.strip() for nxt in lines[index + 1 :] if nxt.strip()), "")
        return following.startswith("From:")
    if line.startswith("From:") and any(
        _OUTLOOK_HEADER_NEXT.match(nxt.strip()) for nxt in lines[index + 1 : index + 4]
    ):
        return True
    if _ATTRIBUTION_START.match(line):
        # Clients wrap long attributions, so "wrote:" may land on the next line or the one after.
        for span in (1, 2, 3):
            candidate = " ".join(part.strip() for part in lines[index : index + span])
            if _ATTRIBUTION.match(candidate):
                return True
    return False


def strip_quoted_text(text: str) -> tuple[str, bool]:
    """The new words of a plain-text reply: quoted ("> ") lines and the history after an attribution are cut.

    Returns the text and whether anything was cut.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    removed = False
    for index, line in enumerate(lines):
        if _starts_quoted_history(lines, index):
            removed = True
            break
        if line.lstrip().startswith(">"):
            removed = True
            continue
        kept.append(line)
    return ("\n".join(kept).strip(), True) if removed else (text.strip(), False)


def _strip_quoted_html(html: str) -> tuple[str, bool]:
    match = _HTML_QUOTE.search(html)
    if match is None:
        return html.strip(), False
    return html[: match.start()].strip(), True


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):
        # A header so malformed the parser gives up on it counts as absent.
        return None
    value = str(value).strip() if value is not None else ""
    return value or None


def _message_ids(value: str | None) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def _addresses(value: str | None) -> list[str]:
    return [address for _, address in email.utils.getaddresses([value]) if "@" in address] if value else []


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):
        # Unknown or lying charset: keep the words we can read rather than the whole message.
        raw = part.get_payload(decode=True) or b""
        content = raw.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else ""


def _domain_matches(address: str, domains: set[str]) -> bool:
    domain = address.rpartition("@")[2].lower()
    return any(domain == own or domain.endswith("." + own) for own in domains)


def adapt_email(payload: Payload, *, agent_domains: Iterable[str] | str | None = None) -> list[Item]:
    """One item for a raw RFC 822 message (str, bytes or ``{"raw": "..."}``).

    ``agent_domains`` are our own mail domains (subdomains included): mail from them is an agent item.
    """
    raw: Any = payload
    if isinstance(payload, dict):
        raw = _field(payload, "raw", "", _string, required=True)
    if not isinstance(raw, str | bytes | bytearray):
        raise AdapterError("", f"expected a raw RFC 822 message (string or bytes) or {{'raw': ...}}, got {_kind(raw)}")
    if not raw.strip():
        raise AdapterError("email", "empty message")
    if isinstance(raw, str):
        message = email.message_from_string(raw, policy=email.policy.default)
    else:
        message = email.message_from_bytes(bytes(raw), policy=email.policy.default)

    raw_message_id = _header(message, "Message-ID")
    if raw_message_id is None:
        raise AdapterError("email", "missing Message-ID header")
    ids = _message_ids(raw_message_id)
    message_id = ids[0] if ids else raw_message_id.strip("<> ")
    if not message_id or any(char.isspace() for char in message_id):
        raise AdapterError("email", f"unreadable Message-ID header {raw_message_id!r}")

    sender = email.utils.parseaddr(_header(message, "From") or "")
    if not _header(message, "From"):
        raise AdapterError("email", "missing From header")
    if "@" not in sender[1]:
        raise AdapterError("email", f"From header has no address: {_header(message, 'From')!r}")

    part = message.get_body(preferencelist=("plain",))
    is_html = False
    if part is None:
        part, is_html = message.get_body(preferencelist=("html",)), True
    if part is None:
        raise AdapterError("email", "no text/plain or text/html body")
    text, quoted_removed = (_strip_quoted_html if is_html else strip_quoted_text)(_part_text(part))

    metadata: dict[str, Any] = {}
    created_at = None
    date_header = _header(message, "Date")
    if date_header:
        try:
            moment = email.utils.parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError):
            # Date headers are sender-written and often broken; losing the mail over it would be worse.
            metadata["date_header"] = date_header
        else:
            # RFC 5322 "-0000" (the only way to get a naive value here) means UTC with no local zone known.
            created_at = _iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))

    auto_submitted = _header(message, "Auto-Submitted")
    if auto_submitted and auto_submitted.lower() != "no":
        # Out-of-office and other automatic replies (RFC 3834) are nobody's feelings.
        role = SYSTEM
        metadata["auto_submitted"] = auto_submitted
    elif _domain_matches(sender[1], _as_set(agent_domains)):
        role = AGENT
    else:
        role = CUSTOMER

    references = _message_ids(_header(message, "References"))
    in_reply_to = _message_ids(_header(message, "In-Reply-To"))
    language, language_raw = _language(_header(part, "Content-Language") or _header(message, "Content-Language"))
    metadata |= _compact(
        {
            "to": _addresses(_header(message, "To")) or None,
            "cc": _addresses(_header(message, "Cc")) or None,
            "in_reply_to": in_reply_to[0] if in_reply_to else None,
            "body_format": "html" if is_html else None,
            "quoted_text_removed": True if quoted_removed else None,
            "language_raw": language_raw,
        }
    )
    return [
        _item(
            external_id=message_id,
            text=text,
            author=_compact({"role": role, "email": sender[1], "name": sender[0].strip() or None}),
            created_at=created_at,
            thread_id=(references or in_reply_to or [message_id])[0],
            language=language,
            subject=_header(message, "Subject"),
            metadata=metadata,
        )
    ]


# --------------------------------------------------------------------------- generic (canonical) format


def adapt_generic(payload: Payload) -> list[Item]:
    """Canonical items passed through: an item, ``{"messages": [...]}`` or an array of items.

    Only the envelope is checked here (objects where objects belong); each item's fields are the ingestion
    service's to validate, so that one bad item is dead-lettered alone instead of failing its whole batch.
    ``item_problems`` lists what the service would reject.
    """
    data = _load_json(payload)
    if isinstance(data, dict) and "messages" in data:
        entries, base = _array(data["messages"], "messages"), "messages"
    elif isinstance(data, list):
        entries, base = data, ""
    elif isinstance(data, dict):
        if not set(CANONICAL_KEYS) & data.keys():
            keys = ", ".join(sorted(map(str, data)))[:200] or "none"
            raise AdapterError(
                "", f"expected a canonical item or {{'messages': [...]}}, got an object with keys {keys}"
            )
        return [copy.deepcopy(data)]
    else:
        raise AdapterError("", f"expected an object or an array, got {_kind(data)}")
    # Copies, so that whatever the service adds to an item never leaks back into the caller's payload.
    return [copy.deepcopy(_object(entry, f"{base}[{index}]")) for index, entry in enumerate(entries)]


def _iso_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected an ISO 8601 string, got {_kind(value)}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not ISO 8601"
    return None if moment.tzinfo is not None else f"{value!r} has no timezone"


def item_problems(item: Any) -> list[str]:
    """What is wrong with one canonical item, as "field: problem" strings; empty when it is well formed."""
    if not isinstance(item, dict):
        return [f"item: expected an object, got {_kind(item)}"]
    problems = [f"{key}: not a canonical key" for key in item if key not in CANONICAL_KEYS]
    external_id = item.get("external_id")
    if not isinstance(external_id, str) or not external_id.strip():
        problems.append("external_id: missing" if external_id is None else "external_id: expected a non-empty string")
    elif len(external_id) > EXTERNAL_ID_MAX_LENGTH:
        problems.append(f"external_id: longer than {EXTERNAL_ID_MAX_LENGTH} characters")
    for key in ("text", "thread_id", "url", "subject"):
        if key in item and not isinstance(item[key], str):
            problems.append(f"{key}: expected a string, got {_kind(item[key])}")
    for key in ("created_at", "expires_at"):
        if key in item and (problem := _iso_problem(item[key])):
            problems.append(f"{key}: {problem}")
    language = item.get("language")
    if "language" in item and not (isinstance(language, str) and _language(language)[0] == language):
        problems.append(f"language: {language!r} is not a lowercase ISO 639-1 code")
    if "platform" in item and item["platform"] not in _PLATFORMS:
        problems.append(f"platform: {item['platform']!r} is not a known platform")
    if "journey_stage" in item and item["journey_stage"] not in JourneyStage.values:
        problems.append(f"journey_stage: {item['journey_stage']!r} is not a journey stage")
    if "self_reported" in item and not isinstance(item["self_reported"], dict):
        problems.append(f"self_reported: expected an object, got {_kind(item['self_reported'])}")
    if "is_private" in item and not isinstance(item["is_private"], bool):
        problems.append(f"is_private: expected true or false, got {_kind(item['is_private'])}")
    problems += _author_problems(item.get("author"))
    account = item.get("account")
    if account is not None:
        if not isinstance(account, dict):
            problems.append(f"account: expected an object, got {_kind(account)}")
        else:
            problems += [f"account.{key}: not a canonical key" for key in account if key not in ACCOUNT_KEYS]
            problems += [
                f"account.{key}: expected a string, got {_kind(value)}"
                for key, value in account.items()
                if key in ACCOUNT_KEYS and not isinstance(value, str)
            ]
    problems += _rating_problems(item.get("rating"))
    metadata = item.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            problems.append(f"metadata: expected an object, got {_kind(metadata)}")
        else:
            try:
                json.dumps(metadata)
            except (TypeError, ValueError):
                # It ends up in a JSONField.
                problems.append("metadata: not JSON-serialisable")
    return problems


def _author_problems(author: Any) -> list[str]:
    if author is None:
        return []
    if not isinstance(author, dict):
        return [f"author: expected an object, got {_kind(author)}"]
    problems = [f"author.{key}: not a canonical key" for key in author if key not in AUTHOR_KEYS]
    if "role" in author and author["role"] not in AuthorRole.values:
        problems.append(f"author.role: {author['role']!r} is not one of {', '.join(AuthorRole.values)}")
    for key in ("email", "handle", "external_id", "name"):
        if key in author and not isinstance(author[key], str):
            problems.append(f"author.{key}: expected a string, got {_kind(author[key])}")
    followers = author.get("followers")
    if "followers" in author and (isinstance(followers, bool) or not isinstance(followers, int) or followers < 0):
        problems.append("author.followers: expected a non-negative whole number")
    for key in ("verified", "is_bot_declared"):
        if key in author and not isinstance(author[key], bool):
            problems.append(f"author.{key}: expected true or false, got {_kind(author[key])}")
    return problems


def _rating_problems(rating: Any) -> list[str]:
    if rating is None:
        return []
    if not isinstance(rating, dict):
        return [f"rating: expected an object, got {_kind(rating)}"]
    value, scale_max = rating.get("value"), rating.get("scale_max")
    numbers = [
        number for number in (value, scale_max) if isinstance(number, int | float) and not isinstance(number, bool)
    ]
    if len(numbers) != 2:
        return ["rating: expected numeric 'value' and 'scale_max'"]
    if scale_max <= 0 or not 0 <= value <= scale_max:
        return [f"rating: {value} is outside 0..{scale_max}"]
    return []


# --------------------------------------------------------------------------- registry

ADAPTERS: dict[str, Callable[..., list[Item]]] = {
    "zendesk": adapt_zendesk,
    "social": adapt_social,
    "review": adapt_review,
    "forum": adapt_forum,
    "email": adapt_email,
    "generic": adapt_generic,
}


def adapt(name: str, payload: Payload, **options: Any) -> list[Item]:
    """Canonical items from ``payload`` by the adapter ``name``; ``options`` go to the adapter (e.g. agent_domains).

    Raises AdapterError for an unknown adapter, an option it does not take, or a payload it cannot read.
    """
    adapter = ADAPTERS.get(name)
    if adapter is None:
        raise AdapterError("adapter", f"unknown adapter {name!r} (known: {', '.join(sorted(ADAPTERS))})")
    accepted = [
        parameter.name
        for parameter in inspect.signature(adapter).parameters.values()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        takes = ", ".join(accepted) or "no options"
        raise AdapterError("adapter", f"{name!r} does not take {', '.join(unknown)} (it takes: {takes})")
    return adapter(payload, **options)
