"""The validation pages: the annotation queue, agreement reports, adjudication, frontline feedback, evaluation
runs and calibration. Each view validates, calls one service or selector, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.security import safe_next
from apps.governance.pages import purpose_bound
from apps.scoring.engines.base import EngineUnavailable
from apps.scoring.models import EmotionScore, ScoringModel
from apps.sources.choices import MessageStatus
from apps.sources.models import Message
from apps.validation import agreement, selectors, services
from apps.validation.choices import CalibrationStatus, SkipReason
from apps.validation.forms import (
    AnnotationForm,
    BatchForm,
    CalibrationForm,
    EvaluationForm,
    FeedbackForm,
    GoldForm,
    RollbackForm,
)
from apps.validation.models import AnnotationItem
from apps.validation.pages import quality_assurance_bound
from apps.validation.templatetags.validation_tags import base_emotions


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Your role does not include this page."))


def _errors(request, exc: ValidationError) -> None:
    for error in exc.messages:
        messages.error(request, error)


def _safe_next(request, fallback: str) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next") or "", fallback)


# --- batches ------------------------------------------------------------------------------------------
@login_required
def index(request):
    """``/validation/``: annotation batches and their progress; a form to draw a new one."""
    _require(request, "validation.view_annotationbatch")
    can_create = request.user.has_perm("validation.add_annotationbatch")
    form = BatchForm(request.POST if request.method == "POST" else None) if can_create else None
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied(_("Your role may not draw annotation batches."))
        if form.is_valid():
            try:
                batch = services.batch_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(
                    request, _("Batch “%(name)s”: %(n)d messages drawn.") % {"name": batch, "n": batch.items.count()}
                )
                return redirect("validation:batch", pk=batch.pk)
    batches = selectors.batches_for(request.user).select_related("created_by")[:100]
    return render(
        request,
        "validation/index.html",
        {"batches": batches, "form": form, "progress": selectors.progress_for(request.user)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def batch_report(request, pk: int):
    """Agreement of one batch: per label and on the primary label, alpha and every pair's kappa."""
    batch = selectors.get_batch_for_user(request.user, pk)
    labelled: dict[int, dict[str, list | None]] = {}
    skips = 0
    for a in selectors.batch_annotations(batch):
        labelled.setdefault(a.item_id, {})[a.annotator.get_username()] = None if a.skipped else list(a.labels)
        skips += a.skipped
    report = agreement.batch_agreement(labelled)
    rows = [(key, name, report["labels"][key]) for key, name in base_emotions()]
    statuses = dict(batch.items.values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "validation/batch_report.html",
        {
            "batch": batch,
            "report": report,
            "rows": rows,
            "pairs": [(p["a"], p["b"]) for p in report["primary"]["pairs"]],
            "statuses": statuses,
            "skips": skips,
            "can_close": request.user.has_perm("validation.change_annotationbatch") and batch.is_open,
        },
    )


@login_required
@require_POST
def batch_close(request, pk: int):
    batch = selectors.get_batch_for_user(request.user, pk)
    _require(request, "validation.change_annotationbatch")
    services.batch_close(batch=batch)
    messages.success(request, _("Batch “%(name)s” closed: it is no longer served.") % {"name": batch})
    return redirect("validation:batch", pk=batch.pk)


# --- annotating ---------------------------------------------------------------------------------------
def _context_message(message: Message) -> Message | None:
    """The message before this one in its thread, shown as context (it is not labelled)."""
    if not message.thread_id:
        return None
    return (
        Message.objects.filter(
            source_id=message.source_id, thread_id=message.thread_id, created_at_source__lt=message.created_at_source
        )
        .exclude(status=MessageStatus.TOMBSTONE)
        .exclude(text="")
        .order_by("-created_at_source", "-id")
        .first()
    )


@login_required
@quality_assurance_bound("page:validation-annotate", perm="validation.add_annotation")
def annotate(request):
    """``/validation/annotate/``: one message at a time, served and claimed by the server."""
    batch = None
    if request.GET.get("batch"):
        try:
            batch = selectors.get_batch_for_user(request.user, int(request.GET["batch"]))
        except ValueError:
            raise Http404("No such batch.") from None
    form = None
    status = 200
    if request.method == "POST":
        form = AnnotationForm(request.POST)
        if form.is_valid():
            item = AnnotationItem.objects.filter(pk=form.cleaned_data["item"]).select_related("batch").first()
            if item is None:
                raise Http404("No such item.")
            skipping = form.cleaned_data["action"] == "skip"
            try:
                services.annotation_submit(
                    item=item,
                    user=request.user,
                    labels=[] if skipping else form.ordered_labels(),
                    skipped=skipping,
                    skip_reason=form.cleaned_data.get("skip_reason") or "",
                    skip_note=form.cleaned_data.get("skip_note") or "",
                    duration_ms=form.cleaned_data.get("duration_ms"),
                )
            except ValidationError as exc:
                _errors(request, exc)
                status = 400
            else:
                messages.success(request, _("Skipped.") if skipping else _("Saved."))
                return redirect(request.get_full_path())
        else:
            messages.error(request, _("The answer could not be read; label the message again."))
            status = 400
    item = services.item_claim(user=request.user, batch=batch)
    context_message = None
    if item is not None:
        message = item.message
        request.accessed = ([message.account_id] if message.account_id else [], [message.contact_id])
        context_message = _context_message(item.message)
    return render(
        request,
        "validation/annotate.html",
        {
            "item": item,
            "batch": batch,
            "context_message": context_message,
            "emotions": base_emotions(),
            "skip_reasons": SkipReason.choices,
            "progress": selectors.progress_for(request.user),
            "posted": form.cleaned_data if form is not None and form.is_valid() and status == 400 else None,
        },
        status=status,
    )


@login_required
@require_POST
def annotate_undo(request):
    """Take back the last annotation; its message is served again."""
    _require(request, "validation.add_annotation")
    try:
        services.annotation_undo(user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Your last answer was taken back: label the message again."))
    return redirect(_safe_next(request, reverse("validation:annotate")))


# --- adjudication -------------------------------------------------------------------------------------
@login_required
@quality_assurance_bound("page:validation-adjudicate", perm="validation.adjudicate_goldlabel")
def adjudicate(request):
    """``/validation/adjudicate/``: the disagreements, each with the annotators' labels side by side."""
    items = list(selectors.adjudication_queue(request.user)[:50])
    request.accessed = ([i.message.account_id for i in items], [i.message.contact_id for i in items])
    return render(
        request,
        "validation/adjudicate.html",
        {"items": items, "emotions": base_emotions(), "total": selectors.adjudication_queue(request.user).count()},
    )


@login_required
@require_POST
def adjudicate_item(request, pk: int):
    """Decide the gold labels of one item (or discard it)."""
    item = selectors.get_adjudication_item_for_user(request.user, pk)
    form = GoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The decision could not be read."))
        return redirect("validation:adjudicate")
    try:
        if form.cleaned_data["action"] == "discard":
            services.item_discard(item=item, user=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Message %(pk)s set aside without a gold label.") % {"pk": item.message_id})
        else:
            gold = services.gold_decide(
                item=item, labels=form.ordered_labels(), user=request.user, note=form.cleaned_data["note"]
            )
            messages.success(
                request,
                _("Gold label for message %(pk)s: %(labels)s.")
                % {"pk": item.message_id, "labels": ", ".join(gold.labels)},
            )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("validation:adjudicate")


# --- frontline feedback -------------------------------------------------------------------------------
@login_required
def feedback(request):
    """``/validation/feedback/``: POST a "wrong emotion" report (from the partial next to a message);
    GET lists the signed-in user's own reports."""
    if request.method == "POST":
        return _feedback_submit(request)
    return _feedback_list(request)


def _feedback_submit(request):
    form = FeedbackForm(request.POST)
    message_pk = request.POST.get("message")
    message = selectors.get_message_for_feedback(request.user, message_pk)  # 404 for a message they cannot see
    fallback = reverse("validation:feedback-message", kwargs={"message_pk": message.pk})
    if not request.user.has_perm("validation.add_emotionfeedback"):
        raise PermissionDenied(_("Your role may not send emotion feedback."))
    if not form.is_valid():
        messages.error(request, _("Tick the emotion(s) the customer really expressed."))
        return redirect(_safe_next(request, fallback))
    try:
        services.feedback_submit(
            user=request.user,
            message=message,
            correct_labels=form.cleaned_data["correct_labels"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Thank you: the message goes to the annotation queue for a second look."))
    return redirect(_safe_next(request, fallback))


@purpose_bound("page:validation-feedback-list")
def _feedback_list(request):
    rows = list(selectors.feedback_for(request.user).filter(user=request.user)[:200])
    request.accessed = ([f.message.account_id for f in rows if f.message.account_id], [])
    return render(request, "validation/feedback_list.html", {"rows": rows})


@login_required
@purpose_bound("page:validation-feedback")
def feedback_message(request, message_pk: int):
    """One message with the model's emotion and the "wrong emotion?" form."""
    message = selectors.get_message_for_feedback(request.user, message_pk)
    request.accessed = ([message.account_id] if message.account_id else [], [message.contact_id])
    score = EmotionScore.objects.filter(message=message, is_current=True).first()
    return render(request, "validation/feedback_message.html", {"message": message, "score": score})


# --- evaluation runs ----------------------------------------------------------------------------------
@login_required
def evaluations(request):
    """``/validation/evaluations/``: every evaluation run, newest first; run a new one."""
    _require(request, "validation.view_evaluationrun")
    can_run = request.user.has_perm("validation.add_evaluationrun")
    form = EvaluationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied(_("Your role may not run evaluations."))
        if form.is_valid():
            try:
                run = services.evaluation_run_create(
                    scoring_model=form.cleaned_data["scoring_model"], user=request.user
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(
                    request, _("Evaluated %(v)s on %(n)d gold labels.") % {"v": run.model_version, "n": run.n_items}
                )
                return redirect("validation:evaluation", pk=run.pk)
    runs = selectors.evaluation_runs(request.user)[:200]
    return render(request, "validation/evaluations.html", {"runs": runs, "form": form if can_run else None})


@login_required
def evaluation_detail(request, pk: int):
    """One run: per-label figures, the confusion matrix of primary labels, platforms and segments."""
    run = selectors.get_evaluation_run_for_user(request.user, pk)
    m = run.metrics
    labels = m.get("confusion", {}).get("labels", [])
    matrix = m.get("confusion", {}).get("matrix", [])
    return render(
        request,
        "validation/evaluation_detail.html",
        {
            "run": run,
            "per_label": [(label, m.get("per_label", {}).get(label, {})) for label in labels],
            "confusion": list(zip(labels, matrix, strict=False)),
            "labels": labels,
            "by_platform": sorted(m.get("by_platform", {}).items()),
            "by_segment": sorted(m.get("by_segment", {}).items()),
        },
    )


# --- calibration and rollback -------------------------------------------------------------------------
@login_required
def calibration(request):
    """``/validation/calibration/``: calibration runs with their decisions, the activation history, starting a
    calibration and rolling back to an earlier version."""
    _require(request, "validation.view_calibrationrun")
    can_start = request.user.has_perm("validation.add_calibrationrun")
    can_rollback = request.user.has_perm("validation.rollback_scoringmodel")
    form = CalibrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_start:
            raise PermissionDenied(_("Your role may not start a calibration."))
        if form.is_valid():
            try:
                run = services.calibration_start(user=request.user, tolerance=form.cleaned_data["tolerance"])
            except ValidationError as exc:
                _errors(request, exc)
            else:
                run.refresh_from_db()
                if run.status == CalibrationStatus.QUEUED:
                    messages.success(request, _("Calibration #%(pk)s queued.") % {"pk": run.pk})
                else:
                    messages.info(request, _("Calibration #%(pk)s: %(d)s") % {"pk": run.pk, "d": run.decision})
                return redirect("validation:calibration")
    return render(
        request,
        "validation/calibration.html",
        {
            "runs": selectors.calibration_runs(request.user)[:50],
            "activations": selectors.activations(request.user)[:50],
            "models": ScoringModel.objects.order_by("-is_active", "-created"),
            "form": form if can_start else None,
            "rollback_form": RollbackForm() if can_rollback else None,
        },
    )


@login_required
@require_POST
def rollback(request):
    """Roll the active model back to an earlier version (through the one activation service)."""
    _require(request, "validation.rollback_scoringmodel")
    form = RollbackForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("validation:calibration")
    try:
        activation = services.model_version_rollback(
            scoring_model=form.cleaned_data["scoring_model"], user=request.user, note=form.cleaned_data["note"]
        )
    except (ValidationError, EngineUnavailable, ValueError, OSError) as exc:
        messages.error(request, _("Not rolled back: %(e)s") % {"e": "; ".join(getattr(exc, "messages", [str(exc)]))})
    else:
        messages.success(request, _("Rolled back: %(m)s is active again.") % {"m": activation.scoring_model})
    return redirect("validation:calibration")
