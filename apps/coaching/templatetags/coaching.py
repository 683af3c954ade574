"""Template filters for the coaching pages: shares as percentages, valences with their sign."""

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.667 → "67%"; None (nothing to divide) → "—"."""
    return "—" if value is None else f"{round(value * 100)}%"


@register.filter
def signed(value, digits: int = 2) -> str:
    """-0.8 → "-0.80", 0.5 → "+0.50"; None → "—"."""
    if value is None:
        return "—"
    value = round(value, int(digits)) or 0.0  # no "-0.00"
    return f"{value:+.{int(digits)}f}"


@register.filter
def explanation(explanations: dict, key: str) -> dict:
    """The explanation of one figure (``metrics.EXPLANATIONS[key]``)."""
    return explanations.get(key, {})
