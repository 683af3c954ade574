"""The account's emotion timeline as SVG geometry: computed here, drawn by ``templates/crm/_timeline.html``.

Server-rendered (no JavaScript, no chart library): stacked daily volume bars (negative, neutral, positive
messages, right axis) under a line of the daily mean valence (−1..+1, left axis). Days without messages
break the line instead of pretending to know.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 900, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 52, 16, 44


@dataclass
class TimelineChart:
    """Everything the template draws, in SVG user units."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = WIDTH - LEFT - RIGHT
    plot_height: int = HEIGHT - TOP - BOTTOM
    bars: list[dict] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    valence_ticks: list[dict] = field(default_factory=list)
    volume_ticks: list[dict] = field(default_factory=list)
    day_ticks: list[dict] = field(default_factory=list)
    zero_y: float = 0.0
    max_volume: int = 0
    total: int = 0

    @property
    def right(self) -> int:
        return self.left + self.plot_width

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def mid_y(self) -> float:
        return self.top + self.plot_height / 2

    # The marks as ready SVG: built here because hundreds of template-rendered numbers would each be localised
    # (the slowest part of the page); coordinates are plain SVG numbers, never locale-formatted.
    @property
    def bars_svg(self) -> SafeString:
        return format_html_join(
            "",
            '<rect class="crm-{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
            ((b["css"], b["x"], b["y"], b["w"], b["h"], b["title"]) for b in self.bars),
        )

    @property
    def lines_svg(self) -> SafeString:
        return format_html_join("", '<polyline points="{}"/>', ((line,) for line in self.lines))

    @property
    def points_svg(self) -> SafeString:
        return format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="3"><title>{}</title></circle>',
            ((p["x"], p["y"], p["title"]) for p in self.points),
        )

    @property
    def axes_svg(self) -> SafeString:
        grid = format_html_join(
            "",
            '<line class="crm-grid-line" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            ((self.left, self.right, t["y"], t["y"]) for t in self.valence_ticks),
        )
        left = format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
            ((self.left - 6, t["y"], t["label"]) for t in self.valence_ticks),
        )
        right = format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="start" dominant-baseline="middle">{}</text>',
            ((self.right + 6, t["y"], t["label"]) for t in self.volume_ticks),
        )
        days = format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle">{}</text>',
            ((t["x"], self.bottom + 16, t["label"]) for t in self.day_ticks),
        )
        frame = format_html(
            '<line class="crm-zero" x1="{l}" x2="{r}" y1="{z}" y2="{z}"/>'
            '<line x1="{l}" x2="{l}" y1="{t}" y2="{b}"/><line x1="{r}" x2="{r}" y1="{t}" y2="{b}"/>'
            '<line x1="{l}" x2="{r}" y1="{b}" y2="{b}"/>',
            l=self.left,
            r=self.right,
            t=self.top,
            b=self.bottom,
            z=self.zero_y,
        )
        return grid + frame + left + right + days


def _nice_max(value: int) -> int:
    for step in (4, 8, 12, 20, 40, 60, 100, 200, 400, 600, 1000, 2000, 4000, 10000):
        if value <= step:
            return step
    return int(value * 1.1) + 1


def timeline_chart(days: list[dict]) -> TimelineChart:
    """Geometry for ``days`` (one dict per day: day, n, negative, neutral, positive, valence)."""
    chart = TimelineChart()
    if not days:
        return chart
    slot = chart.plot_width / len(days)
    bar_w = max(1.0, slot * 0.72)
    chart.max_volume = _nice_max(max((d["n"] for d in days), default=0) or 1)
    chart.total = sum(d["n"] for d in days)

    def y_valence(v: float) -> float:
        return round(chart.top + (1 - (v + 1) / 2) * chart.plot_height, 2)

    def y_volume(n: float) -> float:
        return chart.plot_height * n / chart.max_volume

    chart.zero_y = y_valence(0)
    parts = {"negative": _("negative"), "neutral": _("neutral"), "positive": _("positive")}
    bar_title = _("%(day)s: %(count)s %(part)s")
    point_title = _("%(day)s: mean valence %(valence)+.2f over %(n)s messages")
    segment: list[str] = []
    for i, d in enumerate(days):
        x = chart.left + i * slot + (slot - bar_w) / 2
        cx = round(chart.left + i * slot + slot / 2, 2)
        label = date_format(d["day"], "D j M")
        base = chart.bottom
        for part, css in (("negative", "neg"), ("neutral", "neu"), ("positive", "pos")):
            count = d[part]
            if not count:
                continue
            h = y_volume(count)
            base -= h
            chart.bars.append(
                {
                    "x": round(x, 2),
                    "y": round(base, 2),
                    "w": round(bar_w, 2),
                    "h": round(h, 2),
                    "css": css,
                    "title": bar_title % {"day": label, "count": count, "part": parts[part]},
                }
            )
        if d["valence"] is None:
            if len(segment) > 1:
                chart.lines.append(" ".join(segment))
            segment = []
            continue
        y = y_valence(d["valence"])
        segment.append(f"{cx},{y}")
        chart.points.append(
            {
                "x": cx,
                "y": y,
                "title": point_title % {"day": label, "valence": d["valence"], "n": d["n"]},
            }
        )
    if len(segment) > 1:
        chart.lines.append(" ".join(segment))
    chart.valence_ticks = [{"y": y_valence(v), "label": f"{v:+.1f}" if v else "0"} for v in (-1, -0.5, 0, 0.5, 1)]
    chart.volume_ticks = [
        {"y": round(chart.bottom - y_volume(n), 2), "label": str(n)}
        for n in (0, chart.max_volume // 2, chart.max_volume)
    ]
    step = max(1, len(days) // 6)
    chart.day_ticks = [
        {"x": round(chart.left + i * slot + slot / 2, 2), "label": date_format(days[i]["day"], "j M")}
        for i in range(len(days) - 1, -1, -step)
    ][::-1]
    return chart
