"""The registry's section on the territory pages: the services registered in an ORP or a municipality, with their
facilities there, kind, provider and capacities, and the capacity totals of the place.

Territory sits below registry and must not import it: its ORP and municipality views ask the core hook
``place_sections`` (``(request, *, orp=None, municipality=None) -> list[(template, context)]``), which this module
answers (registered in ``RegistryConfig.ready``). Registry data is public open data, so the section is shown to
everybody; links to the catalogue and to service pages (which need a login) only to logged-in users.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse

from qmss.registry import selectors_capacity

PAGE_SIZE = 25
PAGE_PARAM = "services_page"
ANCHOR = "services"
TEMPLATE = "registry/places/services.html"


def _page_url(request: HttpRequest, number: int) -> str:
    params = [(key, value) for key, value in request.GET.items() if key != PAGE_PARAM and value]
    params.append((PAGE_PARAM, str(number)))
    return f"?{urlencode(params)}#{ANCHOR}"


def place_sections(request: HttpRequest, *, orp=None, municipality=None) -> list[tuple[str, dict]]:
    """One section: the registered services with a place in ``municipality`` (or else in ``orp``)."""
    if orp is None and municipality is None:
        return []
    filters = selectors_capacity.place_filters(orp=orp, municipality=municipality)
    ids = selectors_capacity.place_service_ids(filters)
    page_obj = Paginator(ids, PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM))
    services = selectors_capacity.place_rows(list(page_obj.object_list), filters)
    logged_in = request.user.is_authenticated
    catalogue_url = ""
    if logged_in:
        query = {"municipality": municipality.code} if municipality is not None else {"orp": orp.ruian_code}
        if municipality is None:
            query["region"] = orp.region.code
        catalogue_url = f"{reverse('registry:catalogue')}?{urlencode(query)}"
    context = {
        "place_name": municipality.name if municipality is not None else orp.name,
        "is_municipality": municipality is not None,
        "services": services,
        "page_obj": page_obj,
        "previous_url": _page_url(request, page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next_url": _page_url(request, page_obj.next_page_number()) if page_obj.has_next() else "",
        "totals": selectors_capacity.capacity_totals(filters) if ids else None,
        "link_services": logged_in,
        "catalogue_url": catalogue_url,
        "anchor": ANCHOR,
    }
    return [(TEMPLATE, context)]
