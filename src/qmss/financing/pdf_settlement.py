"""The settlement as a Czech PDF: an HTML template printed by the locked-down renderer :mod:`qmss.core.pdf` (the
only printer in QMSS; it loads nothing but static files). User texts are escaped by the template; the page footer
enters the stylesheet only as a hex-escaped CSS string (:func:`qmss.core.pdf.css_string`)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_spaces_between_tags
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qmss.core.pdf import css_string, html_to_pdf
from qmss.financing.selectors_settlement import Explanation

TEMPLATE = "financing/settlement/pdf.html"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_html(explanation: Explanation) -> str:
    settlement = explanation.settlement
    footer = _short(f"QMSS · {_('Settlement')} · {settlement.organisation.name}", 110)
    return render_to_string(
        TEMPLATE,
        {
            "x": explanation,
            "settlement": settlement,
            "application": settlement.application,
            "programme": settlement.application.programme,
            "today": timezone.localdate(),
            "language_code": get_language() or "cs",
            "css_footer": css_string(footer),
        },
    )


def render_pdf(explanation: Explanation) -> bytes:
    """The settlement of ``explanation`` as PDF bytes."""
    return html_to_pdf(strip_spaces_between_tags(render_html(explanation)))
