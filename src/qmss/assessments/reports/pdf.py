"""The PDF report: an HTML template printed by WeasyPrint (A4, the system's DejaVu Sans embedded as a subset,
an inline SVG chart). Rendering is the bulk of the time, so the template is kept lean (see print.css)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.html import strip_spaces_between_tags
from django.utils.translation import get_language, pgettext

from qmss.assessments.reports.charts import share_bar_chart
from qmss.assessments.reports.data import ReportData
from qmss.core.pdf import css_string, html_to_pdf

TEMPLATE = "assessments/report/report.html"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_context(data: ReportData) -> dict:
    return {
        "report": data,
        "chart": share_bar_chart(data.standards),
        "language_code": get_language() or "cs",
        "css": {  # hex-escaped CSS strings for the page margins
            "header": css_string(_short(f"{data.title} · {data.subject_name}", 110)),
            "footer": css_string(f"QMSS · {data.framework_short_name} v{data.framework_version}"),
            "page_label": css_string(pgettext("report footer: Page 3 of 12", "Page")),
            "page_of": css_string(pgettext("report footer: Page 3 of 12", "of")),
        },
    }


def render_html(data: ReportData) -> str:
    return render_to_string(TEMPLATE, report_context(data))


def render_pdf(data: ReportData) -> bytes:
    """The report of ``data`` as PDF bytes."""
    # Whitespace between tags only adds text boxes to lay out (the templates need none of it). The document
    # loads nothing (inline CSS and SVG, system fonts); the locked-down printer would refuse anything else.
    return html_to_pdf(strip_spaces_between_tags(render_html(data)))
