"""Writes of the validation app: sampling, the annotation queue, gold labels, frontline feedback, evaluation
runs, calibration of the default engine, activation and rollback of scoring models."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import shutil
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.scoring.models import EmotionScore, ScoringModel
from apps.sources.models import Message
from apps.validation import metrics, selectors
from apps.validation.choices import (
    ActivationReason,
    CalibrationStatus,
    EvaluationKind,
    FeedbackStatus,
    GoldSource,
    ItemStatus,
    Strategy,
)
from apps.validation.models import (
    Annotation,
    AnnotationBatch,
    AnnotationClaim,
    AnnotationItem,
    CalibrationRun,
    EmotionFeedback,
    EvaluationRun,
    GoldLabel,
    ModelActivation,
    normalise_labels,
)

logger = logging.getLogger("emotionhub.validation")

#: How long an annotator holds an item they were served.
CLAIM_MINUTES = 15
#: How long after submitting an annotation it can still be undone.
UNDO_MINUTES = 30
FEEDBACK_BATCH_NAME = "Frontline feedback"
DEFAULT_TRAINING_DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "goemotions-ekman"


# --- sampling -----------------------------------------------------------------------------------------
def _candidates(*, now: dt.datetime) -> list[dict]:
    """Scoreable customer messages not gold-labelled yet and not waiting in an open item, in id order."""
    waiting = AnnotationItem.objects.filter(status__in=(ItemStatus.OPEN, ItemStatus.ADJUDICATION)).values("message_id")
    rows = (
        selectors.scoreable_messages(now=now)
        .exclude(gold_label__isnull=False)
        .exclude(pk__in=waiting)
        .annotate(
            where=Coalesce(NullIf(F("platform"), Value("")), F("source__platform")),
            predicted=F("emotion_scores__dominant"),
            confidence=F("emotion_scores__confidence"),
            version=F("emotion_scores__model_version"),
        )
        .values("pk", "where", "predicted", "confidence", "version")
        .order_by("pk")
    )
    seen, out = set(), []
    for row in rows:  # one current score per message; guard against a duplicate join row anyway
        if row["pk"] not in seen:
            seen.add(row["pk"])
            out.append(row)
    return out


def _draw(strategy: str, candidates: list[dict], size: int, rng: random.Random, platform: str) -> list[dict]:
    if strategy == Strategy.RANDOM:
        return rng.sample(candidates, min(size, len(candidates)))
    if strategy == Strategy.PLATFORM:
        pool = [c for c in candidates if c["where"] == platform]
        return rng.sample(pool, min(size, len(pool)))
    if strategy == Strategy.LOW_CONFIDENCE:
        ranked = sorted(candidates, key=lambda c: (c["confidence"] if c["confidence"] is not None else -1, c["pk"]))
        return ranked[:size]
    if strategy == Strategy.STRATIFIED:
        strata: dict[str, list[dict]] = {}
        for c in candidates:
            strata.setdefault(c["predicted"] or "neutral", []).append(c)
        for key in sorted(strata):
            rng.shuffle(strata[key])
        picked: list[dict] = []
        # round robin over the predicted emotions: equal shares, a small stratum's leftovers go to the rest
        while len(picked) < size and any(strata.values()):
            for key in sorted(strata):
                if strata[key] and len(picked) < size:
                    picked.append(strata[key].pop())
        return picked
    raise ValidationError({"strategy": _("Unknown strategy %(s)s.") % {"s": strategy}})


@transaction.atomic
def batch_create(
    *,
    name: str,
    strategy: str,
    size: int,
    seed: int = 0,
    annotators_required: int = 2,
    platform: str = "",
    user=None,
    now: dt.datetime | None = None,
) -> AnnotationBatch:
    """Draw a batch of up to ``size`` messages by ``strategy``; the same data and seed draw the same sample.

    Never agents' or system messages, opted-out tombstones, noise or expired content; never a message that
    already has a gold label or waits in another batch. Refused (nothing created) when nothing qualifies.
    """
    now = now or timezone.now()
    batch = AnnotationBatch(
        name=name,
        strategy=strategy,
        size=size,
        seed=seed,
        annotators_required=annotators_required,
        platform=platform if strategy == Strategy.PLATFORM else "",
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    batch.full_clean()
    if strategy == Strategy.FEEDBACK:
        picked = _feedback_candidates(size=size, now=now)
    else:
        picked = _draw(strategy, _candidates(now=now), size, random.Random(seed), platform)
    if not picked:
        raise ValidationError(_("No message qualifies for this strategy: nothing to annotate."))
    batch.save()
    AnnotationItem.objects.bulk_create(
        AnnotationItem(
            batch=batch,
            message_id=row["pk"],
            position=position,
            predicted=row["predicted"] or "",
            confidence=row["confidence"],
            model_version=row["version"] or "",
        )
        for position, row in enumerate(picked, start=1)
    )
    if strategy == Strategy.FEEDBACK:
        EmotionFeedback.objects.filter(message_id__in=[r["pk"] for r in picked], status=FeedbackStatus.NEW).update(
            status=FeedbackStatus.QUEUED
        )
    return batch


def _feedback_candidates(*, size: int, now: dt.datetime) -> list[dict]:
    """Messages with new frontline feedback, the earliest flagged first."""
    flagged = list(
        EmotionFeedback.objects.filter(status=FeedbackStatus.NEW)
        .order_by("created", "id")
        .values_list("message_id", flat=True)
    )
    by_pk = {c["pk"]: c for c in _candidates(now=now)}
    picked = []
    for pk in dict.fromkeys(flagged):
        if pk in by_pk and len(picked) < size:
            picked.append(by_pk[pk])
    return picked


@transaction.atomic
def batch_close(*, batch: AnnotationBatch) -> AnnotationBatch:
    """Stop serving a batch (its annotations and gold labels stay)."""
    batch.is_open = False
    batch.save(update_fields=["is_open", "updated"])
    AnnotationClaim.objects.filter(item__batch=batch).delete()
    return batch


# --- the queue ----------------------------------------------------------------------------------------
def _live_claims(now: dt.datetime) -> Q:
    return Q(claims__expires_at__gt=now)


def item_claim(*, user, batch: AnnotationBatch | None = None, now: dt.datetime | None = None):
    """The next item for ``user`` to label, claimed for ``CLAIM_MINUTES``; ``None`` when nothing is left.

    Served: items of open batches the user has not done, that still need annotations once everybody
    else's live claims are counted, so two annotators never both take the last slot. The item row is
    locked while counting (PostgreSQL; SQLite serialises writers anyway).
    """
    now = now or timezone.now()
    AnnotationClaim.objects.filter(expires_at__lte=now).delete()
    until = now + dt.timedelta(minutes=CLAIM_MINUTES)
    mine = (
        AnnotationClaim.objects.filter(user=user, item__status=ItemStatus.OPEN, item__batch__is_open=True)
        .exclude(item__annotations__annotator=user)
        .select_related("item__batch", "item__message__source")
        .order_by("item__batch__created", "item__batch_id", "item__position")
    )
    if batch is not None:
        mine = mine.filter(item__batch=batch)
    held = mine.first()
    if held is not None:
        AnnotationClaim.objects.filter(pk=held.pk).update(expires_at=until)
        return held.item
    candidates = (
        AnnotationItem.objects.filter(status=ItemStatus.OPEN, batch__is_open=True)
        .exclude(annotations__annotator=user)
        .annotate(
            n_done=Count("annotations", distinct=True),
            n_claimed=Count("claims", filter=_live_claims(now), distinct=True),
        )
        .filter(n_done__lt=F("batch__annotators_required") - F("n_claimed"))
        .order_by("batch__created", "batch_id", "position")
    )
    if batch is not None:
        candidates = candidates.filter(batch=batch)
    for pk in candidates.values_list("pk", flat=True)[:25]:
        with transaction.atomic():
            item = AnnotationItem.objects.select_for_update().select_related("batch").get(pk=pk)
            taken = item.annotations.count() + item.claims.filter(expires_at__gt=now).exclude(user=user).count()
            if item.status != ItemStatus.OPEN or taken >= item.batch.annotators_required:
                continue  # someone got there between the count and the lock
            AnnotationClaim.objects.update_or_create(item=item, user=user, defaults={"expires_at": until})
            return AnnotationItem.objects.select_related("batch", "message__source").get(pk=pk)
    return None


@transaction.atomic
def annotation_submit(
    *,
    item: AnnotationItem,
    user,
    labels: Iterable[str] = (),
    skipped: bool = False,
    skip_reason: str = "",
    skip_note: str = "",
    duration_ms: int | None = None,
    now: dt.datetime | None = None,
) -> Annotation:
    """Store ``user``'s labels (or skip) for ``item``; once the item has all its annotations, a unanimous
    answer becomes its gold label and a disagreement goes to adjudication."""
    now = now or timezone.now()
    item = AnnotationItem.objects.select_for_update().select_related("batch").get(pk=item.pk)
    if item.status != ItemStatus.OPEN or not item.batch.is_open:
        raise ValidationError(_("This message needs no more annotations."))
    if item.annotations.filter(annotator=user).exists():
        raise ValidationError(_("You have already labelled this message."))
    holds_claim = item.claims.filter(user=user, expires_at__gt=now).exists()
    taken = item.annotations.count() + item.claims.filter(expires_at__gt=now).exclude(user=user).count()
    if not holds_claim and taken >= item.batch.annotators_required:
        raise ValidationError(_("Enough annotators are already on this message; take the next one."))
    annotation = Annotation(
        item=item,
        annotator=user,
        labels=list(labels),
        skipped=skipped,
        skip_reason=skip_reason,
        skip_note=(skip_note or "").strip(),
        duration_ms=duration_ms if duration_ms is None or duration_ms >= 0 else None,
    )
    annotation.full_clean()
    annotation.save()
    AnnotationClaim.objects.filter(item=item, user=user).delete()
    _item_settle(item, now=now)
    return annotation


def _item_settle(item: AnnotationItem, *, now: dt.datetime) -> None:
    annotations = list(item.annotations.order_by("id"))
    if len(annotations) < item.batch.annotators_required:
        return
    answers = [a.labels for a in annotations if not a.skipped]
    if not answers:
        item.status = ItemStatus.DISCARDED
        item.save(update_fields=["status", "updated"])
        return
    unanimous = len(answers) == len(annotations) and all(
        a[0] == answers[0][0] and set(a) == set(answers[0]) for a in answers
    )
    if unanimous:
        _gold_store(item=item, labels=answers[0], source=GoldSource.UNANIMOUS, user=None, now=now)
    else:
        item.status = ItemStatus.ADJUDICATION
        item.save(update_fields=["status", "updated"])


@transaction.atomic
def annotation_undo(*, user, now: dt.datetime | None = None) -> Annotation | None:
    """Take back ``user``'s last annotation (within ``UNDO_MINUTES``) and hand the item back to them.

    Refused when an adjudicator has already decided the item. Returns the removed annotation (unsaved copy).
    """
    now = now or timezone.now()
    last = (
        Annotation.objects.filter(annotator=user, created__gte=now - dt.timedelta(minutes=UNDO_MINUTES))
        .select_related("item__batch")
        .order_by("-created", "-id")
        .first()
    )
    if last is None:
        raise ValidationError(_("Nothing to undo: you have no recent annotation."))
    item = AnnotationItem.objects.select_for_update().get(pk=last.item_id)
    gold = GoldLabel.objects.filter(item=item).first()
    if gold is not None and gold.source != GoldSource.UNANIMOUS:
        raise ValidationError(_("An adjudicator has already decided this message; it cannot be undone."))
    if gold is not None:
        gold.delete()
    last.delete()
    item.status = ItemStatus.OPEN
    item.save(update_fields=["status", "updated"])
    AnnotationClaim.objects.update_or_create(
        item=item, user=user, defaults={"expires_at": now + dt.timedelta(minutes=CLAIM_MINUTES)}
    )
    return last


# --- gold labels --------------------------------------------------------------------------------------
def _gold_store(*, item: AnnotationItem, labels, source: str, user, now: dt.datetime, note: str = "") -> GoldLabel:
    labels = normalise_labels(labels)
    feedback = list(EmotionFeedback.objects.filter(message_id=item.message_id))
    if source == GoldSource.ADJUDICATED and any(set(f.correct_labels) == set(labels) for f in feedback):
        source = GoldSource.FEEDBACK_CONFIRMED  # the adjudicator sided with the agent who flagged it
    gold = GoldLabel.objects.filter(message_id=item.message_id).first() or GoldLabel(message_id=item.message_id)
    gold.item, gold.labels, gold.source, gold.note = item, labels, source, note
    gold.decided_by, gold.decided_at = user, now
    gold.full_clean()
    gold.save()
    item.status = ItemStatus.GOLD
    item.save(update_fields=["status", "updated"])
    for f in feedback:
        agrees = set(f.correct_labels) == set(labels)
        f.status = FeedbackStatus.CONFIRMED if agrees else FeedbackStatus.REJECTED
        f.save(update_fields=["status", "updated"])
    return gold


@transaction.atomic
def gold_decide(*, item: AnnotationItem, labels, user, note: str = "", now: dt.datetime | None = None) -> GoldLabel:
    """An adjudicator decides the gold labels of an item the annotators disagreed on."""
    if not user.has_perm("validation.adjudicate_goldlabel"):
        raise ValidationError(_("You may not adjudicate."))
    item = AnnotationItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.ADJUDICATION:
        raise ValidationError(_("This message is not waiting for adjudication."))
    try:
        return _gold_store(
            item=item, labels=labels, source=GoldSource.ADJUDICATED, user=user, now=now or timezone.now(), note=note
        )
    except ValidationError as exc:
        raise ValidationError({"labels": exc.messages}) from None


@transaction.atomic
def item_discard(*, item: AnnotationItem, user, note: str = "") -> AnnotationItem:
    """An adjudicator sets an item aside without a gold label (not customer text, unreadable, …)."""
    if not user.has_perm("validation.adjudicate_goldlabel"):
        raise ValidationError(_("You may not adjudicate."))
    item = AnnotationItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.ADJUDICATION:
        raise ValidationError(_("This message is not waiting for adjudication."))
    item.status = ItemStatus.DISCARDED
    item.save(update_fields=["status", "updated"])
    return item


# --- frontline feedback -------------------------------------------------------------------------------
@transaction.atomic
def feedback_submit(*, user, message: Message, correct_labels, note: str = "") -> EmotionFeedback:
    """An agent says the model got a message's emotion wrong and names the right one. It is kept as a weak
    label, and the message joins the open frontline-feedback batch of the annotation queue."""
    current = EmotionScore.objects.filter(message=message, is_current=True).values("dominant", "model_version").first()
    if not message.is_customer_written:
        raise ValidationError(_("Only customers' messages are scored; this one was not written by a customer."))
    if current is None or not message.text:
        raise ValidationError(_("This message has no emotion score to correct."))
    feedback = EmotionFeedback(
        message=message,
        user=user,
        correct_labels=list(correct_labels) if not isinstance(correct_labels, str) else [correct_labels],
        predicted=current["dominant"] or "",
        model_version=current["model_version"],
        note=(note or "").strip(),
    )
    feedback.full_clean()
    feedback.save()
    _enqueue_flagged(message)
    return feedback


def _enqueue_flagged(message: Message) -> None:
    """Put a flagged message into the open frontline-feedback batch (made on first use)."""
    if GoldLabel.objects.filter(message=message).exists():
        return
    if AnnotationItem.objects.filter(
        message=message, status__in=(ItemStatus.OPEN, ItemStatus.ADJUDICATION), batch__is_open=True
    ).exists():
        EmotionFeedback.objects.filter(message=message, status=FeedbackStatus.NEW).update(status=FeedbackStatus.QUEUED)
        return
    if not selectors.scoreable_messages().filter(pk=message.pk).exists():
        return  # purged, noise or expired: it stays a weak label only
    batch = AnnotationBatch.objects.filter(strategy=Strategy.FEEDBACK, name=FEEDBACK_BATCH_NAME, is_open=True).first()
    if batch is None:
        batch = AnnotationBatch(name=FEEDBACK_BATCH_NAME, strategy=Strategy.FEEDBACK, size=1, seed=0)
        batch.full_clean()
        batch.save()
    last = batch.items.order_by("-position").values_list("position", flat=True).first() or 0
    score = EmotionScore.objects.filter(message=message, is_current=True).first()
    item, created = AnnotationItem.objects.get_or_create(
        batch=batch,
        message=message,
        defaults={
            "position": last + 1,
            "predicted": score.dominant if score else "",
            "confidence": score.confidence if score else None,
            "model_version": score.model_version if score else "",
        },
    )
    if created:
        AnnotationBatch.objects.filter(pk=batch.pk).update(size=F("size") + (1 if last else 0))
    else:  # the message was annotated in this batch before and closed; open it again
        item.status = ItemStatus.OPEN
        item.save(update_fields=["status", "updated"])
    EmotionFeedback.objects.filter(message=message, status=FeedbackStatus.NEW).update(status=FeedbackStatus.QUEUED)


# --- evaluation ---------------------------------------------------------------------------------------
def _engine_for(scoring_model: ScoringModel | None):
    from apps.scoring.engines import cached_engine
    from apps.scoring.services import active_engine

    if scoring_model is None:
        return active_engine()
    return cached_engine(scoring_model.engine, scoring_model.options)


def evaluation_rows(*, engine, gold: Iterable[GoldLabel]) -> list[metrics.Row]:
    """Score the gold messages with ``engine`` in memory (stored scores stay as they are)."""
    from apps.scoring import pipeline

    gold = list(gold)
    results = pipeline.score_texts(
        [g.message.text for g in gold],
        engine=engine,
        platforms=[g.message.source.platform for g in gold],
        languages=[g.message.language or None for g in gold],
    )
    rows = []
    for g, result in zip(gold, results, strict=True):
        message = g.message
        segment = message.account.segment.slug if message.account_id and message.account.segment_id else ""
        rows.append(
            metrics.Row(
                gold=list(g.labels),
                predicted=list(result.labels) if result.is_scored else ["neutral"],
                predicted_primary=(result.dominant or "neutral") if result.is_scored else "neutral",
                platform=message.platform or message.source.platform,
                segment=segment,
            )
        )
    return rows


@transaction.atomic
def evaluation_run_create(
    *,
    scoring_model: ScoringModel | None = None,
    user=None,
    kind: str = EvaluationKind.MANUAL,
    gold_ids: Iterable[int] | None = None,
) -> EvaluationRun:
    """Evaluate ``scoring_model`` (default: the active model) against the gold labels and keep the figures."""
    gold = list(selectors.gold_for_evaluation(gold_ids=gold_ids))
    if not gold:
        raise ValidationError(_("There are no gold labels to evaluate against yet: annotate and adjudicate first."))
    from apps.scoring.engines.base import EngineUnavailable

    try:
        engine = _engine_for(scoring_model)
    except (EngineUnavailable, ValueError, OSError) as exc:
        raise ValidationError(_("The model could not be loaded: %(e)s") % {"e": exc}) from None
    rows = evaluation_rows(engine=engine, gold=gold)
    run = EvaluationRun(
        scoring_model=scoring_model,
        model_version=engine.version,
        engine=engine.name,
        kind=kind,
        n_items=len(rows),
        metrics=metrics.evaluation_metrics(rows),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    run.full_clean()
    run.save()
    return run


# --- activation and rollback --------------------------------------------------------------------------
@transaction.atomic
def model_version_activate(*, scoring_model: ScoringModel, user=None, reason: str, note: str = "") -> ModelActivation:
    """The one way this app changes the active model: through ``scoring_model_activate`` (which loads the
    model first, so a broken one is refused), recorded with who, why and what it replaced."""
    from apps.scoring.services import scoring_model_activate

    previous = ScoringModel.objects.filter(is_active=True).exclude(pk=scoring_model.pk).first()
    scoring_model_activate(scoring_model=scoring_model)
    activation = ModelActivation(
        scoring_model=scoring_model,
        previous_model=previous,
        model_version=scoring_model.version,
        reason=reason,
        note=note[:500],
        activated_by=user if getattr(user, "is_authenticated", False) else None,
    )
    activation.full_clean()
    activation.save()
    return activation


def model_version_rollback(*, scoring_model: ScoringModel, user, note: str = "") -> ModelActivation:
    """Make an earlier scoring model the active one again. New messages are scored with it at once; stored
    scores stay until ``manage.py rescore`` is run."""
    scoring_model.refresh_from_db()
    if scoring_model.is_active:
        raise ValidationError(_("%(m)s is already the active model.") % {"m": scoring_model})
    return model_version_activate(scoring_model=scoring_model, user=user, reason=ActivationReason.ROLLBACK, note=note)


# --- calibration --------------------------------------------------------------------------------------
def calibration_data_dir() -> Path:
    """Where the shipped training data (train.tsv, dev.tsv, labels.txt) lives on this machine."""
    return Path(getattr(settings, "CALIBRATION_DATA_DIR", DEFAULT_TRAINING_DATA))


def model_store_dir() -> Path:
    return Path(getattr(settings, "MODEL_STORE_DIR", Path(settings.BASE_DIR) / "var" / "models"))


@transaction.atomic
def calibration_start(*, user, tolerance: float | None = None) -> CalibrationRun:
    """Record a calibration run and queue it (a q2 task); it trains, evaluates in shadow and decides."""
    from apps.core.tasks import enqueue_audited

    if tolerance is None:
        tolerance = float(getattr(settings, "CALIBRATION_TOLERANCE", 0.0))
    if tolerance < 0:
        raise ValidationError({"tolerance": _("The tolerance cannot be negative.")})
    if CalibrationRun.objects.filter(status__in=(CalibrationStatus.QUEUED, CalibrationStatus.RUNNING)).exists():
        raise ValidationError(_("A calibration is already queued or running; wait for its decision."))
    if not selectors.gold_for_evaluation().exists():
        raise ValidationError(_("There are no gold labels yet: a calibration needs them."))
    run = CalibrationRun(requested_by=user if getattr(user, "is_authenticated", False) else None, tolerance=tolerance)
    run.full_clean()
    run.save()
    transaction.on_commit(lambda: enqueue_audited("apps.validation.tasks.calibrate", run.pk, actor=user))
    return run


def _split_gold(gold: list[GoldLabel], *, holdout: float, seed: int) -> tuple[list[GoldLabel], list[GoldLabel]]:
    """(training part, held-out part): deterministic; the held-out part is never trained on."""
    ordered = sorted(gold, key=lambda g: hashlib.sha256(f"{seed}:{g.message_id}".encode()).hexdigest())
    n_held = max(1, round(len(ordered) * holdout)) if len(ordered) > 1 else len(ordered)
    return ordered[n_held:], ordered[:n_held]


def _baseline_model() -> ScoringModel:
    """The active scoring model; without one, a row standing for the engine settings name (so it can be
    rolled back to)."""
    active = ScoringModel.objects.filter(is_active=True).first()
    if active is not None:
        return active
    engine = settings.SCORING_ENGINE
    model, _created = ScoringModel.objects.get_or_create(
        name=f"Default {engine} engine (settings)",
        defaults={"engine": engine, "options": dict(settings.SCORING_ENGINE_OPTIONS)},
    )
    return model


def calibration_execute(*, run_id: int) -> CalibrationRun:
    """Run a queued calibration: train a candidate linear engine on the shipped data plus the training part of
    the gold labels, evaluate it and the active model in shadow on the held-out gold labels, and activate it
    only if its macro-F1 is at least the active model's minus the tolerance. Safe to call twice: only a
    queued run is claimed."""
    claimed = CalibrationRun.objects.filter(pk=run_id, status=CalibrationStatus.QUEUED).update(
        status=CalibrationStatus.RUNNING, started_at=timezone.now()
    )
    run = CalibrationRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        _calibrate(run)
    except Exception as exc:  # any failure is recorded on the run, never left "running"
        logger.exception("calibration %s failed", run_id)
        run.status = CalibrationStatus.FAILED
        run.decision = f"{type(exc).__name__}: {exc}"[:4000]
    run.finished_at = timezone.now()
    run.save()
    return run


def _train_into(folder: Path, *, data: Path, seed: int, gold: list[GoldLabel]) -> None:
    from apps.scoring.ml.train_linear import train

    train(
        data / "train.tsv",
        data / "dev.tsv",
        data / "labels.txt",
        folder,
        seed=seed,
        params=dict(getattr(settings, "CALIBRATION_TRAIN_PARAMS", {})),
        extra=[(g.message.text, list(g.labels)) for g in gold],
    )


def _calibrate(run: CalibrationRun) -> None:
    from apps.scoring.engines import build_engine

    data = calibration_data_dir()
    missing = [n for n in ("train.tsv", "dev.tsv", "labels.txt") if not (data / n).exists()]
    if missing:
        raise FileNotFoundError(f"{data} lacks {', '.join(missing)}: set CALIBRATION_DATA_DIR to the GoEmotions folder")
    gold = list(selectors.gold_for_evaluation())
    if not gold:
        raise ValueError("there are no gold labels to calibrate with")
    seed = int(getattr(settings, "CALIBRATION_SEED", 0))
    training_part, held_out = _split_gold(gold, holdout=float(getattr(settings, "CALIBRATION_HOLDOUT", 0.3)), seed=seed)
    run.n_gold = len(gold)
    store = model_store_dir()
    store.mkdir(parents=True, exist_ok=True)
    scratch = store / f".calibration-{run.pk}"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        _train_into(scratch, data=data, seed=seed, gold=training_part)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)  # no half-written artifact is left in the store
        raise
    engine = build_engine("linear", {"artifact_dir": str(scratch)})
    final = store / engine.version
    if final.exists():  # the very same model was trained before: keep the first copy
        shutil.rmtree(scratch)
    else:
        scratch.rename(final)
    run.artifact_dir = str(final)
    candidate, _created = ScoringModel.objects.get_or_create(
        name=f"Calibrated linear {engine.version}"[:100],
        defaults={"engine": "linear", "options": {"artifact_dir": str(final)}},
    )
    if not candidate.version:
        candidate.version = build_engine("linear", candidate.options).version
        candidate.save(update_fields=["version", "updated"])
    baseline = _baseline_model()
    run.baseline_model, run.candidate_model = baseline, candidate
    held_ids = [g.pk for g in held_out]
    run.baseline_run = evaluation_run_create(
        scoring_model=baseline, kind=EvaluationKind.BASELINE, gold_ids=held_ids, user=run.requested_by
    )
    run.candidate_run = evaluation_run_create(
        scoring_model=candidate, kind=EvaluationKind.CANDIDATE, gold_ids=held_ids, user=run.requested_by
    )
    new, old = run.candidate_run.macro_f1, run.baseline_run.macro_f1
    figures = _(
        "candidate %(new).4f vs active %(old).4f macro-F1 on %(n)d held-out gold labels (tolerance %(tol).4f; "
        "trained on %(t)d gold labels plus the shipped data)"
    ) % {"new": new, "old": old, "n": len(held_out), "tol": run.tolerance, "t": len(training_part)}
    if candidate.pk == baseline.pk:
        run.status, run.decision = (
            CalibrationStatus.REFUSED,
            _("The candidate is the active model already: %s.") % figures,
        )
    elif new >= old - run.tolerance:
        model_version_activate(
            scoring_model=candidate, user=run.requested_by, reason=ActivationReason.CALIBRATION, note=figures
        )
        run.status, run.decision = CalibrationStatus.ACTIVATED, _("Activated: %s.") % figures
    else:
        run.status, run.decision = CalibrationStatus.REFUSED, _("Refused activation, worse: %s.") % figures
