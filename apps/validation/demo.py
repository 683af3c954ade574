"""Demo data of the validation app (run after the core demo seed): two annotators, one batch partly labelled by
both with some disagreements, gold labels (unanimous and adjudicated), and an evaluation run of the shipped model.

The demo annotators' answers are synthetic (derived from the stored scores with a fixed rule), so the figures
show how the pages work, not how good the model is.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from apps.core.demo import DemoUser

DEMO_ANNOTATORS = (
    DemoUser("annotator.ana", "emotionhub-ana", "Annotator", "Annotator"),
    DemoUser("annotator.ben", "emotionhub-ben", "Annotator", "Annotator"),
)
BATCH_NAME = "Demo: stratified sample"
BATCH_SIZE = 40
LABELLED = 24  # items both annotators have done; the rest wait in the queue


def seed(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create (or leave in place) the validation demo data; returns counts of what exists afterwards."""
    from apps.validation.models import AnnotationBatch, EvaluationRun, GoldLabel

    users = _annotators()
    _switch_on_quality_assurance()
    with transaction.atomic():
        batch = AnnotationBatch.objects.filter(name=BATCH_NAME).first()
        if batch is None:
            batch = _seed_batch(users)
    if batch is not None and not EvaluationRun.objects.exists():
        from apps.validation.services import evaluation_run_create

        evaluation_run_create(user=None)
    return {
        "annotators": len(users),
        "annotation batches": AnnotationBatch.objects.count(),
        "gold labels": GoldLabel.objects.count(),
        "evaluation runs": EvaluationRun.objects.count(),
    }


def _annotators() -> list:
    User = get_user_model()
    group = Group.objects.get(name="Annotator")  # the role comes from the governance register
    users = []
    for spec in DEMO_ANNOTATORS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={"email": f"{spec.username}@emotionhub.demo", "first_name": spec.username.split(".")[-1].title()},
        )
        if created or not user.check_password(spec.password):
            user.set_password(spec.password)
            user.save()
        user.groups.add(group)
        users.append(user)
    return users


def _switch_on_quality_assurance() -> None:
    from apps.governance.models import Purpose
    from apps.governance.services import purpose_switch

    purpose = Purpose.objects.select_related("dpia").filter(key="quality_assurance").first()
    if purpose is not None and not purpose.is_active and purpose.dpia and purpose.dpia.is_valid:
        purpose_switch(purpose=purpose, on=True)


def _second_choice(scores: dict[str, float], first: str) -> str:
    ranked = sorted((label for label in scores if label != first), key=lambda label: (-scores[label], label))
    return ranked[0] if ranked else "neutral"


def _seed_batch(users):
    from django.core.exceptions import ValidationError

    from apps.scoring.models import EmotionScore
    from apps.validation import services

    try:
        batch = services.batch_create(name=BATCH_NAME, strategy="stratified", size=BATCH_SIZE, seed=2026)
    except ValidationError:
        return None  # no scored customer messages (a core seed without messages)
    ana, ben = users
    lead = get_user_model().objects.filter(username="cx.lead").first()
    items = list(batch.items.order_by("position")[:LABELLED])
    scores = dict(
        EmotionScore.objects.filter(message_id__in=[i.message_id for i in items], is_current=True).values_list(
            "message_id", "scores"
        )
    )
    for n, item in enumerate(items):
        first = item.predicted or "neutral"
        ana_labels = [first]
        # Ben reads every third message differently: those are the disagreements to adjudicate.
        ben_labels = [_second_choice(scores.get(item.message_id, {}), first)] if n % 3 == 2 else [first]
        for user, labels in ((ana, ana_labels), (ben, ben_labels)):
            services.annotation_submit(item=item, user=user, labels=labels, duration_ms=3000 + 150 * n)
    if lead is not None and lead.has_perm("validation.adjudicate_goldlabel"):
        # half of the disagreements decided (alternately for Ana's and Ben's reading), the rest left on the page
        waiting = list(batch.items.filter(status="adjudication").order_by("position"))
        for n, item in enumerate(waiting[: len(waiting) // 2]):
            labels = item.annotations.get(annotator=ben if n % 2 else ana).labels
            services.gold_decide(item=item, labels=labels, user=lead, note="demo adjudication")
    return batch
