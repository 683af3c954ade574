"""Writes of the retention app: policies, legal holds, and the retention run that purges per policy.

Anonymising a message keeps the row and what aggregates need (status, source, account, platform,
dates, language, journey stage, sensitivity flag, the numeric rating and signals, and its emotion
scores until the policy's score cut) and blanks what the customer wrote or what identifies them:
the fields an opt-out tombstone blanks (``TOMBSTONE_BLANKS``) except the numeric signals, and the
contact link. The status is left as it is: "tombstone" means "opted out" and is left out of
baselines, which an anonymised message still counts in. The ``external_id`` stays so that a
re-delivery of the message is recognised as a duplicate instead of bringing its text back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import Truncator

from apps.core.audit import acting_as
from apps.retention import selectors
from apps.retention.choices import AnonymisedBecause, RetentionAction, RunStatus
from apps.retention.models import EPHEMERAL_KEY, AnonymisedMessage, LegalHold, RetentionPolicy, RetentionRun
from apps.scoring.models import EmotionScore
from apps.sources.models import Message
from apps.sources.services import TOMBSTONE_BLANKS

logger = logging.getLogger("emotionhub.retention")

#: Numbers that say how a customer felt without saying anything they wrote: kept by anonymisation.
AGGREGATE_SAFE = ("rating", "rating_max", "raw_signal", "normalized_signal")
ANONYMISE_BLANKS = {name: blank for name, blank in TOMBSTONE_BLANKS.items() if name not in AGGREGATE_SAFE} | {
    "contact": None
}
#: A real run still "running" after this long died with its worker: the next run takes over.
STALE_AFTER = dt.timedelta(hours=6)
SAMPLE_SIZE = 20


def _empty_counts() -> dict[str, int]:
    return {"text_anonymised": 0, "messages_deleted": 0, "scores_deleted": 0, "held": 0}


# --- policies and holds ------------------------------------------------------------------------------


@transaction.atomic
def retention_policy_create(
    *,
    name: str,
    keep_text_days: int | None = None,
    keep_scores_days: int | None = None,
    action: str = RetentionAction.ANONYMISE,
    priority: int = 100,
    is_active: bool = False,
    **scope,
) -> RetentionPolicy:
    """A new policy; inactive unless said otherwise (switch it on after its dry run)."""
    policy = RetentionPolicy(
        name=name,
        keep_text_days=keep_text_days,
        keep_scores_days=keep_scores_days,
        action=action,
        priority=priority,
        is_active=is_active,
        **scope,
    )
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def retention_policy_update(*, policy: RetentionPolicy, **fields) -> RetentionPolicy:
    """Change a policy (switching it on or off included)."""
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def legal_hold_place(
    *,
    reason: str,
    placed_by,
    account=None,
    contact=None,
    source=None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> LegalHold:
    """Put data on hold: from now on retention leaves what it covers alone."""
    hold = LegalHold(
        reason=reason,
        placed_by=placed_by,
        account=account,
        contact=contact,
        source=source,
        starts_at=starts_at or timezone.now(),
        ends_at=ends_at,
    )
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic
def legal_hold_release(*, hold: LegalHold) -> LegalHold:
    """End a hold now; the next retention run purges what is overdue."""
    hold.is_active = False
    if hold.ends_at is None or hold.ends_at > timezone.now():
        hold.ends_at = max(timezone.now(), hold.starts_at + dt.timedelta(microseconds=1))
    hold.full_clean()
    hold.save()
    return hold


# --- the run -----------------------------------------------------------------------------------------


def retention_run(*, dry_run: bool, actor=None, now: dt.datetime | None = None, batch_size: int = 1000) -> RetentionRun:
    """Apply every active policy, and purge expired ephemeral content; returns the recorded run.

    Each message is governed by the first active policy (by priority) whose scope it is in. Work
    goes in batches by primary key, each batch its own transaction, so this is deliberately not one
    atomic block: the claim must be visible to other workers at once, and a long run must not hold
    one huge transaction. A real run is claimed first; if another real run holds the claim, a
    "skipped" run is recorded and nothing is done. A dry run takes the same path with the writes
    switched off, so its counts are exactly what a real run on the same data at ``now`` would do.
    Running it again purges nothing more: what was done no longer matches.
    """
    now = now or timezone.now()
    with acting_as(actor):
        run = _run_start(dry_run=dry_run, actor=actor)
        if run.status == RunStatus.SKIPPED:
            return run
        counts: dict[str, dict[str, int]] = {}
        try:
            _run_apply(run=run, counts=counts, now=now, dry_run=dry_run, batch_size=batch_size)
        except Exception as exc:
            logger.exception("retention run %s failed", run.pk)
            return _run_finish(run=run, status=RunStatus.FAILED, counts=counts, error=f"{type(exc).__name__}: {exc}")
        return _run_finish(run=run, status=RunStatus.FINISHED, counts=counts)


def _run_start(*, dry_run: bool, actor) -> RetentionRun:
    """Record the run; a real one claims the single "running" slot (a partial unique constraint)."""
    started = timezone.now()
    if dry_run:
        return RetentionRun.objects.create(dry_run=True, triggered_by=actor, started_at=started)
    for stale in RetentionRun.objects.filter(
        dry_run=False, status=RunStatus.RUNNING, started_at__lt=started - STALE_AFTER
    ):
        stale.status, stale.finished_at = RunStatus.FAILED, started
        stale.error = f"Abandoned: still running after {STALE_AFTER}; its worker is presumed dead."
        stale.save(update_fields=["status", "finished_at", "error", "updated"])
    try:
        with transaction.atomic():
            return RetentionRun.objects.create(dry_run=False, triggered_by=actor, started_at=started)
    except IntegrityError:
        running = RetentionRun.objects.filter(dry_run=False, status=RunStatus.RUNNING).first()
        return RetentionRun.objects.create(
            dry_run=False,
            triggered_by=actor,
            started_at=started,
            finished_at=started,
            status=RunStatus.SKIPPED,
            error=f"Run #{running.pk if running else '?'} was in progress; this one did nothing.",
        )


def _run_finish(*, run: RetentionRun, status: str, counts: dict, error: str = "") -> RetentionRun:
    run.status, run.counts, run.error, run.finished_at = status, counts, error, timezone.now()
    run.save(update_fields=["status", "counts", "error", "finished_at", "updated"])
    return run


def _run_apply(*, run: RetentionRun, counts: dict, now: dt.datetime, dry_run: bool, batch_size: int) -> None:
    """Ephemeral content first (whatever the policy), then each policy in turn; fills ``counts`` as it goes."""
    ranked = selectors.ranked_policies()
    counts[EPHEMERAL_KEY] = ephemeral = _empty_counts()
    groups, held = selectors.ephemeral_candidates(now, ranked=ranked)
    ephemeral["held"] = held.count()
    for policy, messages in groups:
        write = None if dry_run else _anonymiser(policy=policy, run=run, because=AnonymisedBecause.EPHEMERAL)
        ephemeral["text_anonymised"] += _in_batches(messages, batch_size, write)
    for policy in ranked:
        counts[policy.name] = _empty_counts()
        _policy_apply(
            policy, counts=counts[policy.name], ranked=ranked, now=now, dry_run=dry_run, run=run, batch_size=batch_size
        )


def _policy_apply(
    policy: RetentionPolicy,
    *,
    counts: dict[str, int],
    ranked: list[RetentionPolicy],
    now: dt.datetime,
    dry_run: bool,
    run: RetentionRun | None,
    batch_size: int,
) -> None:
    """What ``policy`` purges at ``now``, into ``counts``; with ``dry_run`` it only counts."""
    candidates = selectors.purge_candidates(policy, now, ranked=ranked)
    counts["held"] = candidates["held"].count()
    # Scores first: deleting messages takes their scores with them, and those are not "scores deleted".
    if candidates["scores"] is not None:
        counts["scores_deleted"] = _in_batches(candidates["scores"], batch_size, None if dry_run else _delete_scores)
    if candidates["text"] is not None:
        if policy.action == RetentionAction.DELETE:
            counts["messages_deleted"] = _in_batches(
                candidates["text"], batch_size, None if dry_run else _delete_messages
            )
        else:
            write = None if dry_run else _anonymiser(policy=policy, run=run, because=AnonymisedBecause.POLICY)
            counts["text_anonymised"] = _in_batches(candidates["text"], batch_size, write)


def _in_batches(queryset: QuerySet, batch_size: int, write: Callable[[QuerySet], int] | None) -> int:
    """Walk ``queryset`` by primary key in batches; ``write`` each batch in its own transaction, or only count.

    The batch is re-read inside the transaction, so a row that stopped matching meanwhile is left alone.
    """
    done, last = 0, 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        last = ids[-1]
        if write is None:
            done += len(ids)
            continue
        with transaction.atomic():
            done += write(queryset.filter(pk__in=ids))


def _anonymiser(*, policy: RetentionPolicy | None, run: RetentionRun, because: str) -> Callable[[QuerySet], int]:
    def anonymise(batch: QuerySet) -> int:
        ids = list(batch.values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(**ANONYMISE_BLANKS, updated=timezone.now())
        AnonymisedMessage.objects.bulk_create(
            [AnonymisedMessage(message_id=pk, policy=policy, run=run, because=because) for pk in ids]
        )
        return len(ids)

    return anonymise


def _delete_messages(batch: QuerySet) -> int:
    from apps.crm.selectors import account_days_of
    from apps.crm.services import account_rollups_refresh

    ids = list(batch.values_list("pk", flat=True))
    rollup_days = account_days_of(message_ids=ids)
    _, per_model = Message.objects.filter(pk__in=ids).delete()
    account_rollups_refresh(account_days=rollup_days)  # the account pages' daily sums forget them too
    return per_model.get(Message._meta.label, 0)


def _delete_scores(batch: QuerySet) -> int:
    from apps.crm.selectors import account_days_of
    from apps.crm.services import account_rollups_refresh

    ids = list(batch.values_list("pk", flat=True))
    rollup_days = account_days_of(
        message_ids=EmotionScore.objects.filter(pk__in=ids).values_list("message_id", flat=True)
    )
    _, per_model = EmotionScore.objects.filter(pk__in=ids).delete()
    account_rollups_refresh(account_days=rollup_days)  # the account pages' daily sums forget them too
    return per_model.get(EmotionScore._meta.label, 0)


def retention_policy_dry_run(*, policy: RetentionPolicy, now: dt.datetime | None = None) -> dict:
    """What ``policy`` would do now, ranked among the active policies (even if it is not active itself).

    Returns ``{"policy", "is_active", "counts", "sample"}``: the counts a run would record under
    its name, and up to 20 of the messages it would touch (id, date, excerpt, what would happen).
    Nothing is written, not even a run record.
    """
    now = now or timezone.now()
    ranked = selectors.ranked_policies(include=policy)
    counts = _empty_counts()
    _policy_apply(policy, counts=counts, ranked=ranked, now=now, dry_run=True, run=None, batch_size=1000)
    candidates = selectors.purge_candidates(policy, now, ranked=ranked)
    sample: list[dict] = []
    effect = "delete" if policy.action == RetentionAction.DELETE else "anonymise"
    if candidates["text"] is not None:
        sample += [_sample_row(m, effect) for m in candidates["text"].order_by("created_at_source", "pk")[:SAMPLE_SIZE]]
    if candidates["scores"] is not None and len(sample) < SAMPLE_SIZE:
        seen = {row["id"] for row in sample}
        messages = (
            Message.objects.filter(pk__in=candidates["scores"].values("message_id"))
            .exclude(pk__in=seen)
            .order_by("created_at_source", "pk")[: SAMPLE_SIZE - len(sample)]
        )
        sample += [_sample_row(m, "delete scores") for m in messages]
    return {"policy": policy.name, "is_active": policy.is_active, "counts": counts, "sample": sample}


def _sample_row(message: Message, effect: str) -> dict:
    return {
        "id": message.pk,
        "created_at_source": message.created_at_source,
        "excerpt": Truncator(message.text or message.subject).chars(80),
        "effect": effect,
    }
