"""The PDF report: an HTML template printed by WeasyPrint (A4, the system's DejaVu Sans embedded as a subset,
an inline SVG chart). Rendering is the bulk of the time, so the template is kept lean (see print.css)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.html import strip_spaces_between_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext

from qmss.assessments.reports.charts import share_bar_chart
from qmss.assessments.reports.data import ReportData

TEMPLATE = "assessments/report/report.html"


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (safe inside a stylesheet: quotes, backslashes, newlines escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_context(data: ReportData) -> dict:
    return {
        "report": data,
        "chart": share_bar_chart(data.standards),
        "language_code": get_language() or "cs",
        "css": {  # quoted CSS strings for the page margins
            "header": mark_safe(css_string(_short(f"{data.title} · {data.subject_name}", 110))),  # noqa: S308
            "footer": mark_safe(css_string(f"QMSS · {data.framework_short_name} v{data.framework_version}")),  # noqa: S308
            "page_label": mark_safe(css_string(pgettext("report footer: Page 3 of 12", "Page"))),  # noqa: S308
            "page_of": mark_safe(css_string(pgettext("report footer: Page 3 of 12", "of"))),  # noqa: S308
        },
    }


def render_html(data: ReportData) -> str:
    return render_to_string(TEMPLATE, report_context(data))


def render_pdf(data: ReportData) -> bytes:
    """The report of ``data`` as PDF bytes."""
    from weasyprint import HTML

    # Whitespace between tags only adds text boxes to lay out (the templates need none of it). No base URL:
    # the document loads nothing (inline CSS and SVG, system fonts).
    return HTML(string=strip_spaces_between_tags(render_html(data))).write_pdf()
