"""Writes of the scoring app: scoring messages (idempotent per message and model version), activation."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from apps.core.db import bulk_insert
from apps.scoring import pipeline
from apps.scoring.engines import cached_engine
from apps.scoring.engines.base import Engine
from apps.scoring.models import EmotionScore, ScoringModel
from apps.sources.choices import AuthorRole, MessageStatus
from apps.sources.models import Message

logger = logging.getLogger("emotionhub.scoring")

#: Statuses whose messages are never scored: no content kept, or excluded as noise.
_NEVER_SCORED = (MessageStatus.TOMBSTONE, MessageStatus.NOISE)
_STATUS_FOR_RESULT = {
    "scored": MessageStatus.SCORED,
    "truncated": MessageStatus.SCORED,
    "unscorable": MessageStatus.UNSCORABLE,
    "unsupported_language": MessageStatus.UNSUPPORTED_LANGUAGE,
}


def active_engine() -> Engine:
    """The engine of the active scoring model (admin), else the one named in settings."""
    try:
        model = ScoringModel.objects.filter(is_active=True).first()
    except DatabaseError:  # not migrated yet (a bare checkout evaluating a TSV): settings decide
        model = None
    if model is not None:
        return cached_engine(model.engine, model.options)
    return cached_engine(settings.SCORING_ENGINE, settings.SCORING_ENGINE_OPTIONS)


def messages_score(*, message_ids: Iterable[int], engine: Engine | None = None) -> dict[str, int]:
    """Score the customer-written messages among ``message_ids`` with ``engine`` (default: the active one).

    Idempotent: a message that already has a score for this model version is left alone, and a
    concurrent run that gets there first wins (one score per message and version). Agents' and
    system messages are marked not scored, never analysed: the product scores customers' words.
    Returns counts per outcome.
    """
    engine = engine or active_engine()
    version = engine.version
    ids = list(dict.fromkeys(message_ids))
    counts = {"scored": 0, "already_scored": 0, "not_customer": 0, "skipped": 0, "unscorable": 0}
    if not ids:
        return counts
    messages = list(
        Message.objects.filter(pk__in=ids)
        .select_related("source")
        .only(
            "text",
            "language",
            "author_role",
            "status",
            "account_id",
            "created_at_source",
            "platform",
            "raw_signal",
            "contact_id",
            "source__platform",
            "source__kind",
            "source__requires_opt_in",
        )
    )
    done = set(
        EmotionScore.objects.filter(message_id__in=ids, model_version=version).values_list("message_id", flat=True)
    )
    to_score, not_customer = [], []
    for message in messages:
        if message.status in _NEVER_SCORED:
            counts["skipped"] += 1
        elif message.author_role != AuthorRole.CUSTOMER:
            not_customer.append(message.pk)
        elif message.pk in done:
            counts["already_scored"] += 1
        else:
            to_score.append(message)
    counts["not_customer"] = len(not_customer)
    to_score, withheld = _consented(to_score)
    counts["skipped"] += len(withheld)
    results = (
        pipeline.score_texts(
            [m.text for m in to_score],
            engine=engine,
            platforms=[m.source.platform for m in to_score],
            languages=[m.language or None for m in to_score],
        )
        if to_score
        else []
    )
    rows = []
    status_updates: dict[str, list[int]] = {}
    sensitive: dict[int, str] = {}
    for message, result in zip(to_score, results, strict=True):
        rows.append(
            EmotionScore(
                message=message,
                account_id=message.account_id,
                message_created_at=message.created_at_source,
                engine=engine.name,
                model_version=version,
                status=result.status,
                scores=result.scores,
                business_scores=result.business_scores,
                dominant=result.dominant,
                dominant_business=result.dominant_business,
                valence=result.valence,
                intensity=result.intensity,
                confidence=result.confidence,
                explanation=result.explanation(),
                is_current=True,
            )
        )
        status_updates.setdefault(_STATUS_FOR_RESULT[result.status], []).append(message.pk)
        counts["scored" if result.is_scored else "unscorable"] += 1
        if result.sensitivity_reason:
            sensitive[message.pk] = result.sensitivity_reason
    with transaction.atomic():
        if rows:
            scored_ids = [r.message_id for r in rows]
            # Only one current score per message; earlier versions stay as history.
            EmotionScore.objects.filter(message_id__in=scored_ids, is_current=True).exclude(
                model_version=version
            ).update(is_current=False)
            try:
                with transaction.atomic():
                    bulk_insert(EmotionScore, rows)
            except IntegrityError:  # a concurrent run scored some of these first: keep theirs
                EmotionScore.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        _store_signals([m.pk for m in to_score])
        for pk, reason in sensitive.items():  # rare enough for one UPDATE each
            Message.objects.filter(pk=pk).update(is_sensitive=True, sensitivity_reason=reason[:200])
        for status, pks in status_updates.items():
            Message.objects.filter(pk__in=pks).exclude(status__in=_NEVER_SCORED).update(status=status)
        if not_customer:
            Message.objects.filter(pk__in=not_customer, status=MessageStatus.RECEIVED).update(
                status=MessageStatus.NOT_SCORED
            )
        if rows:  # the account pages read daily rollups: recompute the days these scores count in
            from apps.crm.selectors import account_days_of_scores
            from apps.crm.services import account_rollups_refresh

            account_rollups_refresh(account_days=account_days_of_scores(rows))
    return counts


def _consented(messages: list[Message]) -> tuple[list[Message], list[int]]:
    """Consent is checked again right before analysis: an opt-out that arrived while a message waited in
    the queue wins, and the message is reduced to a tombstone instead of being scored."""
    from apps.consent.choices import Verdict
    from apps.consent.selectors import consent_states, verdict
    from apps.sources.services import messages_withhold

    states = consent_states(m.contact_id for m in messages if m.contact_id)
    allowed, withheld = [], {}
    for message in messages:
        decision = verdict(
            states.get(message.contact_id), channel=message.source.kind, requires_opt_in=message.source.requires_opt_in
        )
        if decision == Verdict.ANALYSE:
            allowed.append(message)
        else:
            withheld.setdefault(decision, []).append(message.pk)
    held = set()
    if withheld:  # a legal hold keeps held messages as they are: never scored, but not reduced either
        from apps.retention.selectors import under_hold_q

        all_withheld = [pk for pks in withheld.values() for pk in pks]
        held = set(Message.objects.filter(pk__in=all_withheld).filter(under_hold_q()).values_list("pk", flat=True))
    for decision, pks in withheld.items():
        messages_withhold(
            message_ids=[pk for pk in pks if pk not in held],
            status=MessageStatus.TOMBSTONE if decision == Verdict.OPTED_OUT else MessageStatus.NO_CONSENT,
        )
    return allowed, [pk for pks in withheld.values() for pk in pks]


def _store_signals(message_ids: list[int]) -> None:
    """A message without a rating gets its text's valence as its raw signal, normalised per platform.

    Two set-based UPDATEs for the whole batch (a per-row bulk_update costs more than the scoring).
    """
    from apps.sources.services import normalization_expression

    pending = Message.objects.filter(pk__in=message_ids, raw_signal__isnull=True)
    valence = EmotionScore.objects.filter(message=OuterRef("pk"), is_current=True).values("valence")[:1]
    pending.update(raw_signal=Subquery(valence))
    Message.objects.filter(pk__in=message_ids, normalized_signal__isnull=True, raw_signal__isnull=False).update(
        normalized_signal=normalization_expression()
    )


def message_score(*, message_id: int, engine: Engine | None = None) -> dict[str, int]:
    """Score one message (see ``messages_score``)."""
    return messages_score(message_ids=[message_id], engine=engine)


@transaction.atomic
def scoring_model_activate(*, scoring_model: ScoringModel) -> ScoringModel:
    """Make ``scoring_model`` the one that scores new messages; loads it first, so a broken model
    is refused before anything changes."""
    scoring_model.full_clean()
    engine = cached_engine(scoring_model.engine, scoring_model.options)
    ScoringModel.objects.filter(is_active=True).exclude(pk=scoring_model.pk).update(is_active=False)
    scoring_model.version = engine.version
    scoring_model.is_active = True
    scoring_model.save()
    return scoring_model
