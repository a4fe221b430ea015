"""A log-log line chart as SVG text, written by hand: no plotting library to install.

``loglog(series, x_label, y_label)`` draws each series (its name, colour, dashed or not and
its points) on logarithmic axes with a tick at every power of ten in range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 760, 460
LEFT, RIGHT, TOP, BOTTOM = 70, 250, 30, 50


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: Sequence[tuple[float, float]]
    dashed: bool = False


def loglog(series: Sequence[Series], x_label: str, y_label: str, title: str) -> str:
    xs = [x for s in series for x, _ in s.points if x > 0]
    ys = [y for s in series for _, y in s.points if y > 0]
    x_low, x_high = _decades(xs)
    y_low, y_high = _decades(ys)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + plot_w * (math.log10(x) - x_low) / (x_high - x_low)

    def py(y: float) -> float:
        return TOP + plot_h * (1 - (math.log10(y) - y_low) / (y_high - y_low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for decade in range(x_low, x_high + 1):
        x = px(10.0**decade)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">'
            f"{_power(decade)}</text>"
        )
    for decade in range(y_low, y_high + 1):
        y = py(10.0**decade)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_power(decade)}</text>'
        )
    parts.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>'
    )
    parts.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 12}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    parts.append(
        f'<text transform="translate(16 {TOP + plot_h / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    for n, s in enumerate(series):
        points = [(px(x), py(y)) for x, y in s.points if x > 0 and y > 0]
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2"{dash}/>'
        )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{s.colour}"/>' for x, y in points]
        key_y = TOP + 10 + 18 * n
        key_x = LEFT + plot_w + 14
        parts.append(
            f'<line x1="{key_x}" y1="{key_y}" x2="{key_x + 24}" y2="{key_y}" '
            f'stroke="{s.colour}" stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{key_x + 30}" y="{key_y + 4}">{escape(s.name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _decades(values: Sequence[float]) -> tuple[int, int]:
    if not values:
        return 0, 1
    low = math.floor(math.log10(min(values)))
    high = math.ceil(math.log10(max(values)))
    return low, max(high, low + 1)


def _power(decade: int) -> str:
    value = 10.0**decade
    if 0 <= decade <= 6:
        return f"{value:,.0f}"
    if -3 <= decade < 0:
        return f"{value:g}"
    return f"1e{decade}"
