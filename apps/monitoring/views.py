"""Pages: the predictive validity report and the drift page (analytics only), and the model cards."""

from __future__ import annotations

import datetime as dt
import functools
import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from apps.crm.choices import JourneyStage
from apps.monitoring import modelcard, selectors
from apps.monitoring.choices import DriftStatus
from apps.monitoring.purpose import analytics_page


def requires(perm: str):
    """403 (not a redirect to the login page) for a signed-in user without ``perm``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            selectors.require(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ValidityForm(forms.Form):
    as_of = forms.DateField(
        label=_("Reference date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Emotions strictly before it; churn strictly after it."),
    )
    window = forms.IntegerField(
        label=_("Emotion window (days)"), min_value=7, max_value=365, initial=90, required=False
    )
    horizon = forms.IntegerField(
        label=_("Churn horizon (days)"), min_value=7, max_value=365, initial=90, required=False
    )
    stage = forms.ChoiceField(
        label=_("Journey stage"), choices=[("", _("All, and each stage")), *JourneyStage.choices], required=False
    )


@login_required
@requires(selectors.REPORT_PERMISSION)
@analytics_page("page:monitoring-validity")
def validity(request):
    """``/monitoring/validity/``: does what customers express precede churn, over the accounts the user may see?"""
    form = ValidityForm(request.GET or None)
    context = {"form": form, "stages": dict(JourneyStage.choices)}
    if form.is_bound and not form.is_valid():
        return render(request, "monitoring/validity.html", context, status=400)
    params = form.cleaned_data if form.is_bound else {}
    horizon = params.get("horizon") or 90
    as_of = params.get("as_of") or selectors.default_reference_date(horizon_days=horizon)
    if not form.is_bound:  # show the parameters the report was drawn with
        context["form"] = ValidityForm(initial={"as_of": as_of, "window": 90, "horizon": 90})
    data, result = selectors.validity_report(
        user=request.user,
        as_of=as_of,
        window_days=params.get("window") or 90,
        horizon_days=horizon,
        stage=params.get("stage") or "",
    )
    request.accessed = (data.account_ids, [])
    context.update({"data": data, "result": result, "as_of": as_of})
    return render(request, "monitoring/validity.html", context)


def sparkline(values: list[float | None], *, width: int = 140, height: int = 28, top: float = 0.5) -> str:
    """SVG polyline points for PSI values (None gaps are skipped); the scale tops out at ``top`` or the max."""
    present = [v for v in values if v is not None]
    if len(values) < 2 or not present:
        return ""
    ceiling = max(top, *present)
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - (v / ceiling) * (height - 2) - 1:.1f}" for i, v in enumerate(values) if v is not None
    )


@login_required
@requires(selectors.DRIFT_PERMISSION)
@analytics_page("page:monitoring-drift")
def drift(request):
    """``/monitoring/drift/``: weekly PSI per platform against the reference window, with status and alerts."""
    from apps.monitoring.models import DriftSettings
    from apps.scoring.models import ScoringModel

    versions = list(selectors.drift_reports(weeks=520).order_by().values_list("model_version", flat=True).distinct())
    active = ScoringModel.objects.filter(is_active=True).values_list("version", flat=True).first()
    version = request.GET.get("version") or (active if active in versions else (versions[0] if versions else ""))
    reports = list(selectors.drift_reports(weeks=12, model_version=version)) if version else []
    weeks = sorted({r.week_start for r in reports})
    grid: dict[str, dict[dt.date, object]] = {}
    for report in reports:
        grid.setdefault(report.platform, {})[report.week_start] = report
    rows = []
    for platform, cells in sorted(grid.items()):
        series = [cells.get(w) for w in weeks]
        rows.append(
            {
                "platform": platform,
                "cells": series,
                "points": sparkline([c.psi if c else None for c in series]),
                "latest": next((c for c in reversed(series) if c), None),
            }
        )
    chosen = request.GET.get("platform", "")
    detail = next((r["latest"] for r in rows if r["platform"] == chosen), None)
    if detail is not None:
        keys = sorted(set(detail.label_shares) | set(detail.reference.get("label_shares", {})))
        detail_rows = [
            {
                "label": k,
                "now": detail.label_shares.get(k, 0.0),
                "ref": detail.reference.get("label_shares", {}).get(k, 0.0),
            }
            for k in keys
        ]
        reference_bins = detail.reference.get("confidence_hist", [])
        bins = [
            {
                "label": f"{i * 10}–{(i + 1) * 10}%",
                "now": now,
                "ref": reference_bins[i] if i < len(reference_bins) else 0,
            }
            for i, now in enumerate(detail.confidence_hist)
        ]
    else:
        detail_rows, bins = [], []
    card_model = ScoringModel.objects.filter(version=version).order_by("-is_active").first() if version else None
    return render(
        request,
        "monitoring/drift.html",
        {
            "versions": versions,
            "version": version,
            "card_model": card_model,
            "weeks": weeks,
            "rows": rows,
            "policy": DriftSettings.current(),
            "alerts": selectors.drift_alerts(),
            "detail": detail,
            "detail_rows": detail_rows,
            "bins": bins,
            "statuses": DriftStatus,
            "gold_available": _gold_available(),
        },
    )


def _gold_available() -> bool:
    try:
        from apps.validation.selectors import gold_labels  # noqa: F401
    except ImportError:
        return False
    return True


@login_required
@requires(selectors.MODEL_CARD_PERMISSION)
def model_cards(request):
    """``/monitoring/model-cards/``: every scoring model version, active first."""
    return render(request, "monitoring/model_cards.html", {"models": selectors.model_cards_for(request.user)})


@login_required
@requires(selectors.MODEL_CARD_PERMISSION)
def model_card(request, pk: int):
    """One model card: HTML (print-friendly), or ``?format=md`` / ``?format=json`` as a download.

    No purpose is asked: the card holds the register, training and aggregate evaluation figures, no one's
    emotion data; the permission decides who reads it."""
    scoring_model = selectors.get_scoring_model_for_user(request.user, pk)
    card = modelcard.model_card(scoring_model)
    fmt = request.GET.get("format", "")
    filename = f"model-card-{slugify(scoring_model.name) or scoring_model.pk}"
    if fmt == "json":
        response = HttpResponse(json.dumps(card, indent=2, default=str), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
        return response
    if fmt == "md":
        response = HttpResponse(modelcard.to_markdown(card), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.md"'
        return response
    if fmt:
        return HttpResponse(
            _("Unknown format %(f)r: use md or json.") % {"f": fmt}, status=400, content_type="text/plain"
        )
    return render(request, "monitoring/model_card.html", {"card": card, "scoring_model": scoring_model})
