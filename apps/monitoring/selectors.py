"""Reads of the model monitoring app, restricted to the user: outcomes, the validity dataset, drift, model cards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.crm.models import Account
from apps.monitoring import validity
from apps.monitoring.choices import OutcomeKind
from apps.monitoring.drift import SCORED
from apps.monitoring.models import AccountOutcome, DriftAlert, DriftReport

REPORT_PERMISSION = "monitoring.view_validity_report"
DRIFT_PERMISSION = "monitoring.view_driftreport"
MODEL_CARD_PERMISSION = "monitoring.view_model_card"


def require(user, perm: str) -> None:
    """Pages and endpoints that show a whole report (not one object) refuse with 403 without the permission."""
    if not user.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to see this report."))


def outcomes_visible_to(user) -> QuerySet[AccountOutcome]:
    """Outcomes of the accounts ``user`` may see."""
    return AccountOutcome.objects.restrict(user, "view").select_related("account")


# --- predictive validity ------------------------------------------------------------------------------


@dataclass
class ValidityDataset:
    """The rows and the parameters they were drawn with."""

    as_of: dt.date
    window_days: int
    horizon_days: int
    stage: str
    rows: list[validity.AccountRow]
    emotion_keys: list[str]
    churn_emotions: list[str]
    silent: dict = field(default_factory=dict)  # accounts without scored messages in the window
    excluded_already_churned: int = 0

    @property
    def observed_days(self) -> int:
        """How much of the horizon has happened yet."""
        return max(0, min(self.horizon_days, (timezone.localdate() - self.as_of).days))

    @property
    def horizon_complete(self) -> bool:
        return self.observed_days >= self.horizon_days

    @property
    def account_ids(self) -> list[int]:
        return [r.account_id for r in self.rows]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def business_emotions() -> tuple[list[str], list[str]]:
    """(every active business emotion key, those that signal churn risk)."""
    from apps.scoring.models import BusinessEmotion

    rows = list(BusinessEmotion.objects.filter(is_active=True).values_list("key", "outcome", "direction"))
    return [k for k, _o, _d in rows], [k for k, o, d in rows if o == "churn_risk" and d == "raises"]


def default_reference_date(*, horizon_days: int = 90, today: dt.date | None = None) -> dt.date:
    """The latest date whose outcome horizon is complete; when the scored history is younger than that, the
    midpoint of the history (some features before it, some outcomes after it; the page says the horizon is
    incomplete)."""
    from apps.scoring.models import EmotionScore

    today = today or timezone.localdate()
    ideal = today - dt.timedelta(days=horizon_days)
    first = EmotionScore.objects.filter(is_current=True).aggregate(first=Min("message_created_at"))["first"]
    if first is None:
        return ideal
    first_day = timezone.localtime(first).date()
    if first_day <= ideal - dt.timedelta(days=30):
        return ideal
    return first_day + (today - first_day) // 2


def validity_dataset(
    *, user, as_of: dt.date, window_days: int = 90, horizon_days: int = 90, stage: str = ""
) -> ValidityDataset:
    """Per account the user may see: emotion features of messages strictly before ``as_of`` (within
    ``window_days``) and whether it churned strictly after ``as_of`` (within ``horizon_days``).

    One aggregate query for the features (grouped by account), one for the outcomes. Accounts that had already
    churned on or before ``as_of`` are not at risk and are left out.
    """
    from apps.scoring.models import EmotionScore

    emotion_keys, churn_emotions = business_emotions()
    accounts = Account.objects.restrict(user, "view")
    if stage:
        accounts = accounts.filter(journey_stage=stage)
    churns = AccountOutcome.objects.filter(kind=OutcomeKind.CHURNED, account__in=accounts.values("pk"))
    gone = set(churns.filter(occurred_on__lte=as_of).values_list("account_id", flat=True))
    churned = set(
        churns.filter(occurred_on__gt=as_of, occurred_on__lte=as_of + dt.timedelta(days=horizon_days)).values_list(
            "account_id", flat=True
        )
    )
    since, until = _midnight(as_of - dt.timedelta(days=window_days)), _midnight(as_of)
    per_emotion = {f"e_{k}": Count("id", filter=Q(dominant_business=k)) for k in emotion_keys}
    aggregates = (
        EmotionScore.objects.filter(
            is_current=True,
            status__in=SCORED,
            account__in=accounts.values("pk"),
            message_created_at__gte=since,
            message_created_at__lt=until,
        )
        .exclude(account_id__in=gone)
        .values("account_id", "account__journey_stage")
        .annotate(
            n=Count("id"),
            mean_valence=Avg("valence"),
            negative=Count("id", filter=Q(valence__lt=0)),
            **per_emotion,
        )
        .order_by("account_id")
    )
    rows = [
        validity.AccountRow(
            account_id=a["account_id"],
            stage=a["account__journey_stage"] or "",
            n=a["n"],
            mean_valence=float(a["mean_valence"] or 0.0),
            negative_share=a["negative"] / a["n"],
            counts={k: a[f"e_{k}"] for k in emotion_keys if a[f"e_{k}"]},
            churned=a["account_id"] in churned,
        )
        for a in aggregates
    ]
    with_messages = {r.account_id for r in rows}
    silent_ids = set(accounts.exclude(pk__in=gone).values_list("pk", flat=True)) - with_messages
    silent_churned = len(silent_ids & churned)
    return ValidityDataset(
        as_of=as_of,
        window_days=window_days,
        horizon_days=horizon_days,
        stage=stage,
        rows=rows,
        emotion_keys=emotion_keys,
        churn_emotions=churn_emotions,
        silent={
            "n": len(silent_ids),
            "churned": silent_churned,
            "churn_rate": round(silent_churned / len(silent_ids), 4) if silent_ids else None,
        },
        excluded_already_churned=len(gone),
    )


def validity_report(*, user, as_of: dt.date, window_days: int = 90, horizon_days: int = 90, stage: str = ""):
    """The dataset and its analysis (overall and by journey stage)."""
    data = validity_dataset(user=user, as_of=as_of, window_days=window_days, horizon_days=horizon_days, stage=stage)
    result = validity.report(data.rows, data.emotion_keys, churn_emotions=data.churn_emotions, by_stage=not stage)
    if not data.horizon_complete:
        result["overall"]["warnings"].insert(
            0,
            _(
                "The outcome horizon is not complete: only %(d)s of %(h)s days after the reference date have "
                "happened, so some accounts counted as retained may still churn."
            )
            % {"d": data.observed_days, "h": data.horizon_days},
        )
    return data, result


# --- drift --------------------------------------------------------------------------------------------


def drift_reports(*, weeks: int = 12, platform: str = "", model_version: str = "") -> QuerySet[DriftReport]:
    """The reports of the last ``weeks`` weeks that have any (aggregate data: no per-account restriction)."""
    reports = DriftReport.objects.all()
    if platform:
        reports = reports.filter(platform=platform)
    if model_version:
        reports = reports.filter(model_version=model_version)
    latest = reports.order_by("-week_start").values_list("week_start", flat=True).first()
    if latest is None:
        return reports.none()
    return reports.filter(week_start__gt=latest - dt.timedelta(weeks=weeks)).order_by("platform", "week_start")


def drift_alerts(*, limit: int = 20) -> list[DriftAlert]:
    return list(DriftAlert.objects.select_related("acknowledged_by").order_by("-week_start", "platform")[:limit])


# --- model cards --------------------------------------------------------------------------------------


def model_cards_for(user):
    """The scoring models whose card the user may read (every one, with the permission)."""
    from apps.scoring.models import ScoringModel

    require(user, MODEL_CARD_PERMISSION)
    return ScoringModel.objects.all().order_by("-is_active", "name")


def get_scoring_model_for_user(user, pk: int):
    """The scoring model for its card, 403 without the permission, 404 when there is no such model."""
    model = model_cards_for(user).filter(pk=pk).first()
    if model is None:
        raise Http404(_("No such scoring model."))
    return model
