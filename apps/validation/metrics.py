"""Evaluation figures of predictions against gold labels. Pure functions, no database.

Multi-label: per label, a message is a true positive when the label is both gold and predicted. Macro-F1
is the mean F1 over the labels that occur in the gold labels or the predictions (a label nobody wrote and
the model never predicted says nothing either way). The confusion matrix compares primary labels: the gold
label's first label (rows) with the model's dominant emotion (columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from apps.scoring.engines.base import BASE_LABELS


@dataclass(frozen=True)
class Row:
    """One gold-labelled message and what the model said about it."""

    gold: Sequence[str]
    predicted: Sequence[str]
    predicted_primary: str
    platform: str = ""
    segment: str = ""


def per_label_figures(rows: Sequence[Row], labels: Sequence[str] = BASE_LABELS) -> tuple[dict, float, float]:
    """({label: {precision, recall, f1, support, predicted}}, macro-F1, micro-F1)."""
    figures = {}
    total_tp = total_fp = total_fn = 0
    counted = []
    for label in labels:
        tp = sum(1 for r in rows if label in r.gold and label in r.predicted)
        fp = sum(1 for r in rows if label not in r.gold and label in r.predicted)
        fn = sum(1 for r in rows if label in r.gold and label not in r.predicted)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        figures[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
            "predicted": tp + fp,
        }
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
        if tp + fn or tp + fp:
            counted.append(f1)
    macro = round(sum(counted) / len(counted), 4) if counted else 0.0
    micro = round(2 * total_tp / (2 * total_tp + total_fp + total_fn), 4) if total_tp + total_fp + total_fn else 0.0
    return figures, macro, micro


def confusion(rows: Iterable[Row], labels: Sequence[str] = BASE_LABELS) -> dict:
    """Counts of (gold primary label, predicted primary label)."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for r in rows:
        gold = r.gold[0] if r.gold else "neutral"
        predicted = r.predicted_primary or "neutral"
        if gold in index and predicted in index:
            matrix[index[gold]][index[predicted]] += 1
    return {"labels": list(labels), "matrix": matrix}


def _group(rows: Sequence[Row], key) -> dict:
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(key(r) or "unknown", []).append(r)
    out = {}
    for name in sorted(groups):
        figures, macro, _micro = per_label_figures(groups[name])
        out[name] = {"n": len(groups[name]), "macro_f1": macro, "per_label": figures}
    return out


def evaluation_metrics(rows: Sequence[Row]) -> dict:
    """Everything an evaluation run stores (the shape ``apps.monitoring`` reads)."""
    figures, macro, micro = per_label_figures(rows)
    exact = sum(1 for r in rows if set(r.gold) == set(r.predicted))
    primary_hits = sum(1 for r in rows if r.gold and r.predicted_primary == r.gold[0])
    n = len(rows)
    return {
        "n": n,
        "macro_f1": macro,
        "micro_f1": micro,
        "exact_match": round(exact / n, 4) if n else 0.0,
        "primary_accuracy": round(primary_hits / n, 4) if n else 0.0,
        "per_label": figures,
        "by_platform": _group(rows, lambda r: r.platform),
        "by_segment": _group(rows, lambda r: r.segment),
        "confusion": confusion(rows),
    }
