"""Template helpers of the validation pages (and the "Wrong emotion?" partial other pages include)."""

from __future__ import annotations

from django import template

from apps.scoring.engines.base import BASE_LABELS

register = template.Library()

EMOTION_NAMES = {
    "anger": "Anger",
    "disgust": "Disgust",
    "fear": "Fear",
    "joy": "Joy",
    "neutral": "Neutral",
    "sadness": "Sadness",
    "surprise": "Surprise",
}


@register.simple_tag
def base_emotions() -> list[tuple[str, str]]:
    """(key, name) of every base emotion, in the engines' order."""
    return [(key, EMOTION_NAMES.get(key, key.title())) for key in BASE_LABELS]


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` in a template (``None`` when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def figure(value, places: int = 3) -> str:
    """A ratio shown with ``places`` decimals, or an em dash when undefined."""
    if value is None:
        return "—"
    return f"{float(value):.{int(places)}f}"
