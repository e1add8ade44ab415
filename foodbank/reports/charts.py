"""Simple bar charts as SVG text, drawn from the figures: no JavaScript, no chart library, the same
picture in the web page and in the PDF (WeasyPrint draws inline SVG). Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

# Black, grey and a hatch-like light grey: still tell apart when printed in black and white.
FILLS = ("#1f1f1f", "#8c8c8c", "#d0d0d0")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | Decimal]


TICKS = 5


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5 × 10^n at or above the value: divided in five, the axis
    shows round numbers (40 gives 8, 16, 24 ...; 50 gives 10, 20 ...)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def bar_chart(
    title: str, categories: Sequence[str], series: Sequence[Series], *, stacked: bool = False, width: int = 640
) -> Markup:
    """Grouped (or stacked) vertical bars, one group per category, with a legend and a labelled axis."""
    height, left, right, top, bottom = 260, 56, 12, 34, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    if stacked:
        peak = max((sum(float(s.values[i]) for s in series) for i in range(len(categories))), default=0.0)
    else:
        peak = max((float(v) for s in series for v in s.values), default=0.0)
    ceiling = _nice_ceiling(peak)
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.7 / (1 if stacked else max(len(series), 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" font-size="11" font-family="IPAexGothic, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(TICKS + 1):
        value = ceiling * tick / TICKS
        y = top + plot_h - plot_h * tick / TICKS
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#bbb" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_number(value)}</text>')
    for i, category in enumerate(categories):
        x0 = left + group_w * i + group_w * 0.15
        base: float = top + plot_h
        for j, s in enumerate(series):
            value = float(s.values[i])
            h = plot_h * value / ceiling if ceiling else 0
            x = x0 if stacked else x0 + bar_w * j
            y = base - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{FILLS[j % len(FILLS)]}" stroke="#000" stroke-width="0.4">'
                f"<title>{escape(category)} {escape(s.name)}: {_number(value)}</title></rect>"
            )
            if stacked:
                base = y
        centre = left + group_w * (i + 0.5)
        parts.append(f'<text x="{centre:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{escape(category)}</text>')
    legend_x = left
    for j, s in enumerate(series):
        parts.append(
            f'<rect x="{legend_x}" y="{height - 16}" width="10" height="10" fill="{FILLS[j % len(FILLS)]}" '
            f'stroke="#000" stroke-width="0.4"/>'
        )
        parts.append(f'<text x="{legend_x + 14}" y="{height - 7}">{escape(s.name)}</text>')
        legend_x += 14 + 12 * len(s.name) + 18
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
