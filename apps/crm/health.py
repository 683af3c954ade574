"""Emotional health: one 0–100 figure per account and window, computed the same way in SQL and in Python.

health = 100 × (0.6 × (mean valence + 1) / 2 + 0.4 × (1 − negative share))

Mean valence (−1..1) says how customers feel on average; the negative share says how many of them wrote
something clearly negative (valence at or below ``NEGATIVE_VALENCE``), so a few furious messages in an
otherwise calm month still pull it down. 100 is every message warm, 0 every message hostile; an account
with no scored customer message in the window has no health (shown as "—").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

#: A message at or below this valence counts as negative, at or above POSITIVE_VALENCE as positive.
NEGATIVE_VALENCE = -0.2
POSITIVE_VALENCE = 0.2
VALENCE_WEIGHT = 0.6
NEGATIVE_WEIGHT = 0.4
#: The window "current" state is measured over, and the two halves a trend compares (days).
CURRENT_DAYS = 30
TREND_DAYS = 14
TIMELINE_DAYS = 90
#: Health below this, or falling by at least AT_RISK_DROP points, marks an account at risk.
AT_RISK_HEALTH = 45
AT_RISK_DROP = 15
#: A trend smaller than this (points) is shown as steady.
STEADY_DELTA = 3

LEGEND = _(
    "Emotional health, 0–100: 60 % from the average valence of customers' messages (−1 hostile … +1 warm) "
    "and 40 % from the share that is not negative (valence ≤ −0.2), over the last 30 days. "
    "Trend: the last 14 days against the 14 before. At risk: health below 45, or down 15 points or more."
)


def health_of(n: int, valence_sum: float, negative: int) -> int | None:
    """The health of ``n`` messages with these sums (None without messages)."""
    if not n:
        return None
    mean = valence_sum / n
    return round(100 * (VALENCE_WEIGHT * (mean + 1) / 2 + NEGATIVE_WEIGHT * (1 - negative / n)))


@dataclass(frozen=True)
class Trend:
    """Health now against health before: ``direction`` is up, down, steady or unknown."""

    current: int | None
    previous: int | None

    @property
    def delta(self) -> int | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def direction(self) -> str:
        delta = self.delta
        if delta is None:
            return "unknown"
        if abs(delta) < STEADY_DELTA:
            return "steady"
        return "up" if delta > 0 else "down"

    @property
    def arrow(self) -> str:
        return {"up": "▲", "down": "▼", "steady": "▶", "unknown": "—"}[self.direction]


def is_at_risk(health: int | None, trend: Trend) -> bool:
    """Low health, or a steep fall."""
    if health is not None and health < AT_RISK_HEALTH:
        return True
    return trend.delta is not None and trend.delta <= -AT_RISK_DROP
