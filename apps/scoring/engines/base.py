"""The one interface every scoring engine implements.

Engines are plain Python: no Django models, no database. They take already-cleaned text
(see ``apps.scoring.textprep``) and return per-label scores for the base emotions plus the
features that drove them. Everything business-facing (domain lexicon adjustments, business
emotions, valence/intensity, storage) happens around them in ``apps.scoring.services``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

#: The base emotions every engine emits: Ekman's six plus neutral (GoEmotions-Ekman order).
BASE_LABELS: tuple[str, ...] = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")


class EngineUnavailable(Exception):
    """The engine cannot run here: its model files or its libraries are missing or unreadable."""


@dataclass(frozen=True)
class Driver:
    """One term or feature that pushed a label up (positive weight) or down (negative)."""

    term: str
    label: str
    weight: float
    source: str = "model"  # "model", "lexicon", "domain"

    def as_dict(self) -> dict:
        return {"term": self.term, "label": self.label, "weight": round(self.weight, 4), "source": self.source}


@dataclass
class EngineOutput:
    """An engine's answer for one text.

    ``scores`` holds every label in ``BASE_LABELS``, each an independent probability in 0..1
    (multi-label: they need not sum to one). ``valence`` is the engine's own estimate in -1..1
    when it has one (lexicon engines do); otherwise the caller derives it from the scores.
    """

    scores: dict[str, float]
    drivers: list[Driver] = field(default_factory=list)
    valence: float | None = None


class Engine(ABC):
    """A scoring engine. Subclasses set ``name`` and implement ``version`` and ``score_batch``."""

    name: str = ""
    labels: tuple[str, ...] = BASE_LABELS
    #: languages (ISO 639-1) the engine can score; text in any other is marked unsupported.
    languages: frozenset[str] = frozenset({"en"})

    @property
    @abstractmethod
    def version(self) -> str:
        """A stable identifier of the exact model (changes whenever its outputs could change)."""

    @property
    def thresholds(self) -> dict[str, float]:
        """Per-label decision thresholds for multi-label predictions (tuned where the engine can)."""
        return dict.fromkeys(self.labels, 0.5)

    @abstractmethod
    def score_batch(self, texts: Sequence[str]) -> list[EngineOutput]:
        """Score many texts at once; the answer has one ``EngineOutput`` per text, in order."""

    def score(self, text: str) -> EngineOutput:
        return self.score_batch([text])[0]

    def predict_labels(self, scores: dict[str, float]) -> list[str]:
        """Labels at or above their threshold; the top label when none is (never empty)."""
        picked = [label for label in self.labels if scores.get(label, 0.0) >= self.thresholds[label]]
        return picked or [max(self.labels, key=lambda label: scores.get(label, 0.0))]
