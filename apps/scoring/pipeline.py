"""From raw text to an explained emotion result: clean, score, adjust with the domain lexicon, derive.

No storage here: ``services`` stores results for messages; the ``/score`` endpoint and
``evaluate_emotions`` use these results directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from apps.scoring import sensitivity
from apps.scoring import taxonomy as taxonomy_module
from apps.scoring.engines.base import Driver, Engine
from apps.scoring.textprep import prepare

MAX_DRIVERS = 8
BUSINESS_FLOOR = 0.25  # below this a business emotion is not called dominant


@dataclass
class ScoreResult:
    """One text's emotion, or the reason it has none."""

    status: str  # scored, truncated, unscorable, unsupported_language
    engine: str
    model_version: str
    reason: str = ""
    language: str = ""
    flags: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    business_scores: dict[str, float] = field(default_factory=dict)
    dominant: str = ""
    dominant_business: str = ""
    valence: float | None = None
    intensity: float | None = None
    confidence: float | None = None
    drivers: list[dict] = field(default_factory=list)
    domain_terms: list[str] = field(default_factory=list)
    lexicon_version: str = "none"
    sensitivity_reason: str = ""

    @property
    def is_scored(self) -> bool:
        return self.status in ("scored", "truncated")

    def explanation(self) -> dict:
        return {
            "drivers": self.drivers,
            "domain_terms": self.domain_terms,
            "labels": self.labels,
            "flags": list(self.flags),
            "reason": self.reason,
            "language": self.language,
            "lexicon_version": self.lexicon_version,
        }

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "reason": self.reason,
            "engine": self.engine,
            "model_version": self.model_version,
            "language": self.language,
            "flags": list(self.flags),
            "scores": self.scores,
            "labels": self.labels,
            "business_scores": self.business_scores,
            "dominant": self.dominant,
            "dominant_business": self.dominant_business,
            "valence": self.valence,
            "intensity": self.intensity,
            "confidence": self.confidence,
            "drivers": self.drivers,
            "domain_terms": self.domain_terms,
            "sensitive": bool(self.sensitivity_reason),
        }


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def derive(scores: dict[str, float], tax: taxonomy_module.Taxonomy) -> tuple[float, float, float]:
    """Valence (-1..1), intensity (0..1) and confidence (0..1) from base-emotion scores.

    - valence: the score-weighted mean of each emotion's valence weight (neutral weighs 0, so a
      mostly neutral text sits near 0);
    - intensity: the strongest non-neutral emotion, scaled by its arousal weight;
    - confidence: how high the top score is and how clearly it beats the runner-up.
    """
    total = sum(scores.values()) or 1.0
    valence = sum(tax.valence.get(label, 0.0) * s for label, s in scores.items()) / total
    intensity = max((s * tax.arousal.get(label, 0.0) for label, s in scores.items() if label != "neutral"), default=0.0)
    ranked = [*sorted(scores.values(), reverse=True), 0.0, 0.0]
    confidence = 0.5 * ranked[0] + 0.5 * (ranked[0] - ranked[1])
    return round(_clip(valence, -1.0, 1.0), 4), round(_clip(intensity), 4), round(_clip(confidence), 4)


def business_emotions(scores: dict[str, float], lowered: str, tax: taxonomy_module.Taxonomy) -> tuple[dict, list]:
    """Each business emotion from its base-emotion components plus the cue terms found (three at most count)."""
    found = {m.group(0) for m in tax.cue_pattern.finditer(lowered)} if tax.cue_pattern is not None else set()
    result, drivers = {}, []
    for definition in tax.business:
        value = sum(weight * scores.get(base, 0.0) for base, weight in definition.components.items())
        if found and value > 0.05:
            cues = [c for c in definition.cues if c in found][:3]
            value += definition.cue_weight * len(cues)
            drivers.extend(
                Driver(term=c, label=definition.key, weight=definition.cue_weight, source="cue") for c in cues
            )
        result[definition.key] = round(_clip(value), 4)
    return result, drivers


def score_texts(
    texts: Sequence[str | bytes | None],
    *,
    engine: Engine,
    platforms: Sequence[str] | None = None,
    languages: Sequence[str | None] | None = None,
    tax: taxonomy_module.Taxonomy | None = None,
) -> list[ScoreResult]:
    """Score many texts with ``engine``; one ``ScoreResult`` per text, in order. Never raises on bad text."""
    tax = tax or taxonomy_module.current()
    platforms = platforms or [""] * len(texts)
    languages = languages or [None] * len(texts)
    version = engine.version
    prepared = [
        prepare(text, declared_language=lang or None, supported_languages=engine.languages)
        for text, lang in zip(texts, languages, strict=True)
    ]
    scorable = [i for i, p in enumerate(prepared) if p.status in ("ok", "truncated")]
    outputs = engine.score_batch([prepared[i].text for i in scorable]) if scorable else []
    results: list[ScoreResult] = []
    by_index = dict(zip(scorable, outputs, strict=True))
    for i, prep in enumerate(prepared):
        if i not in by_index:
            results.append(
                ScoreResult(
                    status=prep.status,
                    reason=prep.reason,
                    language=prep.language,
                    flags=prep.flags,
                    engine=engine.name,
                    model_version=version,
                    lexicon_version=tax.lexicon.version,
                )
            )
            continue
        results.append(_finish(by_index[i], prep, platforms[i], engine, version, tax))
    return results


def _finish(output, prep, platform: str, engine: Engine, version: str, tax) -> ScoreResult:
    lowered = prep.text.lower()
    scores = dict(output.scores)
    deltas, domain_drivers = tax.lexicon.match(lowered, platform)
    for label, delta in deltas.items():
        scores[label] = _clip(scores.get(label, 0.0) + delta)
    scores = {label: round(float(scores.get(label, 0.0)), 4) for label in engine.labels}
    valence, intensity, confidence = derive(scores, tax)
    if output.valence is not None and not deltas:
        valence = round(_clip(float(output.valence), -1.0, 1.0), 4)
    business, cue_drivers = business_emotions(scores, lowered, tax)
    dominant_business = max(business, key=business.get, default="")
    if dominant_business and business[dominant_business] < BUSINESS_FLOOR:
        dominant_business = ""
    drivers = [d.as_dict() for d in domain_drivers]
    drivers += [d.as_dict() for d in output.drivers[:MAX_DRIVERS]]
    drivers += [d.as_dict() for d in cue_drivers]
    dominant = max(scores, key=scores.get)
    return ScoreResult(
        status="truncated" if prep.status == "truncated" else "scored",
        reason=prep.reason,
        language=prep.language,
        flags=prep.flags,
        engine=engine.name,
        model_version=version,
        scores=scores,
        labels=engine.predict_labels(scores),
        business_scores=business,
        dominant=dominant,
        dominant_business=dominant_business,
        valence=valence,
        intensity=intensity,
        confidence=confidence,
        drivers=drivers,
        domain_terms=sorted({d.term for d in domain_drivers}),
        lexicon_version=tax.lexicon.version,
        sensitivity_reason=sensitivity.classify(lowered, valence=valence, intensity=intensity, dominant=dominant),
    )
