"""Small display helpers for the monitoring pages."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()

FEATURES = {
    "mean_valence": "Mean valence",
    "negative_share": "Share of negative messages",
    "volume": "Message volume",
}


@register.filter
def feature_label(name: str) -> str:
    """``share:disappointment`` → "Share of disappointment"."""
    if name.startswith("share:"):
        return _("Share of %(e)s") % {"e": name.split(":", 1)[1]}
    return _(FEATURES.get(name, name))


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.1234 → "12.3%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def num(value, digits: int = 2) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(digits)}f}"


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def bar(value, scale: int = 200) -> int:
    """A share as a bar width in pixels."""
    return round(float(value or 0) * int(scale))
