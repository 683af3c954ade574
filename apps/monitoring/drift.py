"""Drift of the emotion scores, per ISO week × platform × model version, against a reference window.

- label drift: the shares of the dominant emotion, compared by the population stability index (PSI);
- confidence drift: the confidence distribution in ten bins, PSI as well;
- vocabulary drift: the share of word tokens the linear engine's vocabulary does not know;
- annotated accuracy: the share of gold-labelled messages whose stored dominant emotion is among the gold labels
  (once the validation app provides gold labels).

PSI = Σ (a − e) · ln(a / e) over categories, with a share of 0 replaced by ``EPSILON`` on either side (so an
emotion that appears or vanishes counts heavily, but finitely). The usual reading: below 0.1 stable, 0.1–0.25
worth watching, above 0.25 a real shift.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path

from django.db.models import Count, F, FloatField, Min, Value
from django.db.models.functions import Coalesce, Floor, Least, NullIf
from django.utils import timezone

from apps.monitoring.choices import DriftStatus, ReferenceMode

EPSILON = 1e-4
BINS = 10
MAX_TEXTS = 2000  # messages tokenised per week × platform × version: enough for a rate, bounded in time
_WORD_RE = re.compile(r"\w+")
SCORED = ("scored", "truncated")  # score statuses that carry emotions


def psi(actual: Mapping[str, float], expected: Mapping[str, float], *, epsilon: float = EPSILON) -> float:
    """Population stability index of ``actual`` shares against ``expected`` shares (each summing to 1)."""
    total = 0.0
    for key in set(actual) | set(expected):
        a = max(float(actual.get(key, 0.0)), epsilon)
        e = max(float(expected.get(key, 0.0)), epsilon)
        total += (a - e) * math.log(a / e)
    return total


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    """Counts to shares (empty stays empty)."""
    n = sum(counts.values())
    return {k: v / n for k, v in sorted(counts.items())} if n else {}


def hist_shares(bins: list[int]) -> dict[str, float]:
    total = sum(bins)
    return {str(i): b / total for i, b in enumerate(bins)} if total else {}


def shift_p_value(current: Mapping[str, int], reference: Mapping[str, int]) -> float | None:
    """Chi-square test of homogeneity of two count distributions: how likely a shift this large is from sampling
    noise alone. PSI has no notion of sample size, and a few dozen messages a week move it past 0.25 by chance."""
    from scipy.stats import chi2_contingency

    keys = [k for k in sorted(set(current) | set(reference)) if current.get(k, 0) + reference.get(k, 0) > 0]
    if len(keys) < 2 or not sum(current.values()) or not sum(reference.values()):
        return None
    table = [[current.get(k, 0) for k in keys], [reference.get(k, 0) for k in keys]]
    return float(chi2_contingency(table)[1])


def status_for(value: float | None, n: int, ref_n: int, policy, p_value: float | None = None) -> str:
    """Stable, watch or drift; or why it cannot be said. Drift needs the PSI above the alert level and the shift
    unlikely to be noise (``p_value`` below the policy's ``max_p_value``); a large but unproven PSI is "watch"."""
    if n < policy.min_messages:
        return DriftStatus.INSUFFICIENT
    if ref_n < policy.min_messages or value is None:
        return DriftStatus.NO_REFERENCE
    if value > policy.alert_psi and (p_value is None or p_value < policy.max_p_value):
        return DriftStatus.DRIFT
    if value > policy.watch_psi:
        return DriftStatus.WATCH
    return DriftStatus.OK


# --- vocabulary ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def vocabulary(artifact_dir: str | None = None) -> frozenset[str]:
    """The word unigrams of a linear artifact (the shipped one by default)."""
    from apps.scoring.engines.linear import DEFAULT_ARTIFACT_DIR

    path = Path(artifact_dir) if artifact_dir else DEFAULT_ARTIFACT_DIR
    words = json.loads((path / "vocab.json").read_text(encoding="utf-8"))["word"]
    return frozenset(w for w in words if " " not in w and _WORD_RE.fullmatch(w))


def unknown_terms(texts, vocab: frozenset[str]) -> tuple[int, int]:
    """(unknown word tokens, word tokens) of ``texts``, tokenised exactly as the linear engine does."""
    from apps.scoring.engines.linear import Featurizer, normalize

    featurizer = Featurizer()
    unknown = total = 0
    for text in texts:
        for token in featurizer.tokens(normalize(text or "")):
            if _WORD_RE.fullmatch(token):
                total += 1
                unknown += token not in vocab
    return unknown, total


def artifact_dir_for(model_version: str) -> str | None:
    """The artifact a linear model version was loaded from, when it is not the shipped one."""
    from apps.scoring.models import ScoringModel

    for model in ScoringModel.objects.filter(version=model_version, engine="linear"):
        if model.options.get("artifact_dir"):
            return str(model.options["artifact_dir"])
    return None


# --- the queries --------------------------------------------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def platform_expr():
    """A message's platform: its own when the source mixes platforms, else the source's."""
    return Coalesce(NullIf(F("message__platform"), Value("")), F("message__source__platform"))


def _scored():
    from apps.scoring.models import EmotionScore

    return EmotionScore.objects.filter(status__in=SCORED)


def _aggregate(since: dt.datetime, until: dt.datetime, model_version: str | None = None) -> dict:
    """{(model_version, platform): {"labels": {label: n}, "bins": [n]*10, "n": n}} in two grouped queries."""
    rows = _scored().filter(message_created_at__gte=since, message_created_at__lt=until)
    if model_version is not None:
        rows = rows.filter(model_version=model_version)
    rows = rows.annotate(plat=platform_expr())
    out: dict = defaultdict(lambda: {"labels": {}, "bins": [0] * BINS, "n": 0})
    for row in rows.values("model_version", "plat", "dominant").annotate(n=Count("id")).order_by():
        slot = out[(row["model_version"], row["plat"] or "other")]
        label = row["dominant"] or "none"
        slot["labels"][label] = slot["labels"].get(label, 0) + row["n"]
        slot["n"] += row["n"]
    binned = (
        rows.filter(confidence__isnull=False)
        .annotate(
            bin=Least(Floor(F("confidence") * Value(float(BINS))), Value(float(BINS - 1)), output_field=FloatField())
        )
        .values("model_version", "plat", "bin")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in binned:
        slot = out[(row["model_version"], row["plat"] or "other")]
        slot["bins"][min(max(int(row["bin"]), 0), BINS - 1)] += row["n"]
    return dict(out)


def _texts(since, until, model_version: str, platform: str) -> list[str]:
    rows = (
        _scored()
        .filter(message_created_at__gte=since, message_created_at__lt=until, model_version=model_version)
        .annotate(plat=platform_expr())
        .filter(plat=platform)
        .order_by("message_id")
        .values_list("message__text", flat=True)[:MAX_TEXTS]
    )
    return [t for t in rows if t]


def reference_window(model_version: str, policy) -> tuple[dt.date, dt.date] | None:
    """[start, end) of the reference window for this model version, or None before it has scored anything."""
    if policy.reference_mode == ReferenceMode.FIXED and policy.reference_start and policy.reference_end:
        return policy.reference_start, policy.reference_end + dt.timedelta(days=1)
    first = _scored().filter(model_version=model_version).aggregate(first=Min("message_created_at"))["first"]
    if first is None:
        return None
    day = timezone.localtime(first).date()
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(weeks=policy.reference_weeks)


def gold_labels_by_message() -> dict[int, set[str]] | None:
    """Gold labels from the validation app, or None while it provides none (its selector is not there yet)."""
    try:
        from apps.validation.selectors import gold_labels
    except ImportError:
        return None
    return {item.message_id: set(item.labels) for item in gold_labels()}


def _gold_accuracy(since, until, model_version: str, platform: str, gold: dict[int, set[str]] | None):
    if not gold:
        return 0, None
    rows = (
        _scored()
        .filter(
            message_created_at__gte=since,
            message_created_at__lt=until,
            model_version=model_version,
            message_id__in=list(gold),
        )
        .annotate(plat=platform_expr())
        .filter(plat=platform)
        .values_list("message_id", "dominant")
    )
    hits = [dominant in gold[message_id] for message_id, dominant in rows]
    return len(hits), (sum(hits) / len(hits) if hits else None)


def week_reports(*, week_start: dt.date, policy) -> Iterator[dict]:
    """The drift report fields of every (platform, model version) scored in the ISO week starting ``week_start``."""
    since, until = _start_of(week_start), _start_of(week_start + dt.timedelta(days=7))
    current = _aggregate(since, until)
    gold = gold_labels_by_message()
    references: dict[str, tuple] = {}
    for (version, platform), slot in sorted(current.items()):
        if version not in references:
            window = reference_window(version, policy)
            agg = _aggregate(_start_of(window[0]), _start_of(window[1]), version) if window else {}
            references[version] = (window, agg)
        window, ref_agg = references[version]
        ref = ref_agg.get((version, platform), {"labels": {}, "bins": [0] * BINS, "n": 0})
        label_shares, ref_shares = shares(slot["labels"]), shares(ref["labels"])
        conf, ref_conf = hist_shares(slot["bins"]), hist_shares(ref["bins"])
        psi_labels = psi(label_shares, ref_shares) if label_shares and ref_shares else None
        psi_conf = psi(conf, ref_conf) if conf and ref_conf else None
        worst = max((v for v in (psi_labels, psi_conf) if v is not None), default=None)
        p_labels = shift_p_value(slot["labels"], ref["labels"])
        p_conf = shift_p_value(
            {str(i): v for i, v in enumerate(slot["bins"])}, {str(i): v for i, v in enumerate(ref["bins"])}
        )
        # the p-value of the distribution(s) past the alert level: drift when any of them is a proven shift
        alarming = [
            p for v, p in ((psi_labels, p_labels), (psi_conf, p_conf)) if v is not None and v > policy.alert_psi
        ]
        p_value = min((p for p in alarming if p is not None), default=None) if alarming else None
        vocab = vocabulary(artifact_dir_for(version))
        unknown, tokens = unknown_terms(_texts(since, until, version, platform), vocab)
        ref_unknown, ref_tokens = (
            unknown_terms(_texts(_start_of(window[0]), _start_of(window[1]), version, platform), vocab)
            if window
            else (0, 0)
        )
        gold_n, gold_accuracy = _gold_accuracy(since, until, version, platform, gold)
        yield {
            "platform": platform,
            "model_version": version,
            "n_messages": slot["n"],
            "label_shares": {k: round(v, 6) for k, v in label_shares.items()},
            "confidence_hist": [round(conf.get(str(i), 0.0), 6) for i in range(BINS)],
            "reference": {
                "start": window[0].isoformat() if window else None,
                "end": (window[1] - dt.timedelta(days=1)).isoformat() if window else None,
                "n": ref["n"],
                "label_shares": {k: round(v, 6) for k, v in ref_shares.items()},
                "confidence_hist": [round(ref_conf.get(str(i), 0.0), 6) for i in range(BINS)],
                "unknown_term_rate": round(ref_unknown / ref_tokens, 6) if ref_tokens else None,
            },
            "psi_labels": round(psi_labels, 6) if psi_labels is not None else None,
            "psi_confidence": round(psi_conf, 6) if psi_conf is not None else None,
            "psi": round(worst, 6) if worst is not None else None,
            "p_labels": round(p_labels, 6) if p_labels is not None else None,
            "p_confidence": round(p_conf, 6) if p_conf is not None else None,
            "status": status_for(worst, slot["n"], ref["n"], policy, p_value),
            "unknown_term_rate": round(unknown / tokens, 6) if tokens else None,
            "tokens": tokens,
            "gold_n": gold_n,
            "gold_accuracy": round(gold_accuracy, 6) if gold_accuracy is not None else None,
        }
