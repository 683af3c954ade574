"""Writes of the CRM app. Every change goes through here, so object grants stay in step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, Q, Sum, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.crm.models import (
    Account,
    AccountEmotionDay,
    Contact,
    ContactIdentity,
    HandoffNote,
    Segment,
    SegmentEmotionDay,
)

#: What an account manager may do with the accounts assigned to them.
MANAGER_PERMISSIONS = ("crm.view_account", "crm.change_account")

User = get_user_model()


def _grant_manager(account: Account, previous_manager_id: int | None) -> None:
    if previous_manager_id and previous_manager_id != account.account_manager_id:
        previous = User.objects.filter(pk=previous_manager_id).first()
        if previous is not None:
            for perm in MANAGER_PERMISSIONS:
                remove_perm(perm, previous, account)
    if account.account_manager_id:
        for perm in MANAGER_PERMISSIONS:
            assign_perm(perm, account.account_manager, account)


@transaction.atomic
def account_create(**fields) -> Account:
    """Create an account; its account manager (if any) is granted access to it."""
    account = Account(**fields)
    account.full_clean()
    account.save()
    _grant_manager(account, None)
    return account


@transaction.atomic
def account_update(*, account: Account, **fields) -> Account:
    """Change an account; a new account manager gains access and the previous one loses it."""
    previous_manager_id, previous_segment_id = Account.objects.filter(pk=account.pk).values_list(
        "account_manager_id", "segment_id"
    ).first() or (None, None)
    for key, value in fields.items():
        setattr(account, key, value)
    account.full_clean()
    account.save()
    _grant_manager(account, previous_manager_id)
    if previous_segment_id != account.segment_id:  # its days now count in another segment's baseline
        segment_rollups_refresh(days=AccountEmotionDay.objects.filter(account=account).values_list("day", flat=True))
    return account


def account_assign_manager(*, account: Account, manager) -> Account:
    """Hand an account to ``manager`` (or to nobody with ``None``)."""
    return account_update(account=account, account_manager=manager)


@transaction.atomic
def segment_save(*, segment: Segment | None = None, **fields) -> Segment:
    """Create or change a segment."""
    segment = segment or Segment()
    for key, value in fields.items():
        setattr(segment, key, value)
    segment.full_clean()
    segment.save()
    return segment


@transaction.atomic
def contact_save(*, contact: Contact | None = None, **fields) -> Contact:
    """Create or change a contact; their email is kept as an identity for message resolution."""
    contact = contact or Contact()
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.full_clean()
    contact.save()
    if contact.email:
        ContactIdentity.objects.filter(contact=contact, kind="email").exclude(value=contact.email).delete()
        identity_add(contact=contact, kind="email", value=contact.email)
    return contact


@transaction.atomic
def identity_add(*, contact: Contact, kind: str, value: str, platform: str = "") -> ContactIdentity:
    """Attach an identifier to a contact (idempotent for the same contact)."""
    identity = ContactIdentity(contact=contact, kind=kind, value=value, platform=platform)
    identity.clean()
    existing = ContactIdentity.objects.filter(
        kind=identity.kind, platform=identity.platform, value=identity.value
    ).first()
    if existing is not None:
        if existing.contact_id != contact.pk:
            raise ValidationError({"value": f"{identity} already belongs to another contact."})
        return existing
    identity.full_clean()
    identity.save()
    return identity


# --- emotion rollups ------------------------------------------------------------------------------


def account_rollups_refresh(*, account_days: Iterable[tuple[int, dt.date]]) -> int:
    """Recompute the rollup rows of these (account id, day) pairs from the current emotion scores.

    Idempotent: each row is rebuilt from the scores as they are now (never incremented), a pair with no
    scored message left loses its row. Safe beside a concurrent refresh of the same pair (an upsert).
    Returns the number of pairs refreshed.
    """
    from apps.crm.selectors import rollup_scores

    keys = {(account_id, day) for account_id, day in account_days if account_id and day}
    if not keys:
        return 0
    by_account: dict[int, set[dt.date]] = {}
    for account_id, day in keys:
        by_account.setdefault(account_id, set()).add(day)
    account_ids = sorted(by_account)
    for start in range(0, len(account_ids), _ROLLUP_BATCH):
        chunk = account_ids[start : start + _ROLLUP_BATCH]
        first = min(min(by_account[a]) for a in chunk)
        last = max(max(by_account[a]) for a in chunk)
        scores = rollup_scores().filter(
            account_id__in=chunk,
            message_created_at__gte=_day_start(first),
            message_created_at__lt=_day_start(last + dt.timedelta(days=1)),
        )
        wanted = {(a, d) for a in chunk for d in by_account[a]}
        rows = {key: row for key, row in _fold(scores).items() if key in wanted}
        _store_rollups(rows.values(), empty={a: by_account[a] for a in chunk})
    segment_rollups_refresh(days={day for _account, day in keys})
    return len(keys)


def segment_rollups_refresh(*, days: Iterable[dt.date] | None = None) -> int:
    """Recompute the segment (and all-accounts) rows of ``days`` (default: every day) from the account rollups.

    Idempotent and safe beside a concurrent refresh (upserts; rows whose sums vanished are deleted).
    Returns the rows written.
    """
    days = None if days is None else sorted(set(days))
    if days is not None and not days:
        return 0
    source = AccountEmotionDay.objects.all() if days is None else AccountEmotionDay.objects.filter(day__in=days)
    sums = {"accounts": Count("id"), "n": Sum("n"), "negative": Sum("negative"), "positive": Sum("positive")}
    sums["valence_sum"] = Sum("valence_sum")
    rows = {}
    for g in source.values("day", "account__segment_id").annotate(**sums).order_by().iterator():
        if g["account__segment_id"] is not None:
            scope = str(g["account__segment_id"])
            rows[scope, g["day"]] = _segment_row(scope, g)
    for g in source.values("day").annotate(**sums).order_by().iterator():
        rows[SegmentEmotionDay.ALL, g["day"]] = _segment_row(SegmentEmotionDay.ALL, g)
    with transaction.atomic():
        if rows:
            SegmentEmotionDay.objects.bulk_create(
                rows.values(),
                update_conflicts=True,
                unique_fields=["scope", "day"],
                update_fields=["accounts", "n", "negative", "positive", "valence_sum"],
                batch_size=2000,
            )
        stale = SegmentEmotionDay.objects.all() if days is None else SegmentEmotionDay.objects.filter(day__in=days)
        keep = {}
        for scope, day in rows:
            keep.setdefault(day, []).append(scope)
        for day in set(stale.values_list("day", flat=True).distinct()):
            stale.filter(day=day).exclude(scope__in=keep.get(day, [])).delete()
    return len(rows)


def _segment_row(scope: str, g: dict) -> SegmentEmotionDay:
    return SegmentEmotionDay(
        scope=scope,
        day=g["day"],
        accounts=g["accounts"],
        n=g["n"] or 0,
        negative=g["negative"] or 0,
        positive=g["positive"] or 0,
        valence_sum=round(g["valence_sum"] or 0.0, 6),
    )


def account_rollups_rebuild(*, account_ids: Iterable[int] | None = None) -> int:
    """Rebuild every rollup row (of ``account_ids``, default all accounts) from the current scores.

    The nightly job: it heals anything a refresh could have missed (an account that changed segment keeps
    its rows; a score written outside the services). One transaction per batch of accounts, so a rebuild of
    millions of scores never holds one long transaction. Returns the rows written.
    """
    from apps.crm.selectors import rollup_scores

    if account_ids is None:
        ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(account_ids))
    written = 0
    for start in range(0, len(ids), _ROLLUP_BATCH):
        chunk = ids[start : start + _ROLLUP_BATCH]
        rows = _fold(rollup_scores().filter(account_id__in=chunk))
        with transaction.atomic():
            AccountEmotionDay.objects.filter(account_id__in=chunk).delete()
            AccountEmotionDay.objects.bulk_create(rows.values(), batch_size=2000)
        written += len(rows)
    segment_rollups_refresh()
    return written


_ROLLUP_BATCH = 200


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _fold(scores) -> dict[tuple[int, dt.date], AccountEmotionDay]:
    """Sum scores per (account, day) in SQL, grouped finely enough (dominant emotions, journey stage)
    that the per-emotion and per-stage counts fold together here without reading single scores."""
    from apps.crm.health import NEGATIVE_VALENCE, POSITIVE_VALENCE

    grouped = (
        scores.annotate(
            day=TruncDate("message_created_at"),
            stage=Case(
                When(message__journey_stage="", then=F("account__journey_stage")),
                default=F("message__journey_stage"),
            ),
        )
        .values("account_id", "day", "dominant", "dominant_business", "stage")
        .annotate(
            count=Count("id"),
            neg=Count("id", filter=Q(valence__lte=NEGATIVE_VALENCE)),
            pos=Count("id", filter=Q(valence__gte=POSITIVE_VALENCE)),
            vsum=Sum("valence"),
            isum=Sum("intensity"),
        )
        .order_by()
    )
    rows: dict[tuple[int, dt.date], AccountEmotionDay] = {}
    for g in grouped.iterator(chunk_size=5000):
        key = (g["account_id"], g["day"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = AccountEmotionDay(
                account_id=key[0], day=key[1], base_counts={}, business_counts={}, stage_stats={}
            )
        n, vsum, isum = g["count"], g["vsum"] or 0.0, g["isum"] or 0.0
        row.n += n
        row.negative += g["neg"]
        row.positive += g["pos"]
        row.valence_sum += vsum
        row.intensity_sum += isum
        if g["dominant"]:
            row.base_counts[g["dominant"]] = row.base_counts.get(g["dominant"], 0) + n
        if g["dominant_business"]:
            row.business_counts[g["dominant_business"]] = row.business_counts.get(g["dominant_business"], 0) + n
        stage = row.stage_stats.setdefault(
            g["stage"] or "", {"n": 0, "negative": 0, "positive": 0, "valence_sum": 0.0, "base": {}, "business": {}}
        )
        stage["n"] += n
        stage["negative"] += g["neg"]
        stage["positive"] += g["pos"]
        stage["valence_sum"] += vsum
        if g["dominant"]:
            stage["base"][g["dominant"]] = stage["base"].get(g["dominant"], 0) + n
        if g["dominant_business"]:
            stage["business"][g["dominant_business"]] = stage["business"].get(g["dominant_business"], 0) + n
    for row in rows.values():  # sums of floats: keep the stored figures short and stable
        row.valence_sum = round(row.valence_sum, 6)
        row.intensity_sum = round(row.intensity_sum, 6)
        for stage in row.stage_stats.values():
            stage["valence_sum"] = round(stage["valence_sum"], 6)
    return rows


_ROLLUP_FIELDS = (
    "n",
    "negative",
    "positive",
    "valence_sum",
    "intensity_sum",
    "base_counts",
    "business_counts",
    "stage_stats",
    "refreshed_at",
)


def _store_rollups(rows, *, empty: dict[int, set[dt.date]]) -> None:
    rows = list(rows)
    with transaction.atomic():
        if rows:
            AccountEmotionDay.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["account", "day"], update_fields=list(_ROLLUP_FIELDS)
            )
        kept = {(r.account_id, r.day) for r in rows}
        for account_id, days in empty.items():
            gone = [d for d in days if (account_id, d) not in kept]
            if gone:
                AccountEmotionDay.objects.filter(account_id=account_id, day__in=gone).delete()


# --- handoff notes --------------------------------------------------------------------------------


@transaction.atomic
def handoff_note_create(
    *,
    account: Account,
    author,
    from_team: str,
    to_team: str,
    context: str,
    new_owner=None,
) -> HandoffNote:
    """Write the emotional context of ``account`` for the team it moves to; shown first to its next owner.

    With ``new_owner`` (only when handing to customer success or renewals) the account is reassigned to
    them through ``account_assign_manager``, so the object grants follow: the author needs change rights
    on the account, and the new owner must be an active account manager.
    """
    note = HandoffNote(
        account=account, author=author, from_team=from_team, to_team=to_team, context=context, new_owner=new_owner
    )
    note.full_clean()
    if new_owner is not None:
        if not Account.objects.filter(pk=account.pk).restrict(author, "change").exists():
            raise ValidationError({"new_owner": _("You may not reassign this account.")})
        if not account_manager_candidates().filter(pk=new_owner.pk).exists():
            raise ValidationError({"new_owner": _("The new owner must be an active account manager.")})
    note.save()
    if new_owner is not None and new_owner.pk != account.account_manager_id:
        account_assign_manager(account=account, manager=new_owner)
    return note


def account_manager_candidates():
    """Users an account may be handed to: active members of the Account Manager role."""
    return User.objects.filter(is_active=True, groups__name=ACCOUNT_MANAGER_ROLE).distinct().order_by("username")


ACCOUNT_MANAGER_ROLE = "Account Manager"
