"""A printable leaflet (A4, at most two pages) or poster (A4, one page, big type) for a place: the article's
published text (rendered by ``portal.markup.render``, the one body renderer), the real services of its kinds in
the municipality or ORP (``selectors_leaflets.services_in_place``), the date of the registry data and a QR code
leading to the finder for the place.

Printed only through the locked-down renderer :mod:`qmss.core.pdf`; the stylesheet is a static file
(``static/css/portal-leaflet-print.css``), so no text ever enters CSS. Every text is escaped by the template and
the QR code is an SVG from segno in a ``data:`` URL. No organisation of QMSS is named: the publisher is the
region's name or the ministry (``selectors_content.publisher_label``).
"""

from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_spaces_between_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core.pdf import html_to_pdf
from qmss.portal import selectors_leaflets as selectors
from qmss.portal.models import Article
from qmss.portal.selectors_leaflets import PrintPlace

TEMPLATE = "portal/leaflets/print.html"
LANGUAGE = "cs"
MAX_ROWS = {Article.Kind.LEAFLET: 16, Article.Kind.POSTER: 6}


def qr_data_url(url: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def place_heading(place: PrintPlace) -> str:
    if place.kind == "orp":
        return _("Registered social services in the ORP %(name)s") % {"name": place.name}
    return _("Registered social services in the municipality %(name)s") % {"name": place.name}


def print_context(article: Article, place: PrintPlace, *, finder_url: str) -> dict:
    from qmss.portal.markup import render
    from qmss.portal.selectors_content import publisher_label

    revision = article.published_revision
    services = selectors.services_in_place(place=place, kind_codes=list(article.kind_codes or []))
    limit = MAX_ROWS.get(article.kind, MAX_ROWS[Article.Kind.LEAFLET])
    shown, more = services[:limit], max(0, len(services) - limit)
    return {
        "article": article,
        "revision": revision,
        "body": render(revision.body),
        "is_poster": article.kind == Article.Kind.POSTER,
        "place": place,
        "heading": place_heading(place),
        "services": shown,
        "count_text": ngettext(
            "%(count)s registered service of these kinds has a facility here.",
            "%(count)s registered services of these kinds have a facility here.",
            len(services),
        )
        % {"count": len(services)},
        "more_text": ngettext(
            "Another %(count)s service is in the finder.",
            "Another %(count)s services are in the finder.",
            more,
        )
        % {"count": more}
        if more
        else "",
        "data_date": selectors.data_date(),
        "finder_url": finder_url,
        "qr": qr_data_url(finder_url),
        "publisher": publisher_label(article),
    }


def render_html(article: Article, place: PrintPlace, *, finder_url: str) -> str:
    with translation.override(LANGUAGE):
        return render_to_string(TEMPLATE, print_context(article, place, finder_url=finder_url))


def render_pdf(article: Article, place: PrintPlace, *, finder_url: str) -> bytes:
    """The leaflet or poster for ``place`` as PDF bytes (Czech, A4)."""
    return html_to_pdf(strip_spaces_between_tags(render_html(article, place, finder_url=finder_url)))


def filename(article: Article, place: PrintPlace) -> str:
    return f"{article.slug}-{place.kind}-{place.code}.pdf"
