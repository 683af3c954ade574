"""Noise: bots, spam and irrelevant mentions are flagged with a reason, kept, and left out of metrics."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.sources.choices import MessageStatus, SourceKind
from apps.sources.models import Message, NoisePolicy, Source

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"[@#]\w+")
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_NON_WORD = re.compile(r"[^\w]+")
#: Kinds where authors are strangers on a public platform, and bot or swarm heuristics apply.
PUBLIC_KINDS = {SourceKind.SOCIAL, SourceKind.REVIEW, SourceKind.FORUM}


@dataclass(frozen=True)
class Policy:
    max_posts_per_author_per_hour: int = 20
    swarm_min_authors: int = 5
    swarm_window_minutes: int = 60
    max_links: int = 2
    max_hashtags: int = 5
    new_account_days: int = 7
    new_account_max_followers: int = 20
    require_brand_terms: bool = True
    influencer_min_followers: int = 10000
    is_active: bool = True


def policy_for(source: Source) -> Policy:
    """The source's own policy, else the default one, else built-in defaults."""
    row = NoisePolicy.objects.filter(source=source).first() or NoisePolicy.objects.filter(source__isnull=True).first()
    if row is None:
        return Policy()
    return Policy(**{f: getattr(row, f) for f in Policy.__dataclass_fields__})


def content_hash(text: str) -> str:
    """The same words, whatever the links, mentions, case and punctuation around them."""
    core = _NON_WORD.sub(" ", _MENTION.sub(" ", _URL.sub(" ", text.lower()))).strip()
    return hashlib.sha256(core.encode()).hexdigest() if core else ""


def link_count(text: str) -> int:
    return len(_URL.findall(text))


def flag(source: Source, policy: Policy, items: list[tuple[int, object]], now: dt.datetime | None = None) -> dict:
    """Reasons to treat items as noise: ``{index: reason}`` for ``items`` of ``(index, CleanItem)``.

    Rates and swarms count what is already stored (within the window) plus the batch itself.
    """
    if not policy.is_active or source.kind not in PUBLIC_KINDS or not items:
        return {}
    now = now or timezone.now()
    reasons: dict[int, str] = {}
    brand_terms = [t for t in (source.brand_terms or []) if t]
    handles = {item.handle for _, item in items if item.handle}
    hour_ago = now - dt.timedelta(hours=1)
    stored_rate = (
        dict(
            Message.objects.filter(source=source, author_handle__in=handles, created_at_source__gte=hour_ago)
            .values_list("author_handle")
            .annotate(n=Count("id"))
            .values_list("author_handle", "n")
        )
        if handles
        else {}
    )
    batch_rate = Counter(item.handle for _, item in items if item.handle)
    hashes = {i: content_hash(item.text) for i, item in items}
    window_start = now - dt.timedelta(minutes=policy.swarm_window_minutes)
    swarm_authors: dict[str, set[str]] = defaultdict(set)
    for row_hash, handle in Message.objects.filter(
        source=source, content_hash__in={h for h in hashes.values() if h}, created_at_source__gte=window_start
    ).values_list("content_hash", "author_handle"):
        swarm_authors[row_hash].add(handle)
    for i, item in items:
        if hashes[i]:
            swarm_authors[hashes[i]].add(item.handle or f"#{i}")
    for i, item in items:
        text = item.text or ""
        age = _account_age_days(item)
        if item.bot_declared:
            reasons[i] = "bot: the platform declares this account automated"
        elif (
            age is not None
            and age < policy.new_account_days
            and (item.followers or 0) <= policy.new_account_max_followers
        ):
            reasons[i] = f"bot: the account is {age} day(s) old with {item.followers or 0} followers"
        elif len(_HASHTAG.findall(text)) > policy.max_hashtags:
            reasons[i] = f"spam: {len(_HASHTAG.findall(text))} hashtags (more than {policy.max_hashtags})"
        elif link_count(text) > policy.max_links:
            reasons[i] = f"spam: {link_count(text)} links (more than {policy.max_links})"
        elif (
            item.handle
            and stored_rate.get(item.handle, 0) + batch_rate[item.handle] > policy.max_posts_per_author_per_hour
        ):
            rate = stored_rate.get(item.handle, 0) + batch_rate[item.handle]
            reasons[i] = (
                f"bot: {rate} posts in an hour from @{item.handle} (more than {policy.max_posts_per_author_per_hour})"
            )
        elif hashes[i] and len(swarm_authors[hashes[i]]) >= policy.swarm_min_authors:
            authors = len(swarm_authors[hashes[i]])
            reasons[i] = f"swarm: the same text from {authors} authors within {policy.swarm_window_minutes} min"
        elif (
            source.kind == SourceKind.SOCIAL
            and policy.require_brand_terms
            and brand_terms
            and not any(term in text.lower() for term in brand_terms)
        ):
            reasons[i] = "irrelevant: names none of the brand terms"
    return reasons


def _account_age_days(item) -> int | None:
    """Days between the author's account creation (when the platform tells us) and the post."""
    created = parse_datetime(str(item.metadata.get("author_created_at") or ""))
    if created is None:
        return None
    if timezone.is_naive(created):
        created = timezone.make_aware(created, dt.UTC)
    return max(0, (item.created_at - created).days)


def flag_earlier_swarm_members(source: Source, policy: Policy, swarm_hashes: set[str], now=None) -> int:
    """Once a swarm is recognised, the earlier posts of it (stored before the threshold) are noise too."""
    if not swarm_hashes:
        return 0
    now = now or timezone.now()
    return (
        Message.objects.filter(
            source=source,
            content_hash__in=swarm_hashes,
            created_at_source__gte=now - dt.timedelta(minutes=policy.swarm_window_minutes),
        )
        .exclude(status__in=[MessageStatus.NOISE, MessageStatus.TOMBSTONE])
        .update(
            status=MessageStatus.NOISE, noise_reason="swarm: the same text from many authors (flagged when recognised)"
        )
    )
