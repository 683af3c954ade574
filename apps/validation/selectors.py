"""Reads of the validation app.

Two of them are a contract with ``apps.monitoring`` (drift, predictive validity, model cards) and stay stable:
``gold_labels(since=, until=)`` and ``evaluation_runs_for(model_version=)``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.sources.choices import AuthorRole, MessageStatus
from apps.sources.models import Message
from apps.validation.choices import ItemStatus
from apps.validation.models import (
    Annotation,
    AnnotationBatch,
    AnnotationItem,
    CalibrationRun,
    EmotionFeedback,
    EvaluationRun,
    GoldLabel,
    ModelActivation,
)


# --- contract with apps.monitoring -------------------------------------------------------------------
def gold_labels(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> QuerySet[GoldLabel]:
    """Every gold label decided in [since, until), oldest first, with ``message`` (its source, account and
    segment) joined. Each row has ``.message_id``, ``.labels`` (base emotion keys, primary first) and
    ``.decided_at``. System-wide (no user): callers that show rows to a person restrict them themselves."""
    queryset = GoldLabel.objects.select_related("message__source", "message__account__segment")
    if since is not None:
        queryset = queryset.filter(decided_at__gte=since)
    if until is not None:
        queryset = queryset.filter(decided_at__lt=until)
    return queryset.order_by("decided_at", "id")


def evaluation_runs_for(*, model_version: str) -> QuerySet[EvaluationRun]:
    """Evaluation runs of one model version, newest first (``.created_at``, ``.model_version``, ``.n_items``,
    ``.metrics``; see ``EvaluationRun`` for the shape of ``metrics``)."""
    return EvaluationRun.objects.filter(model_version=model_version).order_by("-created", "-id")


# --- what may be sampled and evaluated ----------------------------------------------------------------
def scoreable_messages(*, now: dt.datetime | None = None) -> QuerySet[Message]:
    """Customer-written messages that were scored and still hold their text: never agents' or system
    messages, never opted-out tombstones, noise or expired ephemeral content; each with a current score."""
    now = now or timezone.now()
    return (
        Message.objects.filter(author_role=AuthorRole.CUSTOMER, status=MessageStatus.SCORED)
        .exclude(text="")
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(emotion_scores__is_current=True, emotion_scores__status__in=("scored", "truncated"))
    )


def gold_for_evaluation(*, gold_ids=None) -> QuerySet[GoldLabel]:
    """Gold labels whose message can still be scored (opted-out or purged text drops out)."""
    queryset = GoldLabel.objects.filter(
        message__author_role=AuthorRole.CUSTOMER,
        message__status__in=(MessageStatus.SCORED, MessageStatus.RECEIVED),
    ).exclude(message__text="")
    now = timezone.now()
    queryset = queryset.filter(Q(message__expires_at__isnull=True) | Q(message__expires_at__gt=now))
    if gold_ids is not None:
        queryset = queryset.filter(pk__in=list(gold_ids))
    return queryset.select_related("message__source", "message__account__segment").order_by("message_id")


# --- pages and API ------------------------------------------------------------------------------------
def batches_for(user) -> QuerySet[AnnotationBatch]:
    """Batches the user may see, with their progress counts."""
    return (
        AnnotationBatch.objects.restrict(user, "view")
        .annotate(
            n_items=Count("items", distinct=True),
            n_gold=Count("items", filter=Q(items__status=ItemStatus.GOLD), distinct=True),
            n_adjudication=Count("items", filter=Q(items__status=ItemStatus.ADJUDICATION), distinct=True),
            n_annotations=Count("items__annotations", distinct=True),
        )
        .order_by("-created", "-id")
    )


def get_batch_for_user(user, pk: int) -> AnnotationBatch:
    """The batch, or 404 when the user may not see it."""
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("No such batch.")
    return batch


def batch_annotations(batch: AnnotationBatch) -> QuerySet[Annotation]:
    """Every annotation of a batch, for the agreement report."""
    return Annotation.objects.filter(item__batch=batch).select_related("annotator").order_by("item_id", "id")


def adjudication_queue(user) -> QuerySet[AnnotationItem]:
    """Items whose annotators disagree, oldest batch first (for holders of the adjudication permission)."""
    if not user.has_perm("validation.adjudicate_goldlabel"):
        return AnnotationItem.objects.none()
    return (
        AnnotationItem.objects.filter(status=ItemStatus.ADJUDICATION)
        .select_related("batch", "message__source")
        .prefetch_related(
            Prefetch("annotations", queryset=Annotation.objects.select_related("annotator").order_by("id")),
            Prefetch("message__emotion_feedback", queryset=EmotionFeedback.objects.order_by("id")),
        )
        .order_by("batch__created", "batch_id", "position")
    )


def get_adjudication_item_for_user(user, pk: int) -> AnnotationItem:
    item = adjudication_queue(user).filter(pk=pk).first()
    if item is None:
        raise Http404("No such item waiting for adjudication.")
    return item


def progress_for(user) -> dict[str, int]:
    """How many items this user has done, and how many are still open to them."""
    done = Annotation.objects.filter(annotator=user).count()
    open_items = (
        AnnotationItem.objects.filter(status=ItemStatus.OPEN, batch__is_open=True)
        .exclude(annotations__annotator=user)
        .count()
    )
    return {"done": done, "remaining": open_items}


def evaluation_runs(user) -> QuerySet[EvaluationRun]:
    return EvaluationRun.objects.restrict(user, "view").select_related("scoring_model", "created_by")


def get_evaluation_run_for_user(user, pk: int) -> EvaluationRun:
    run = evaluation_runs(user).filter(pk=pk).first()
    if run is None:
        raise Http404("No such evaluation run.")
    return run


def calibration_runs(user) -> QuerySet[CalibrationRun]:
    return CalibrationRun.objects.restrict(user, "view").select_related(
        "baseline_model", "candidate_model", "baseline_run", "candidate_run", "requested_by"
    )


def activations(user) -> QuerySet[ModelActivation]:
    return ModelActivation.objects.restrict(user, "view").select_related("scoring_model", "activated_by")


def feedback_for(user) -> QuerySet[EmotionFeedback]:
    """Feedback the user may list: their own on messages they can still see; everything with the
    model-wide permission."""
    if user.is_authenticated and (user.is_superuser or user.has_perm("validation.view_emotionfeedback")):
        return EmotionFeedback.objects.select_related("message", "user")
    visible = Message.objects.restrict(user, "view").values("pk")
    return EmotionFeedback.objects.filter(user=user, message__in=visible).select_related("message", "user")


def get_message_for_feedback(user, pk) -> Message:
    """A customer message the user may see (the agent's account grants decide), or 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such message.") from None
    message = Message.objects.restrict(user, "view").select_related("source", "account").filter(pk=pk).first()
    if message is None:
        raise Http404("No such message.")
    return message
