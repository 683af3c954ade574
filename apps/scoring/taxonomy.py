"""Snapshots of the admin-managed taxonomy and domain lexicon, cached per process.

Scoring reads these for every message, so they are loaded once and kept until a change is seen:
at once in the process that made it (signals), and within ``TAXONOMY_TTL`` seconds elsewhere,
by comparing a cheap fingerprint (row counts and latest update) of the tables.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field

from django.db.models import Count, Max

from apps.scoring.engines.base import Driver

TAXONOMY_TTL = 5.0

# Used when the tables are empty or not migrated yet (evaluate_emotions on a fresh checkout).
DEFAULT_VALENCE = {
    "anger": -0.8,
    "disgust": -0.7,
    "fear": -0.6,
    "joy": 0.9,
    "neutral": 0.0,
    "sadness": -0.7,
    "surprise": 0.1,
}
DEFAULT_AROUSAL = {
    "anger": 0.95,
    "disgust": 0.6,
    "fear": 0.85,
    "joy": 0.65,
    "neutral": 0.0,
    "sadness": 0.5,
    "surprise": 0.7,
}


@dataclass(frozen=True)
class BusinessDefinition:
    """A business emotion as scoring uses it."""

    key: str
    name: str
    outcome: str
    direction: str
    components: dict[str, float]
    cues: tuple[str, ...]
    cue_weight: float


@dataclass(frozen=True)
class DomainEntry:
    term: str
    kind: str
    adjustments: dict[str, float]
    platform: str


@dataclass(frozen=True)
class DomainLexicon:
    """Admin-managed entries, matched in one pass with a single compiled pattern."""

    entries: dict[str, list[DomainEntry]] = field(default_factory=dict)
    pattern: re.Pattern | None = None
    version: str = "none"

    def match(self, lowered: str, platform: str = "") -> tuple[dict[str, float], list[Driver]]:
        """The summed adjustments of every entry found in ``lowered`` (for ``platform``), and their drivers."""
        if self.pattern is None:
            return {}, []
        deltas: dict[str, float] = {}
        drivers: list[Driver] = []
        seen: set[str] = set()
        for found in self.pattern.finditer(lowered):
            term = found.group(0)
            if term in seen:
                continue
            seen.add(term)
            for entry in self.entries.get(term, ()):
                if entry.platform and entry.platform != platform:
                    continue
                for label, delta in entry.adjustments.items():
                    deltas[label] = deltas.get(label, 0.0) + delta
                    drivers.append(Driver(term=entry.term, label=label, weight=delta, source="domain"))
        return deltas, drivers


@dataclass(frozen=True)
class Taxonomy:
    valence: dict[str, float]
    arousal: dict[str, float]
    business: tuple[BusinessDefinition, ...]
    lexicon: DomainLexicon
    #: every business emotion's cue terms in one pattern, so a text is searched once, not once per emotion
    cue_pattern: re.Pattern | None = None


def _phrase_pattern(terms) -> re.Pattern | None:
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return None
    # Word boundaries that also work for phrases starting or ending in punctuation or emoji.
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![\w])")


def _load() -> Taxonomy:
    from apps.scoring.models import BaseEmotion, BusinessEmotion, LexiconEntry

    valence, arousal = dict(DEFAULT_VALENCE), dict(DEFAULT_AROUSAL)
    for base in BaseEmotion.objects.all():
        valence[base.key], arousal[base.key] = base.valence, base.arousal
    business = []
    for be in BusinessEmotion.objects.filter(is_active=True).prefetch_related("components__base_emotion"):
        cues = tuple(be.cues or ())
        business.append(
            BusinessDefinition(
                key=be.key,
                name=be.name,
                outcome=be.outcome,
                direction=be.direction,
                components={c.base_emotion.key: c.weight for c in be.components.all()},
                cues=cues,
                cue_weight=be.cue_weight,
            )
        )
    entries: dict[str, list[DomainEntry]] = {}
    stamps = []
    for row in LexiconEntry.objects.filter(is_active=True).order_by("term", "platform"):
        entries.setdefault(row.term, []).append(
            DomainEntry(term=row.term, kind=row.kind, adjustments=dict(row.adjustments), platform=row.platform)
        )
        stamps.append(f"{row.pk}:{row.updated.isoformat()}")
    version = hashlib.sha256("|".join(stamps).encode()).hexdigest()[:12] if stamps else "none"
    lexicon = DomainLexicon(entries=entries, pattern=_phrase_pattern(entries), version=version)
    cue_pattern = _phrase_pattern(cue for definition in business for cue in definition.cues)
    return Taxonomy(
        valence=valence, arousal=arousal, business=tuple(business), lexicon=lexicon, cue_pattern=cue_pattern
    )


def _fingerprint() -> tuple:
    from apps.scoring.models import BaseEmotion, BusinessEmotion, BusinessEmotionComponent, LexiconEntry

    return tuple(
        tuple(model.objects.aggregate(n=Count("id"), latest=Max("updated")).values())
        for model in (BaseEmotion, BusinessEmotion, BusinessEmotionComponent, LexiconEntry)
    )


_state: dict = {"taxonomy": None, "fingerprint": None, "checked": 0.0}
_lock = threading.Lock()


def current() -> Taxonomy:
    """The taxonomy and lexicon in force now (reloaded when the tables change)."""
    from django.db import DatabaseError

    now = time.monotonic()
    if _state["taxonomy"] is not None and now - _state["checked"] < TAXONOMY_TTL:
        return _state["taxonomy"]
    with _lock:
        try:
            fingerprint = _fingerprint()
            if _state["taxonomy"] is None or fingerprint != _state["fingerprint"]:
                _state["taxonomy"], _state["fingerprint"] = _load(), fingerprint
        except DatabaseError:
            # Tables not migrated (a bare checkout running evaluate_emotions): defaults, no domain entries.
            _state["taxonomy"] = Taxonomy(DEFAULT_VALENCE, DEFAULT_AROUSAL, (), DomainLexicon())
            _state["fingerprint"] = None
        _state["checked"] = now
        return _state["taxonomy"]


def invalidate() -> None:
    """Forget the snapshot; the next ``current()`` reloads."""
    _state["taxonomy"] = None
    _state["checked"] = 0.0
