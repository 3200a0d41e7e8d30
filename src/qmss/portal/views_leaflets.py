"""Printable leaflets and posters: the public page "Letáky a plakáty" (choose one and a place; works without
JavaScript, the municipality field is suggested by the finder's endpoint as an enhancement) and the PDF for a
municipality or an ORP. No login, no session writes; public data only (see ``selectors_leaflets``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.portal import selectors_leaflets as selectors
from qmss.portal.forms_leaflets import LeafletForm

CACHE_SECONDS = 300
PDF_TYPE = "application/pdf"


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


def _finder_url(request: HttpRequest, place: selectors.PrintPlace) -> str:
    try:
        path = reverse("portal:finder")
    except NoReverseMatch:  # pragma: no cover – the finder part is mounted in the complete app
        path = "/najit-sluzbu/"
    if place.finder_code:
        path += "?" + urlencode({"obec": place.finder_code})
    return request.build_absolute_uri(path)


def _print_url(slug: str, place: selectors.PrintPlace) -> str:
    return reverse("portal:article_print", kwargs={"article_slug": slug}) + "?" + place.query


def _municipalities(text: str) -> tuple[list[selectors.PrintPlace], dict[str, str]]:
    """Places of a typed municipality (a name, "Name (okres …)" or a code); several for a common name."""
    from qmss.portal import finder

    rows = finder.municipalities_named(text)
    places = [selectors.municipality_place(row.code) for row in rows[:30]]
    labels = {row.code: row.label for row in rows}
    return [p for p in places if p is not None], labels


@require_safe
def leaflets(request: HttpRequest) -> HttpResponse:
    articles = selectors.printable_articles()
    bound = bool(request.GET.get("letak") or request.GET.get("obec") or request.GET.get("orp"))
    form = LeafletForm(request.GET if bound else None, articles=articles, orps=selectors.orp_choices())
    links: list[dict] = []
    unknown = False
    if bound and form.is_valid():
        slug = form.cleaned_data["letak"]
        title = next(a.published_revision.title for a in articles if a.slug == slug)
        if form.cleaned_data.get("orp"):
            place = selectors.orp_place(form.cleaned_data["orp"])
            if place is not None:
                links.append({"url": _print_url(slug, place), "label": _("ORP %(name)s") % {"name": place.name}})
        else:
            places, labels = _municipalities(form.cleaned_data["obec"])
            links = [{"url": _print_url(slug, p), "label": labels.get(p.code, p.name)} for p in places]
            unknown = not links
        for link in links:
            link["title"] = title
    context = {
        "form": form,
        "articles": articles,
        "links": links,
        "unknown": unknown,
        "crumbs": [(_("Awareness"), _articles_url()), (_("Leaflets and posters"), "")],
    }
    return _public(render(request, "portal/leaflets/leaflets.html", context))


def _articles_url() -> str:
    try:
        return reverse("portal:articles")
    except NoReverseMatch:  # pragma: no cover
        return ""


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    response = render(
        request, "portal/leaflets/not_found.html", {"message": message, "title": _("Leaflet not found")}, status=404
    )
    return _public(response)


@require_safe
def article_print(request: HttpRequest, article_slug: str) -> HttpResponse:
    from qmss.portal.pdf_leaflets import filename, render_pdf

    article = selectors.printable_article(article_slug)
    if article is None:
        return _not_found(request, _("There is no published leaflet or poster at this address."))
    place = selectors.place_from_query(request.GET)
    if place is None:
        return _not_found(
            request,
            _("We do not know this place. Choose a municipality or an ORP on the page Leaflets and posters."),
        )
    content = render_pdf(article, place, finder_url=_finder_url(request, place))
    response = HttpResponse(content, content_type=PDF_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename(article, place)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return _public(response)
