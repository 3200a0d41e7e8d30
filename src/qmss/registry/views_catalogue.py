"""The catalogue of registered services, its exports, and the provider and service pages (logged-in users)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.core import hooks
from qmss.core.scoping import get_scope
from qmss.registry import cache as registry_cache
from qmss.registry import exports, maps, selectors, selectors_capacity
from qmss.registry.forms import ALL_ORPS, FILTER_FIELDS, CatalogueFilterForm

PAGE_SIZE = 50
CHANGES_PAGE_SIZE = 50
EXPORT_FORMATS = {"xlsx": exports.xlsx_response, "csv": exports.csv_response}


def catalogue_crumb() -> tuple[str, str]:
    return (_("Registry of services"), reverse("registry:catalogue"))


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _totals_fragment(request: HttpRequest, filters) -> str:
    """The capacity totals of the filter, cached on their own: every page and order of one filter shares them
    (the same version, day and language as the catalogue's fragments; the user's regions do not matter)."""
    params = [("fragment", "totals"), *((name, request.GET.get(name)) for name in FILTER_FIELDS if name != "sort")]
    key = registry_cache.catalogue_key(params, ())

    def render_totals() -> dict[str, str]:
        totals = selectors_capacity.capacity_totals(filters)
        return {"totals": render_to_string("registry/_catalogue_totals.html", {"totals": totals})}

    return registry_cache.cached_fragments(key, render_totals)["totals"]


def _catalogue_fragments(request: HttpRequest, region_ids) -> dict[str, str]:
    """The filters, the results and the import note, rendered (nothing user-specific in them)."""
    form = CatalogueFilterForm(request.GET)
    filters, sort = form.filters(), form.sort_key()
    services = selectors.catalogue_services(filters, sort, region_ids=region_ids)
    page_obj = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "totals_html": _totals_fragment(request, filters),
        "page_obj": page_obj,
        "services": selectors.decorate_rows(page_obj.object_list),
        "query_string": form.query_string(),
        "my_regions": selectors.catalogue_region_names(region_ids),
        "latest_import": selectors.latest_successful_import(),
    }
    return {
        "import_note": render_to_string("registry/_catalogue_import_note.html", context),
        "filters": render_to_string("registry/_catalogue_filters.html", context),
        "results": render_to_string("registry/_catalogue_results.html", context),
    }


@login_required
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """The rendered filters and results are cached per registry data version, day, language, the user's
    regions and the query string (``registry.cache``); the page around them is rendered per request."""
    region_ids = get_scope(request).region_ids()
    params = [(name, request.GET.get(name)) for name in (*FILTER_FIELDS, "page")]
    key = registry_cache.catalogue_key(params, region_ids)
    fragments = registry_cache.cached_fragments(key, lambda: _catalogue_fragments(request, region_ids))
    if _is_htmx(request):
        response = HttpResponse(fragments["results"])
    else:
        context = {"fragments": fragments, "crumbs": [(_("Registry of services"), None)]}
        response = render(request, "registry/catalogue.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def catalogue_orps(request: HttpRequest) -> HttpResponse:
    """The ``<option>``s of the catalogue's ORP filter for ``?region=`` (all ORPs for none or an unknown one);
    htmx swaps them into the ORP select when the region changes."""
    region = (request.GET.get("region") or "")[:10]
    choices = selectors_capacity.orp_choices(region)
    if region and not choices:
        choices = selectors_capacity.orp_choices("")
    context = {"choices": [ALL_ORPS, *choices]}
    return render(request, "registry/_catalogue_orp_options.html", context)


@login_required
@require_safe
def municipality_suggestions(request: HttpRequest) -> HttpResponse:
    """At most 20 municipalities for the text typed in the catalogue's municipality filter (``?municipality=``
    or ``?q=``; within ``?region=`` / ``?orp=``): ``<option>``s for its ``<datalist>``, or JSON with
    ``?format=json``."""
    text = (request.GET.get("municipality") or request.GET.get("q") or "")[:100]
    orp = (request.GET.get("orp") or "")[:9]  # a RÚIAN code; a longer number would not fit the database
    # (ASCII digits only: "²".isdigit() is true, but int("²") fails)
    suggestions = selectors_capacity.municipality_suggestions(
        text,
        region_code=(request.GET.get("region") or "")[:10],
        orp=int(orp) if orp.isascii() and orp.isdigit() else None,
    )
    rows = [
        {
            "value": selectors_capacity.suggestion_value(m),
            "name": m.name,
            "code": m.code,
            "district": m.district.name if m.district_id else "",
        }
        for m in suggestions
    ]
    if request.GET.get("format") == "json":
        return JsonResponse({"results": rows})
    return render(request, "registry/_municipality_suggestions.html", {"rows": rows})


@login_required
@require_safe
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The catalogue's current list (same filters and order, all pages) as XLSX or CSV."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    form = CatalogueFilterForm(request.GET)
    services = selectors.catalogue_services(
        form.filters(), form.sort_key(), region_ids=get_scope(request).region_ids(), with_territory=True
    )
    return EXPORT_FORMATS[fmt](services)


@login_required
@require_safe
def provider_detail(request: HttpRequest, provider_ico: str) -> HttpResponse:
    provider = selectors.get_provider(provider_ico)
    if provider is None:
        raise Http404
    services = selectors.decorate_rows(selectors.provider_services(provider))
    context = {
        "provider": provider,
        "contacts": selectors.contacts_of(provider),
        "services": services,
        "active_count": sum(1 for s in services if s.is_active),
        "facilities": selectors.provider_facilities(provider),
        "in_qmss": selectors.qmss_organisation_exists(provider),
        "crumbs": [catalogue_crumb(), (provider.name, None)],
    }
    return render(request, "registry/provider.html", context)


@login_required
@require_safe
def service_detail(request: HttpRequest, service_portal_id: int) -> HttpResponse:
    service = selectors.get_service(service_portal_id)
    if service is None:
        raise Http404
    service.status_key = selectors.status_of(service)
    facilities = list(service.facilities.all())
    regions = selectors.map_regions(service)
    points = maps.facility_points(facilities, approximate_note=_("approximate location"))
    region_names = ", ".join(r.name for r in regions)
    label = _("Map of %(regions)s with %(count)s places of the service; the list beside it gives the same places.") % {
        "regions": region_names or _("the places"),
        "count": len(points),
    }
    changes = Paginator(selectors.service_changes(service), CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    changes.object_list = list(changes.object_list)
    for change in changes.object_list:
        change.old_text = selectors.value_text(change.old_value)
        change.new_text = selectors.value_text(change.new_value)
    context = {
        "service": service,
        "capacity_lines": selectors.capacity_lines(service),
        "facilities": facilities,
        "contacts": selectors.contacts_of(service),
        "unmapped_codes": [selectors.value_text(code) for code in service.unmapped_codes or []],
        "map_svg": maps.render_map([r.boundary for r in regions], points, label=label),
        "mapped_count": len(points),
        "changes": changes,
        "page_obj": changes,
        # higher apps' sections (the assessments: the way to the service's quality), already rendered
        "quality_sections": [
            html
            for answer in hooks.call_all("registry_service_sections", request, get_scope(request), service)
            for html in answer or []
        ],
        "crumbs": [
            catalogue_crumb(),
            (service.provider.name, service.provider.get_absolute_url()),
            (str(service), None),
        ],
    }
    return render(request, "registry/service.html", context)
