"""Evaluation of an engine on a labelled TSV in the GoEmotions format (text, label ids, id)."""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from apps.scoring import pipeline
from apps.scoring.engines.base import Engine


@dataclass(frozen=True)
class LabelledRow:
    text: str
    labels: frozenset[str]
    row_id: str


def read_labels(path: str | Path) -> list[str]:
    """One label name per line (blank lines ignored)."""
    names = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not names:
        raise ValueError(f"{path}: no labels found")
    return names


def read_tsv(path: str | Path, label_names: list[str]) -> list[LabelledRow]:
    """Rows of ``text<TAB>ids<TAB>id``; ids are comma-separated indices into ``label_names``."""
    rows = []
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8", newline="") as handle:
        for number, cols in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not cols or cols == [""]:
                continue
            if len(cols) < 2:
                raise ValueError(f"{path}:{number}: expected text and label ids separated by a tab")
            try:
                ids = [int(x) for x in cols[1].split(",") if x.strip()]
                labels = frozenset(label_names[i] for i in ids)
            except (ValueError, IndexError) as exc:
                raise ValueError(f"{path}:{number}: bad label ids {cols[1]!r} ({exc})") from exc
            rows.append(LabelledRow(cols[0], labels, cols[2] if len(cols) > 2 else str(number)))
    if not rows:
        raise ValueError(f"{path}: no rows")
    return rows


def evaluate(
    engine: Engine,
    rows: list[LabelledRow],
    label_names: list[str],
    *,
    language: str | None = "en",
    batch_size: int = 2000,
) -> dict:
    """Score every row through the product's pipeline and compare with the gold labels.

    Multi-label: a label is predicted when its score reaches the engine's threshold (the top label
    when none does); a row the pipeline cannot score counts as predicting "neutral".
    """
    unknown = set(label_names) - set(engine.labels)
    if unknown:
        raise ValueError(f"labels not emitted by the {engine.name} engine: {', '.join(sorted(unknown))}")
    texts = [r.text for r in rows]
    started = time.perf_counter()
    results = []
    for start in range(0, len(texts), batch_size):
        chunk = texts[start : start + batch_size]
        results.extend(pipeline.score_texts(chunk, engine=engine, languages=[language] * len(chunk)))
    elapsed = time.perf_counter() - started
    tp = dict.fromkeys(label_names, 0)
    fp = dict.fromkeys(label_names, 0)
    fn = dict.fromkeys(label_names, 0)
    top_hits = 0
    unscored = 0
    for row, result in zip(rows, results, strict=True):
        predicted = set(result.labels) if result.is_scored else {"neutral"}
        unscored += 0 if result.is_scored else 1
        top = result.dominant or "neutral"
        top_hits += top in row.labels
        for label in label_names:
            if label in predicted and label in row.labels:
                tp[label] += 1
            elif label in predicted:
                fp[label] += 1
            elif label in row.labels:
                fn[label] += 1
    per_label = {}
    for label in label_names:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp[label] + fn[label],
        }
    return {
        "engine": engine.name,
        "model_version": engine.version,
        "rows": len(rows),
        "unscored_rows": unscored,
        "macro_f1": round(sum(v["f1"] for v in per_label.values()) / len(label_names), 4),
        "top_label_accuracy": round(top_hits / len(rows), 4),
        "per_label": per_label,
        "messages_per_second": round(len(rows) / elapsed, 1) if elapsed else None,
        "seconds": round(elapsed, 3),
    }
