"""Public pages about the territory (regions, ORPs, municipalities). Thin: the selectors do the reading."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.core import hooks
from qmss.core.pagination import paginate
from qmss.territory import selectors


def _territory_crumb() -> tuple[str, str]:
    return (_("Territory"), reverse("territory:index"))


def _place_sections(request: HttpRequest, **place) -> list[tuple[str, dict]]:
    """Sections other apps add to an ORP or municipality page (hook ``place_sections``: ``(request, *, orp=None,
    municipality=None) -> [(template, context)]``; e.g. the registry's services there)."""
    return [section for answer in hooks.call_all("place_sections", request, **place) for section in answer or ()]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    on = selectors.latest_reference_date()
    regions = selectors.in_czech_order(selectors.regions_with_population(on))
    totals = {
        "residents": sum(r.residents or 0 for r in regions),
        "age_65_plus": sum(r.age_65_plus or 0 for r in regions),
        "orp_count": sum(r.orp_count or 0 for r in regions),
        "municipality_count": sum(r.municipality_count or 0 for r in regions),
    }
    totals["share_65_plus"] = totals["age_65_plus"] / totals["residents"] if totals["residents"] else None
    context = {
        "regions": regions,
        "totals": totals,
        "reference_date": on,
        "latest_import": selectors.latest_import(),
        "crumbs": [(_("Territory"), None)],
        "min_length": selectors.SEARCH_MIN_LENGTH,
    }
    return render(request, "territory/index.html", context)


@require_safe
def region_detail(request: HttpRequest, region_code: str) -> HttpResponse:
    on = selectors.latest_reference_date()
    region = get_object_or_404(selectors.regions_with_population(on), code=region_code)
    context = {
        "region": region,
        "orps": selectors.in_czech_order(selectors.orps_with_population(on).filter(region=region)),
        "districts": selectors.in_czech_order(selectors.districts_with_population(on).filter(region=region)),
        "reference_date": on,
        "crumbs": [_territory_crumb(), (region.name, None)],
    }
    return render(request, "territory/region.html", context)


@require_safe
def orp_detail(request: HttpRequest, orp_code: int) -> HttpResponse:
    on = selectors.latest_reference_date()
    orp = get_object_or_404(selectors.orps_with_population(on), ruian_code=orp_code)
    seat = selectors.orp_seat(orp)
    page_obj = paginate(request, selectors.in_czech_order(selectors.municipalities_with_population(on).filter(orp=orp)))
    context = {
        "orp": orp,
        "seat": seat,
        "page_obj": page_obj,
        "place_sections": _place_sections(request, orp=orp),
        "reference_date": on,
        "crumbs": [_territory_crumb(), (orp.region.name, orp.region.get_absolute_url()), (orp.name, None)],
    }
    return render(request, "territory/orp.html", context)


@require_safe
def municipality_detail(request: HttpRequest, municipality_code: str) -> HttpResponse:
    municipality = selectors.municipality_by_code(municipality_code)
    if municipality is None:
        raise Http404
    series = selectors.population_series(municipality)
    context = {
        "municipality": municipality,
        "series": series,
        "latest": series[-1] if series else None,
        "has_age_bands": any(row.age_65_plus is not None for row in series),
        "place_sections": _place_sections(request, municipality=municipality),
        "crumbs": [
            _territory_crumb(),
            (municipality.region.name, municipality.region.get_absolute_url()),
            (municipality.orp.name, municipality.orp.get_absolute_url()),
            (municipality.name, None),
        ],
    }
    return render(request, "territory/municipality.html", context)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    too_short = 0 < len(query) < selectors.SEARCH_MIN_LENGTH
    page_obj = None
    if query and not too_short:
        page_obj = paginate(request, selectors.search_municipalities(query))
    context = {
        "query": query,
        "too_short": too_short,
        "page_obj": page_obj,
        "query_string": urlencode({"q": query}),
        "min_length": selectors.SEARCH_MIN_LENGTH,
        "crumbs": [_territory_crumb(), (_("Search municipalities"), None)],
    }
    template = "territory/search.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        template = "territory/_search_results.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
