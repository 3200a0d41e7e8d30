"""Small server-rendered SVG charts (no JavaScript). Series differ in colour AND in line dash and marker shape,
so they can be told apart without colour; every chart has a title, a description and a data-table fallback
in the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import count

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# (colour, dash pattern, marker) per series, in order. Colours have ≥ 3:1 contrast on white.
STYLES = (
    ("#2362a2", "", "circle"),
    ("#b3261e", "8 4", "square"),
    ("#1e6b33", "2 4", "triangle"),
    ("#6b4e00", "12 4 2 4", "diamond"),
)
_ids = count(1)


@dataclass
class Series:
    label: str
    points: list[tuple[date, float]] = field(default_factory=list)  # (day, share 0–1)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" '
            f'fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(
    series: list[Series], *, title: str, description: str = "", width: int = 640, height: int = 260
) -> SafeString:
    """An SVG line chart of shares (0–100 %) over time, one line per series."""
    uid = next(_ids)
    title_id, desc_id = f"chart-title-{uid}", f"chart-desc-{uid}"
    left, right, top, bottom = 48, 16, 16, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    days = sorted({day for s in series for day, _share in s.points})
    first, last = (days[0], days[-1]) if days else (None, None)
    span = (last - first).days if days else 0

    def x_of(day: date) -> float:
        if not span:
            return left + plot_w / 2
        return left + plot_w * (day - first).days / span

    def y_of(share: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, share)))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" width="100%" style="max-width:{width}px">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick / 100)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9d9d9" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#404040">{tick} %</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#595959" stroke-width="1"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#595959"/>'
    )
    ticks = [(days[0], "middle" if not span else "start")] + ([(days[-1], "end")] if span else []) if days else []
    for day, anchor in ticks:
        parts.append(
            f'<text x="{x_of(day):.1f}" y="{top + plot_h + 16}" text-anchor="{anchor}" font-size="11" '
            f'fill="#404040">{escape(date_format(day, "j. n. Y"))}</text>'
        )
    legend_y = height - 18
    legend_x = left
    for index, item in enumerate(series):
        colour, dash, shape = STYLES[index % len(STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = sorted(item.points)
        if len(points) > 1:
            coords = " ".join(f"{x_of(d):.1f},{y_of(s):.1f}" for d, s in points)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        parts.extend(_marker(shape, x_of(d), y_of(s), colour) for d, s in points)
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 28}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>{_marker(shape, legend_x + 14, legend_y, colour)}'
            f'<text x="{legend_x + 34}" y="{legend_y + 4}" font-size="12" fill="#262626">{escape(item.label)}</text>'
        )
        legend_x += 40 + 7 * len(item.label)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 – every text above is escaped
