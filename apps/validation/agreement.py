"""Inter-annotator agreement: Cohen's kappa for pairs, Krippendorff's alpha (nominal, missing data allowed).

Pure functions over plain values, no database. ``None`` means "undefined": kappa when both annotators used
one and the same category throughout (chance agreement is 1), alpha when there is no variation at all or
no unit with two values.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

from apps.scoring.engines.base import BASE_LABELS


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two annotators' categories for the same items (in the same order)."""
    if len(a) != len(b):
        raise ValueError("both annotators must rate the same items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[c] * cb[c] for c in ca) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha_nominal(units: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data. ``units`` holds, per item, the values the annotators gave
    (``None`` or absent for missing). Units with fewer than two values cannot be paired and are ignored."""
    coincidences: Counter = Counter()
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            coincidences[(values[i], values[j])] += 1.0 / (m - 1)
    totals: Counter = Counter()
    for (c, _k), weight in coincidences.items():
        totals[c] += weight
    n = sum(totals.values())
    if n <= 1:
        return None
    disagreement_observed = sum(w for (c, k), w in coincidences.items() if c != k)
    disagreement_expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if disagreement_expected == 0:
        return None
    return 1.0 - (n - 1) * disagreement_observed / disagreement_expected


def observed_agreement(units: Sequence[Sequence[Hashable | None]]) -> tuple[int, float | None]:
    """(units with at least two values, share of them on which every value is the same)."""
    pairable = [[v for v in unit if v is not None] for unit in units]
    pairable = [u for u in pairable if len(u) >= 2]
    if not pairable:
        return 0, None
    return len(pairable), sum(1 for u in pairable if len(set(u)) == 1) / len(pairable)


def batch_agreement(
    labelled: Mapping[Hashable, Mapping[Hashable, Sequence[str] | None]],
    labels: Sequence[str] = BASE_LABELS,
) -> dict:
    """Agreement of a batch: ``labelled`` maps item → annotator → their labels (primary first), or ``None``
    for a skip (a skip is missing data, not a category).

    Returns {"annotators": [...], "labels": {label: {...}}, "primary": {...}} where each entry has ``n``
    (items at least two annotators labelled), ``observed`` (share of those where all agree), ``alpha`` and
    ``pairs``: [{"a", "b", "n", "observed", "kappa"}] for every annotator pair with items in common.
    Per label the category is the label's presence (binary); "primary" compares first labels.
    """
    annotators = sorted({who for by in labelled.values() for who in by}, key=str)
    items = sorted(labelled, key=str)

    def category(label_list, label):
        if label_list is None:
            return None
        return label_list[0] if label is None else (label in label_list)

    def summary(label: str | None) -> dict:
        units = [[category(labelled[item].get(who), label) for who in annotators] for item in items]
        n, observed = observed_agreement(units)
        pairs = []
        for a, b in itertools.combinations(annotators, 2):
            both = [
                (category(labelled[item][a], label), category(labelled[item][b], label))
                for item in items
                if labelled[item].get(a) is not None and labelled[item].get(b) is not None
            ]
            if not both:
                continue
            xs, ys = zip(*both, strict=True)
            pairs.append(
                {
                    "a": a,
                    "b": b,
                    "n": len(both),
                    "observed": sum(1 for x, y in both if x == y) / len(both),
                    "kappa": cohen_kappa(xs, ys),
                }
            )
        return {"n": n, "observed": observed, "alpha": krippendorff_alpha_nominal(units), "pairs": pairs}

    return {
        "annotators": annotators,
        "labels": {label: summary(label) for label in labels},
        "primary": summary(None),
    }
