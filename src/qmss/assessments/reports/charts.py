"""Server-side SVG charts for reports (inline in the PDF: WeasyPrint draws SVG, so no images are needed)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from qmss.assessments.reports.data import StandardRow

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
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" font-size="10" fill="{COLOUR_TEXT}">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(0, 101, 25):
        x = LABEL_WIDTH + bar_area * step / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height - BOTTOM}" stroke="{COLOUR_GRID}" '
            f'stroke-width="{1 if step in (0, 100) else 0.6}"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{TOP - 8}" text-anchor="middle" font-size="8">{step} %</text>')
    for index, standard in enumerate(standards):
        y = TOP + index * ROW_HEIGHT
        label = standard.ref_id
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + ROW_HEIGHT / 2 + 3.5:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        bar_y = y + (ROW_HEIGHT - BAR_HEIGHT) / 2
        if standard.share is None:
            value_text = "–"
        else:
            share = min(max(standard.share, 0.0), 1.0)
            colour = COLOUR_FAILED if standard.failed_essential else COLOUR_BAR
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y:.1f}" width="{bar_area * share:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{colour}"/>'
            )
            value_text = f"{number_format(round(standard.share * 100), 0)} %"
        parts.append(
            f'<text x="{WIDTH - VALUE_WIDTH + 6}" y="{y + ROW_HEIGHT / 2 + 3.5:.1f}" '
            f'fill="{COLOUR_EMPTY if standard.share is None else COLOUR_TEXT}">{escape(value_text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 – every text piece above is XML-escaped
