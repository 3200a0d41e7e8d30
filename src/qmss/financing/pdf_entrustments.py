"""The act of entrustment as a Czech A4 PDF: an HTML template printed only through the locked-down renderer
:mod:`qmss.core.pdf` (no network or file fetches; inline CSS and the system's DejaVu Sans). User texts are
escaped by the template; the page header and footer texts enter the stylesheet only through ``css_string``."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_spaces_between_tags
from django.utils.translation import gettext as _

from qmss.core.pdf import css_string, html_to_pdf
from qmss.financing import selectors_entrustments as selectors
from qmss.financing.models import Entrustment

TEMPLATE = "financing/entrustments/pdf.html"
LANGUAGE = "cs"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pdf_context(entrustment: Entrustment) -> dict:
    return {
        "entrustment": entrustment,
        "network": entrustment.network,
        "service": entrustment.service,
        "today": timezone.localdate(),
        "draft": entrustment.state == Entrustment.State.PROPOSED,
        **selectors.describe(entrustment),
        "css": {
            "header": css_string(_short(_("Entrustment %(number)s") % {"number": entrustment.number}, 110)),
            "footer": css_string(_short(f"QMSS · {entrustment.network.name}", 110)),
        },
    }


def render_html(entrustment: Entrustment) -> str:
    with translation.override(LANGUAGE):
        return render_to_string(TEMPLATE, pdf_context(entrustment))


def render_pdf(entrustment: Entrustment) -> bytes:
    """The entrustment as PDF bytes (Czech, A4)."""
    return html_to_pdf(strip_spaces_between_tags(render_html(entrustment)))
