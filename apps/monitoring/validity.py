"""Predictive validity: do the emotions customers express precede what their accounts then do?

Pure computations over per-account rows (``AccountRow``: the emotion features of the window *before* the
reference date, and whether the account churned *after* it); the rows themselves come from aggregate SQL in
``selectors.validity_dataset``. Nothing here touches the database.

- churn rate by expressed-emotion cohort (the accounts whose most frequent dominant business emotion over the
  window was X), with a Wilson 95% interval, and the lift over the overall churn rate;
- the ROC AUC of each emotion feature for churn (0.5 is chance; above 0.5 higher values precede churn, below
  0.5 lower values do), with the Hanley–McNeil 95% interval;
- the AUC of a logistic regression on all features together, out of fold (stratified k-fold), so it is not
  flattered by fitting and scoring the same accounts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

Z95 = 1.959964
MIN_COHORT = 30  # accounts: below this a cohort's churn rate is flagged as anecdotal
MIN_CHURNED = 10  # churned accounts: below this AUCs are flagged as very uncertain
MIN_CLASS_FOR_MODEL = 5  # churned and retained accounts each, to cross-validate the combined model
NO_EMOTION = "none"


@dataclass
class AccountRow:
    """One account's emotion features over the window, and its outcome over the horizon."""

    account_id: int
    stage: str
    n: int
    mean_valence: float
    negative_share: float
    counts: dict[str, int] = field(default_factory=dict)  # dominant business emotion -> messages
    churned: bool = False

    def share(self, key: str) -> float:
        return self.counts.get(key, 0) / self.n if self.n else 0.0

    @property
    def cohort(self) -> str:
        """The most frequent dominant business emotion (ties: alphabetical), or ``none``."""
        best = sorted(((-v, k) for k, v in self.counts.items() if v > 0))
        return best[0][1] if best else NO_EMOTION

    def feature(self, name: str) -> float:
        if name.startswith("share:"):
            return self.share(name.split(":", 1)[1])
        if name == "volume":
            return float(self.n)
        return float(getattr(self, name))


def feature_names(emotion_keys: Sequence[str]) -> list[str]:
    return [f"share:{k}" for k in emotion_keys] + ["mean_valence", "negative_share", "volume"]


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion k/n."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def hanley_mcneil(auc: float, n_pos: int, n_neg: int, z: float = Z95) -> tuple[float, float]:
    """The 95% interval of an AUC (Hanley & McNeil, Radiology 1982)."""
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    se = math.sqrt(max(var, 0.0))
    return max(0.0, auc - z * se), min(1.0, auc + z * se)


def auc_of(labels: Sequence[bool], scores: Sequence[float]) -> dict:
    """ROC AUC of ``scores`` for ``labels`` (True = churned), with its interval; None when one class is absent."""
    from sklearn.metrics import roc_auc_score

    n_pos = sum(1 for y in labels if y)
    n_neg = len(labels) - n_pos
    out = {"n": len(labels), "n_churned": n_pos, "auc": None, "ci": None}
    if n_pos == 0 or n_neg == 0:
        return out
    auc = float(roc_auc_score([int(y) for y in labels], list(scores)))
    out["auc"] = round(auc, 4)
    out["ci"] = [round(v, 4) for v in hanley_mcneil(auc, n_pos, n_neg)]
    return out


def cohorts(rows: Sequence[AccountRow]) -> list[dict]:
    """Churn rate per expressed-emotion cohort and its lift over the overall rate, largest cohort first."""
    total = len(rows)
    churned = sum(r.churned for r in rows)
    overall = churned / total if total else None
    groups: dict[str, list[AccountRow]] = defaultdict(list)
    for row in rows:
        groups[row.cohort].append(row)
    out = []
    for key, members in groups.items():
        k = sum(r.churned for r in members)
        rate = k / len(members)
        ci = wilson(k, len(members))
        out.append(
            {
                "cohort": key,
                "n": len(members),
                "churned": k,
                "churn_rate": round(rate, 4),
                "ci": [round(v, 4) for v in ci] if ci else None,
                "lift": round(rate / overall, 3) if overall else None,
                "small": len(members) < MIN_COHORT,
            }
        )
    return sorted(out, key=lambda c: (-c["n"], c["cohort"]))


def combined_model(rows: Sequence[AccountRow], names: Sequence[str], *, seed: int = 0) -> dict:
    """Out-of-fold AUC of a standardised logistic regression on all features together."""
    labels = [r.churned for r in rows]
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if min(n_pos, n_neg) < MIN_CLASS_FOR_MODEL:
        return {
            "auc": None,
            "ci": None,
            "folds": 0,
            "n": len(rows),
            "n_churned": n_pos,
            "reason": _("Needs at least %(k)s churned and %(k)s retained accounts to cross-validate.")
            % {"k": MIN_CLASS_FOR_MODEL},
        }
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.array(
        [[math.log1p(r.feature(n)) if n == "volume" else r.feature(n) for n in names] for r in rows], dtype=float
    )
    y = np.array(labels, dtype=int)
    folds = min(5, n_pos, n_neg)
    model = make_pipeline(StandardScaler(), LogisticRegression(solver="liblinear", max_iter=1000))
    proba = cross_val_predict(
        model, X, y, cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed), method="predict_proba"
    )[:, 1]
    result = auc_of(labels, proba.tolist())
    return {**result, "folds": folds, "reason": ""}


def verdict(emotion: str, feature: dict) -> str:
    """A plain answer to "does <emotion> precede churn here?"."""
    auc, ci = feature.get("auc"), feature.get("ci")
    if auc is None:
        return _("Cannot tell: no churned (or no retained) accounts in this population.")
    if feature["n_churned"] < MIN_CHURNED:
        return _("Too few churned accounts (%(k)s) to tell; AUC %(auc).2f is anecdotal.") % {
            "k": feature["n_churned"],
            "auc": auc,
        }
    values = {"e": emotion, "auc": auc, "lo": ci[0], "hi": ci[1]}
    if ci[0] > 0.5:
        return (
            _("Yes: a higher share of %(e)s precedes churn here (AUC %(auc).2f, 95%% CI %(lo).2f–%(hi).2f).") % values
        )
    if ci[1] < 0.5:
        return (
            _(
                "No, the opposite: accounts expressing more %(e)s churned less "
                "(AUC %(auc).2f, 95%% CI %(lo).2f–%(hi).2f)."
            )
            % values
        )
    return _("Not established: AUC %(auc).2f, and its 95%% CI %(lo).2f–%(hi).2f includes chance (0.5).") % values


def analyse(rows: Sequence[AccountRow], emotion_keys: Sequence[str], *, churn_emotions: Sequence[str] = ()) -> dict:
    """Cohorts, per-feature AUCs, the combined model, answers and warnings for one population."""
    names = feature_names(emotion_keys)
    labels = [r.churned for r in rows]
    churned = sum(labels)
    features = []
    for name in names:
        result = auc_of(labels, [r.feature(name) for r in rows])
        result["feature"] = name
        features.append(result)
    by_name = {f["feature"]: f for f in features}
    warnings = []
    if not rows:
        warnings.append(_("No account with scored messages in the window: nothing to measure."))
    elif churned == 0:
        warnings.append(_("No account churned within the horizon: churn cannot be predicted from this population."))
    elif churned < MIN_CHURNED:
        warnings.append(
            _("Only %(k)s churned accounts: every AUC here is very uncertain (see the intervals).") % {"k": churned}
        )
    if rows and len(rows) < MIN_COHORT:
        warnings.append(_("Only %(n)s accounts: too few for a churn rate to mean much.") % {"n": len(rows)})
    return {
        "n": len(rows),
        "churned": churned,
        "churn_rate": round(churned / len(rows), 4) if rows else None,
        "churn_rate_ci": [round(v, 4) for v in wilson(churned, len(rows))] if rows else None,
        "cohorts": cohorts(rows),
        "features": features,
        "combined": combined_model(rows, names),
        "answers": [
            {"emotion": key, "verdict": verdict(key, by_name[f"share:{key}"]), **by_name[f"share:{key}"]}
            for key in churn_emotions
            if f"share:{key}" in by_name
        ],
        "warnings": warnings,
    }


def report(
    rows: Sequence[AccountRow], emotion_keys: Sequence[str], *, churn_emotions: Sequence[str] = (), by_stage=True
) -> dict:
    """The analysis overall and, when asked, per journey stage."""
    out = {"overall": analyse(rows, emotion_keys, churn_emotions=churn_emotions), "by_stage": {}}
    if by_stage:
        stages: dict[str, list[AccountRow]] = defaultdict(list)
        for row in rows:
            stages[row.stage or "unknown"].append(row)
        out["by_stage"] = {
            stage: analyse(members, emotion_keys, churn_emotions=churn_emotions)
            for stage, members in sorted(stages.items())
        }
    return out
