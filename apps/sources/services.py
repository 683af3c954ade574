"""Ingestion: every path in (API, webhook, connector, survey, replay) goes through ``messages_ingest``.

Validate → normalise → resolve account and contact → de-duplicate on (source, external_id) →
check consent → flag noise → store → queue scoring. What cannot be accepted is refused with a
per-item error and kept as a dead letter with its raw payload: nothing is lost silently.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.consent.choices import Verdict
from apps.consent.selectors import consent_states, suppressed_emails, verdict
from apps.core.db import bulk_insert
from apps.crm.choices import IdentityKind
from apps.crm.models import Account, Contact, ContactIdentity
from apps.sources import adapters, noise
from apps.sources.choices import AuthorRole, DeadLetterStatus, MessageStatus
from apps.sources.items import CleanItem, clean_item, strip_nul
from apps.sources.models import DeadLetter, Message, PlatformBaseline, Source

logger = logging.getLogger("emotionhub.ingest")

MAX_BATCH = 1000


@dataclass
class ItemResult:
    """What happened to one item."""

    index: int
    status: str  # created, duplicate, rejected
    external_id: str = ""
    message_id: int | None = None
    message_status: str = ""
    errors: dict = field(default_factory=dict)
    dead_letter_id: int | None = None

    def as_dict(self) -> dict:
        data = {"index": self.index, "status": self.status, "external_id": self.external_id}
        if self.message_id is not None:
            data |= {"message_id": self.message_id, "message_status": self.message_status}
        if self.errors:
            data |= {"errors": self.errors, "dead_letter_id": self.dead_letter_id}
        return data


@dataclass
class IngestReport:
    results: list[ItemResult]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"created": 0, "duplicate": 0, "rejected": 0}
        for r in self.results:
            counts[r.status] += 1
        return counts

    def as_dict(self) -> dict:
        return {"counts": self.counts, "results": [r.as_dict() for r in self.results]}


# --- dead letters ------------------------------------------------------------------------------------


def dead_letter_record(
    *,
    source: Source | None,
    channel: str,
    reason: str,
    payload=None,
    raw_body: str = "",
    errors: dict | None = None,
    stage: str = "item",
) -> DeadLetter:
    """Keep what could not be accepted, with why."""
    return DeadLetter.objects.create(
        source=source,
        channel=channel,
        payload=strip_nul(payload),
        raw_body=strip_nul(raw_body[:5_000_000]),
        reason=strip_nul(reason[:255]),
        errors=strip_nul({"stage": stage, **(errors or {})}),
    )


def dead_letter_replay(*, dead_letter: DeadLetter) -> IngestReport:
    """Try a dead letter again (after its payload or the data it needed was fixed)."""
    if dead_letter.status == DeadLetterStatus.REPLAYED:
        raise ValueError("This dead letter was already replayed successfully.")
    if dead_letter.source is None:
        raise ValueError("This dead letter has no source to replay into.")
    stage = (dead_letter.errors or {}).get("stage", "item")
    DeadLetter.objects.filter(pk=dead_letter.pk).update(attempts=dead_letter.attempts + 1)
    if stage == "adapter":
        raw = dead_letter.payload if dead_letter.payload is not None else dead_letter.raw_body
        try:
            items = adapters.adapt(dead_letter.source.adapter, raw, **dead_letter.source.adapter_options())
        except adapters.AdapterError as exc:
            DeadLetter.objects.filter(pk=dead_letter.pk).update(reason=f"still unreadable: {exc}"[:255])
            raise ValueError(f"The payload still cannot be read: {exc}") from exc
    else:
        items = [dead_letter.payload]
    report = messages_ingest(
        source=dead_letter.source, items=items, channel=dead_letter.channel, keep_dead_letters=False
    )
    if all(r.status != "rejected" for r in report.results):
        DeadLetter.objects.filter(pk=dead_letter.pk).update(
            status=DeadLetterStatus.REPLAYED, replayed_at=timezone.now()
        )
    else:
        errors = {k: v for r in report.results for k, v in r.errors.items()}
        DeadLetter.objects.filter(pk=dead_letter.pk).update(errors={"stage": stage, **errors})
    return report


# --- secrets -----------------------------------------------------------------------------------------


@transaction.atomic
def source_rotate_secret(*, source: Source, grace_hours: int = 24) -> str:
    """A new webhook secret; the previous one stays valid for ``grace_hours``. Returns it (shown once)."""
    new = "whsec_" + secrets.token_urlsafe(32)
    if source.webhook_secret:
        source.previous_webhook_secret = source.webhook_secret
        source.previous_secret_valid_until = timezone.now() + timezone.timedelta(hours=grace_hours)
    source.webhook_secret = new
    source.save(update_fields=["webhook_secret", "previous_webhook_secret", "previous_secret_valid_until", "updated"])
    return new


def survey_public_key() -> str:
    """A fresh public key for a survey widget (public: it identifies, it does not authorise)."""
    return "srv_" + secrets.token_urlsafe(16)


# --- normalisation -----------------------------------------------------------------------------------


def rating_signal(rating: float | None, rating_max: float | None) -> float | None:
    """A rating on -1..1 (0 stars → -1, full marks → +1)."""
    if rating is None or not rating_max:
        return None
    return round(2 * rating / rating_max - 1, 4)


def normalize_signal(raw: float | None, platform: str) -> float | None:
    """``raw`` in standard deviations from the platform's baseline (raw itself while there is none)."""
    if raw is None:
        return None
    baseline = _baselines().get(platform)
    if baseline is None:
        return raw
    mean, std = baseline
    return round(max(-3.0, min(3.0, (raw - mean) / (std or 1.0))), 4)


_baseline_cache: dict = {"at": 0.0, "values": {}}


def normalization_expression():
    """SQL for ``normalize_signal`` over the ``raw_signal`` column: one CASE branch per platform baseline."""
    from django.db.models import Case, F, FloatField, Value, When
    from django.db.models.functions import Greatest, Least

    branches = [
        When(platform=platform, then=Least(Value(3.0), Greatest(Value(-3.0), (F("raw_signal") - mean) / (std or 1.0))))
        for platform, (mean, std) in _baselines().items()
    ]
    if not branches:
        return F("raw_signal")
    return Case(*branches, default=F("raw_signal"), output_field=FloatField())


def platform_baselines_recompute(*, window_days: int = 30) -> int:
    """Mean and spread of the raw signal per platform over ``window_days`` (noise and tombstones left out)."""
    from django.db.models import Avg, Count, StdDev

    since = timezone.now() - timezone.timedelta(days=window_days)
    rows = (
        Message.objects.filter(created_at_source__gte=since, raw_signal__isnull=False)
        .exclude(status__in=[MessageStatus.NOISE, MessageStatus.TOMBSTONE])
        .exclude(platform="")
        .values("platform")
        .annotate(mean=Avg("raw_signal"), std=StdDev("raw_signal"), n=Count("id"))
    )
    updated = 0
    for row in rows:
        if row["n"] < 20:
            continue  # too few to be a baseline
        PlatformBaseline.objects.update_or_create(
            platform=row["platform"],
            defaults={
                "mean": row["mean"],
                "std": max(row["std"] or 0.0, 0.05),
                "count": row["n"],
                "window_days": window_days,
            },
        )
        updated += 1
    _baseline_cache["at"] = 0.0
    return updated


def _baselines() -> dict[str, tuple[float, float]]:
    import time

    if time.monotonic() - _baseline_cache["at"] > 60:
        _baseline_cache["values"] = {b.platform: (b.mean, b.std) for b in PlatformBaseline.objects.all()}
        _baseline_cache["at"] = time.monotonic()
    return _baseline_cache["values"]


def _resolve(source: Source, items: list[tuple[int, CleanItem]]) -> dict[int, tuple[int | None, int | None]]:
    """``{index: (account_id, contact_id)}`` for the batch, with a handful of queries in all."""
    platform = source.platform
    emails = {it.email for _, it in items if it.email}
    handles = {(it.platform or platform, it.handle) for _, it in items if it.handle}
    ext_ids = {it.author_external_id for _, it in items if it.author_external_id}
    by_identity: dict[tuple, int] = {}
    identities = ContactIdentity.objects.none()
    if emails:
        identities = identities | ContactIdentity.objects.filter(kind=IdentityKind.EMAIL, value__in=emails)
    if handles:
        identities = identities | ContactIdentity.objects.filter(
            kind=IdentityKind.HANDLE, value__in={h for _, h in handles}
        )
    if ext_ids:
        identities = identities | ContactIdentity.objects.filter(kind=IdentityKind.EXTERNAL_ID, value__in=ext_ids)
    for kind, plat, value, contact_id in identities.values_list("kind", "platform", "value", "contact_id"):
        by_identity[(kind, plat if kind != IdentityKind.EMAIL else "", value)] = contact_id
    contact_accounts = dict(Contact.objects.filter(pk__in=set(by_identity.values())).values_list("pk", "account_id"))
    account_ext = {it.account_external_id for _, it in items if it.account_external_id}
    domains = {it.account_domain or it.email.partition("@")[2] for _, it in items} - {""}
    accounts_by_ext = dict(Account.objects.filter(external_id__in=account_ext).values_list("external_id", "pk"))
    accounts_by_domain = dict(Account.objects.filter(domain__in=domains).values_list("domain", "pk"))
    resolved = {}
    for i, it in items:
        contact_id = (
            by_identity.get((IdentityKind.EMAIL, "", it.email))
            or by_identity.get((IdentityKind.HANDLE, it.platform or platform, it.handle))
            or by_identity.get((IdentityKind.EXTERNAL_ID, platform, it.author_external_id))
        )
        account_id = (
            contact_accounts.get(contact_id)
            or accounts_by_ext.get(it.account_external_id)
            or accounts_by_domain.get(it.account_domain or it.email.partition("@")[2])
        )
        resolved[i] = (account_id, contact_id)
    return resolved


# --- ingestion ---------------------------------------------------------------------------------------


def messages_ingest(*, source: Source, items: list, channel: str, keep_dead_letters: bool = True) -> IngestReport:
    """Ingest up to ``MAX_BATCH`` canonical items into ``source``; one result per item, in order."""
    if len(items) > MAX_BATCH:
        raise ValueError(f"At most {MAX_BATCH} items per batch (got {len(items)}).")
    results: dict[int, ItemResult] = {}
    clean: list[tuple[int, CleanItem]] = []
    if not source.is_active:
        for i, raw in enumerate(items):
            results[i] = _reject(
                source, channel, i, raw, {"source": f"Source {source.slug!r} is inactive."}, keep_dead_letters
            )
        return IngestReport([results[i] for i in range(len(items))])
    seen: dict[str, int] = {}
    for i, raw in enumerate(items):
        item, errors = clean_item(raw)
        if item is None:
            results[i] = _reject(source, channel, i, raw, errors, keep_dead_letters)
        elif item.external_id in seen:
            results[i] = ItemResult(i, "duplicate", item.external_id)  # repeated inside the batch: stored once
        else:
            seen[item.external_id] = i
            clean.append((i, item))
    existing = dict(
        Message.objects.filter(source=source, external_id__in=[it.external_id for _, it in clean]).values_list(
            "external_id", "pk"
        )
    )
    fresh = []
    for i, it in clean:
        if it.external_id in existing:
            results[i] = ItemResult(i, "duplicate", it.external_id, existing[it.external_id], "")
        else:
            fresh.append((i, it))
    rows = _build_messages(source, fresh, channel) if fresh else []
    created = _store(source, rows, fresh) if rows else {}
    for (i, it), message in zip(fresh, rows, strict=True):
        pk = created.get(it.external_id)
        results[i] = ItemResult(
            i, "created" if pk else "duplicate", it.external_id, pk or existing.get(it.external_id), message.status
        )
    # Duplicates report the stored message's status: one query for the batch, not one per duplicate.
    unknown = [r for r in results.values() if r.status == "duplicate" and r.message_id and not r.message_status]
    if unknown:
        statuses = dict(Message.objects.filter(pk__in=[r.message_id for r in unknown]).values_list("pk", "status"))
        for r in unknown:
            r.message_status = statuses.get(r.message_id, "")
    return IngestReport([results[i] for i in range(len(items))])


def _reject(source, channel, index, raw, errors, keep) -> ItemResult:
    external_id = raw.get("external_id", "") if isinstance(raw, dict) else ""
    dead = None
    if keep:
        payload = raw if isinstance(raw, dict | list | str | int | float | bool) or raw is None else repr(raw)
        dead = dead_letter_record(
            source=source,
            channel=channel,
            payload=payload,
            reason="; ".join(f"{k}: {v}" for k, v in errors.items()),
            errors=errors,
        )
    return ItemResult(
        index,
        "rejected",
        str(external_id)[:200] if isinstance(external_id, str | int) else "",
        errors=errors,
        dead_letter_id=dead.pk if dead else None,
    )


def _build_messages(source: Source, fresh: list[tuple[int, CleanItem]], channel: str) -> list[Message]:
    policy = noise.policy_for(source)
    resolved = _resolve(source, fresh)
    states = consent_states(cid for _, cid in resolved.values() if cid)
    # Erased subjects leave only a keyed hash of their email: a new message from it is opted out at once.
    suppressed = suppressed_emails(it.email for _, it in fresh if it.email)
    account_stages = dict(
        Account.objects.filter(pk__in={a for a, _ in resolved.values() if a}).values_list("pk", "journey_stage")
    )
    noise_reasons = noise.flag(source, policy, fresh)
    rows = []
    for i, it in fresh:
        account_id, contact_id = resolved[i]
        platform = it.platform or source.platform
        status = MessageStatus.RECEIVED if it.role == AuthorRole.CUSTOMER else MessageStatus.NOT_SCORED
        decision = (
            verdict(
                states.get(contact_id),
                channel=source.kind,
                requires_opt_in=source.requires_opt_in,
                suppressed=it.email in suppressed,
            )
            if it.role == AuthorRole.CUSTOMER
            else Verdict.ANALYSE
        )
        raw_signal = rating_signal(it.rating, it.rating_max)
        message = Message(
            source=source,
            external_id=it.external_id,
            account_id=account_id,
            contact_id=contact_id,
            author_role=it.role,
            author_handle=it.handle or it.email,
            text=it.text,
            language=it.language,
            journey_stage=it.journey_stage or account_stages.get(account_id, ""),
            thread_id=it.thread_id,
            created_at_source=it.created_at,
            status=status,
            platform=platform,
            subject=it.subject,
            url=it.url,
            is_private=it.is_private,
            rating=it.rating,
            rating_max=it.rating_max,
            raw_signal=raw_signal,
            normalized_signal=normalize_signal(raw_signal, platform),
            author_reach=it.followers,
            is_influencer=bool(it.followers and it.followers >= policy.influencer_min_followers),
            content_hash=noise.content_hash(it.text) if source.kind in noise.PUBLIC_KINDS else "",
            expires_at=it.expires_at,
            self_reported=it.self_reported,
            metadata=it.metadata,
            ingested_via=channel,
        )
        if decision == Verdict.OPTED_OUT:
            _tombstone(message, MessageStatus.TOMBSTONE)
        elif decision == Verdict.NO_OPT_IN:
            _tombstone(message, MessageStatus.NO_CONSENT)
        elif i in noise_reasons:
            message.status, message.noise_reason = MessageStatus.NOISE, noise_reasons[i]
        rows.append(message)
    message_swarms = {m.content_hash for m in rows if m.noise_reason.startswith("swarm")}
    if message_swarms:
        noise.flag_earlier_swarm_members(source, policy, message_swarms)
    return rows


#: What a tombstone keeps blank: everything the customer wrote or that identifies them.
TOMBSTONE_BLANKS = {
    "text": "",
    "subject": "",
    "url": "",
    "author_handle": "",
    "content_hash": "",
    "metadata": {},
    "self_reported": {},
    "rating": None,
    "rating_max": None,
    "raw_signal": None,
    "normalized_signal": None,
    "sensitivity_reason": "",
}


def messages_withhold(*, message_ids, status: str = MessageStatus.TOMBSTONE) -> int:
    """Reduce stored messages to content-free tombstones (an opt-out, or a source that needs opt-in)."""
    return Message.objects.filter(pk__in=list(message_ids)).update(status=status, **TOMBSTONE_BLANKS)


def _tombstone(message: Message, status: str) -> None:
    """Keep that a message arrived, none of what it said: no text, handle, subject, link or metadata."""
    message.status = status
    for name, blank in TOMBSTONE_BLANKS.items():
        setattr(message, name, blank)


def _store(source: Source, rows: list[Message], fresh: list[tuple[int, CleanItem]]) -> dict[str, int]:
    """Insert the rows; on a race with a concurrent insert of the same ids, fall back to one by one."""
    from apps.scoring.tasks import enqueue_scoring

    try:
        with transaction.atomic():
            bulk_insert(Message, rows)
            created = dict(
                Message.objects.filter(source=source, external_id__in=[m.external_id for m in rows]).values_list(
                    "external_id", "pk"
                )
            )
    except IntegrityError:
        created = {}
        for message in rows:
            try:
                with transaction.atomic():
                    message.pk = None
                    message.save(force_insert=True)
                    created[message.external_id] = message.pk
            except IntegrityError:
                continue  # stored by the concurrent request: this one is a duplicate
    to_score = [created[m.external_id] for m in rows if m.external_id in created and m.status == MessageStatus.RECEIVED]
    if to_score:
        transaction.on_commit(lambda: enqueue_scoring(to_score))
    return created
