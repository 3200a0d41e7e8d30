"""Small server-rendered SVG charts of the needs app (no JavaScript, every text escaped by :mod:`qmss.core.svg`).

- :func:`indicator_chart`: one indicator's pooled values across the region's rounds (a line with markers; the
  value is written above each marker, so the chart needs no colour to be read). The page shows the same
  figures in a table under the chart.
- :func:`peer_strip`: an outlier's peer group as a strip: every peer a grey tick, the median a dashed line, the
  service itself a larger dark diamond with its value – the position, not the colour, carries the meaning.

Sizes come from ``viewBox`` and the ``needs-chart`` CSS class (no inline style: CSP).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from itertools import count

from django.utils.safestring import SafeString

from qmss.core import svg
from qmss.core.formatting import format_number

LINE = "#2362a2"
TEXT = "#262626"
MUTED = "#595959"
GRID = "#d9d9d9"
_ids = count(1)


def _nice_max(value: float) -> float:
    """A round upper bound of the axis (1, 2, 2.5, 5 × 10ⁿ) at or above ``value``."""
    if value <= 0:
        return 1.0
    base = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * base >= value:
            return step * base
    return 10 * base


def indicator_chart(
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    *,
    title: str,
    description: str,
    decimals: int = 1,
    unit: str = "",
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """A line chart of one series: ``labels`` under the x axis (rounds), ``values`` (None = no value, a gap)."""
    if not labels or all(v is None for v in values):
        return svg.empty()
    uid = next(_ids)
    title_id, desc_id = f"needs-chart-title-{uid}", f"needs-chart-desc-{uid}"
    left, right, top, bottom = 64, 24, 36, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [float(v) for v in values if v is not None]
    low = min(0.0, min(known))
    high = _nice_max(max(known) * 1.15) if max(known) > 0 else 1.0  # room for the value labels
    span = high - low or 1.0
    n = len(labels)

    inset = 20  # the first and last points stay clear of the axis labels

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else inset + (plot_w - 2 * inset) * i / (n - 1))

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - low) / span)

    parts = [svg.title(title, id=title_id), svg.desc(description, id=desc_id)]
    for step in range(5):
        tick = low + span * step / 4
        y = y_of(tick)
        parts.append(svg.line(left, y, left + plot_w, y, stroke=GRID, stroke_width=1))
        label = format_number(round(tick, 6))  # as many places as the tick needs (0,05; 2,5; 250)
        parts.append(svg.text(left - 6, y + 4, label, text_anchor="end", font_size=11, fill=MUTED))
    parts.append(svg.line(left, top + plot_h, left + plot_w, top + plot_h, stroke=MUTED))
    if low < 0:
        parts.append(svg.line(left, y_of(0), left + plot_w, y_of(0), stroke=MUTED))
    if unit:
        parts.append(svg.text(8, 14, unit, font_size=11, fill=MUTED))
    every = max(1, (n + 7) // 8)  # at most ~8 labels on the axis
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            parts.append(svg.text(x_of(i), top + plot_h + 18, label, text_anchor="middle", font_size=11, fill=MUTED))
    segment: list[tuple[float, float]] = []
    for i, value in enumerate(values):
        if value is None:
            if len(segment) > 1:
                parts.append(svg.polyline(segment, fill="none", stroke=LINE, stroke_width=2.5))
            segment = []
            continue
        segment.append((x_of(i), y_of(float(value))))
    if len(segment) > 1:
        parts.append(svg.polyline(segment, fill="none", stroke=LINE, stroke_width=2.5))
    for i, value in enumerate(values):
        if value is None:
            continue
        x, y = x_of(i), y_of(float(value))
        parts.append(svg.circle(x, y, 4, fill=LINE))
        if n <= 12:
            parts.append(
                svg.text(x, y - 8, format_number(value, decimals), text_anchor="middle", font_size=11, fill=TEXT)
            )
    return svg.svg(
        *parts,
        xmlns=svg.SVG_NS,
        class_="needs-chart",
        viewBox=f"0 0 {width} {height}",
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
    )


def peer_strip(
    peers: Sequence[Decimal],
    value: Decimal,
    median: Decimal,
    *,
    title: str,
    description: str,
    width: int = 360,
    height: int = 64,
) -> SafeString:
    """The peer distribution of an outlier: ticks for the peers, a dashed median, a diamond for the service."""
    if not peers:
        return svg.empty()
    uid = next(_ids)
    title_id, desc_id = f"needs-strip-title-{uid}", f"needs-strip-desc-{uid}"
    left, right, mid_y = 12, 12, 30
    low, high = float(min(peers)), float(max(peers))
    span = (high - low) or 1.0

    def x_of(v: float) -> float:
        return left + (width - left - right) * (v - low) / span

    parts = [svg.title(title, id=title_id), svg.desc(description, id=desc_id)]
    parts.append(svg.line(left, mid_y, width - right, mid_y, stroke=GRID, stroke_width=1))
    for peer in peers:
        x = x_of(float(peer))
        parts.append(svg.line(x, mid_y - 8, x, mid_y + 8, stroke=MUTED, stroke_width=1.5))
    xm = x_of(float(median))
    parts.append(svg.line(xm, mid_y - 14, xm, mid_y + 14, stroke=TEXT, stroke_width=1.5, stroke_dasharray="3 2"))
    xs = x_of(float(value))
    parts.append(svg.polygon([(xs, mid_y - 9), (xs + 7, mid_y), (xs, mid_y + 9), (xs - 7, mid_y)], fill=LINE))
    parts.append(svg.text(left, height - 6, format_number(low), font_size=10, fill=MUTED))
    parts.append(svg.text(width - right, height - 6, format_number(high), font_size=10, fill=MUTED, text_anchor="end"))
    return svg.svg(
        *parts,
        xmlns=svg.SVG_NS,
        class_="needs-strip",
        viewBox=f"0 0 {width} {height}",
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
    )
