"""Server-side SVG charts for reports (inline in the PDF: WeasyPrint draws SVG, so no images are needed)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from qmss.assessments.reports.data import StandardRow
from qmss.core import svg
from qmss.core.formatting import format_percent

WIDTH = 640
LABEL_WIDTH = 40
VALUE_WIDTH = 60
ROW_HEIGHT = 16
BAR_HEIGHT = 10
TOP = 22
BOTTOM = 8
FONT = "DejaVu Sans, sans-serif"
COLOUR_BAR = "#2f6690"
COLOUR_FAILED = "#b3261e"
COLOUR_EMPTY = "#9aa5b1"
COLOUR_GRID = "#d5dbe1"
COLOUR_TEXT = "#1f2933"


def share_bar_chart(standards: Sequence[StandardRow], *, title: str | None = None) -> SafeString:
    """A horizontal bar per standard: its share of the attainable points (0–100 %).

    A standard with a failed essential criterion is drawn in red; one with nothing to score shows "–".
    Bars are labelled with the standard's reference only (the table beside the chart has the titles):
    WeasyPrint draws SVG text glyph by glyph, so long labels would cost most of the chart's rendering time.
    """
    title = title if title is not None else _("Share of points per standard")
    bar_area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW_HEIGHT * max(len(standards), 1) + BOTTOM
    parts = [svg.title(title)]
    for step in range(0, 101, 25):
        x = LABEL_WIDTH + bar_area * step / 100
        width = 1 if step in (0, 100) else 0.6
        parts.append(svg.line(x, TOP - 4, x, height - BOTTOM, stroke=COLOUR_GRID, stroke_width=width))
        parts.append(svg.text(x, TOP - 8, f"{step}\u00a0%", text_anchor="middle", font_size=8))
    for index, standard in enumerate(standards):
        y = TOP + index * ROW_HEIGHT
        parts.append(svg.text(LABEL_WIDTH - 6, y + ROW_HEIGHT / 2 + 3.5, standard.ref_id, text_anchor="end"))
        bar_y = y + (ROW_HEIGHT - BAR_HEIGHT) / 2
        if standard.share is None:
            value_text = "–"
        else:
            share = min(max(standard.share, 0.0), 1.0)
            colour = COLOUR_FAILED if standard.failed_essential else COLOUR_BAR
            parts.append(svg.rect(LABEL_WIDTH, bar_y, bar_area * share, BAR_HEIGHT, fill=colour))
            value_text = format_percent(ratio=standard.share)
        colour = COLOUR_EMPTY if standard.share is None else COLOUR_TEXT
        parts.append(svg.text(WIDTH - VALUE_WIDTH + 6, y + ROW_HEIGHT / 2 + 3.5, value_text, fill=colour))
    return svg.svg(
        *parts,
        xmlns=svg.SVG_NS,
        class_="chart",
        role="img",
        width=WIDTH,
        height=height,
        viewBox=f"0 0 {WIDTH} {height}",
        font_family=FONT,
        font_size=10,
        fill=COLOUR_TEXT,
    )
