"""Small server-rendered SVG charts (no JavaScript). Series differ in colour AND in line dash and marker shape,
so they can be told apart without colour; every chart has a title, a description and a data-table fallback
in the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import count

from django.utils.safestring import SafeString

from qmss.core import svg
from qmss.core.formatting import format_date

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


def _marker(shape: str, x: float, y: float, colour: str) -> svg.Fragment:
    if shape == "square":
        return svg.rect(x - 4, y - 4, 8, 8, fill=colour)
    if shape == "triangle":
        return svg.polygon([(x, y - 5), (x - 5, y + 4), (x + 5, y + 4)], fill=colour)
    if shape == "diamond":
        return svg.polygon([(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)], fill=colour)
    return svg.circle(x, y, 4, fill=colour)


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

    parts = [svg.title(title, id=title_id), svg.desc(description, id=desc_id)]
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick / 100)
        parts.append(svg.line(left, y, left + plot_w, y, stroke="#d9d9d9", stroke_width=1))
        parts.append(svg.text(left - 6, y + 4, f"{tick}\u00a0%", text_anchor="end", font_size=11, fill="#404040"))
    parts.append(svg.line(left, top, left, top + plot_h, stroke="#595959", stroke_width=1))
    parts.append(svg.line(left, top + plot_h, left + plot_w, top + plot_h, stroke="#595959"))
    ticks = [(days[0], "middle" if not span else "start")] + ([(days[-1], "end")] if span else []) if days else []
    for day, anchor in ticks:
        label = format_date(day)
        parts.append(svg.text(x_of(day), top + plot_h + 16, label, text_anchor=anchor, font_size=11, fill="#404040"))
    legend_y = height - 18
    legend_x = left
    for index, item in enumerate(series):
        colour, dash, shape = STYLES[index % len(STYLES)]
        points = sorted(item.points)
        if len(points) > 1:
            coords = [(x_of(d), y_of(s)) for d, s in points]
            parts.append(
                svg.polyline(coords, fill="none", stroke=colour, stroke_width=2.5, stroke_dasharray=dash or None)
            )
        parts.extend(_marker(shape, x_of(d), y_of(s), colour) for d, s in points)
        parts.append(
            svg.line(
                legend_x, legend_y, legend_x + 28, legend_y, stroke=colour, stroke_width=2.5,
                stroke_dasharray=dash or None,
            )
        )  # fmt: skip
        parts.append(_marker(shape, legend_x + 14, legend_y, colour))
        parts.append(svg.text(legend_x + 34, legend_y + 4, item.label, font_size=12, fill="#262626"))
        legend_x += 40 + 7 * len(item.label)
    return svg.svg(
        *parts,
        xmlns=svg.SVG_NS,
        class_="chart",
        viewBox=f"0 0 {width} {height}",
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        width="100%",
        style=f"max-width:{width}px",
    )
