"""Which messages are sensitive: hardship, health or bereavement cues, or very high-intensity distress.

Sensitive messages get stricter retention (apps.retention) and are never used for commercial purposes.
"""

from __future__ import annotations

import re

_CUES = {
    "hardship": (
        "can't afford",
        "cannot afford",
        "lost my job",
        "laid off",
        "bankrupt",
        "in debt",
        "debt collector",
        "evicted",
        "eviction",
        "behind on rent",
        "food bank",
        "payday loan",
    ),
    "health": (
        "cancer",
        "chemo",
        "diagnosed",
        "hospital",
        "surgery",
        "disability",
        "mental health",
        "depression",
        "anxiety attack",
        "panic attack",
        "therapy",
        "terminal",
        "icu",
    ),
    "bereavement": ("passed away", "funeral", "bereavement", "my late", "died", "death in the family", "widow"),
    "self-harm": ("suicide", "suicidal", "kill myself", "self-harm", "self harm", "end my life"),
}
_PATTERN = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(c) for cues in _CUES.values() for c in sorted(cues, key=len, reverse=True))
    + r")(?!\w)"
)
_KIND = {cue: kind for kind, cues in _CUES.items() for cue in cues}
DISTRESS_INTENSITY = 0.85
DISTRESS_VALENCE = -0.5


def classify(lowered_text: str, *, valence: float | None, intensity: float | None, dominant: str) -> str:
    """The reason a message is sensitive, or "" when it is not."""
    found = _PATTERN.search(lowered_text)
    if found:
        return f"{_KIND[found.group(1)]} cue: “{found.group(1)}”"
    if (
        intensity is not None
        and valence is not None
        and intensity >= DISTRESS_INTENSITY
        and valence <= DISTRESS_VALENCE
        and dominant in ("fear", "sadness")
    ):
        return f"high-intensity distress ({dominant}, intensity {intensity:.2f})"
    return ""
