"""The public check "Is the service registered?" – for anyone, without logging in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.registry import selectors
from qmss.territory.models import search_key

MPSV_REGISTRY_URL = "https://iregistr.mpsv.cz/"


def _group_by_provider(services) -> list[dict]:
    groups: list[dict] = []
    for service in services:
        if not groups or groups[-1]["provider"].pk != service.provider_id:
            groups.append({"provider": service.provider, "services": []})
        groups[-1]["services"].append(service)
    return groups


@require_safe
def registration_check(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    too_short = bool(query) and len(search_key(query)) < selectors.SEARCH_MIN_LENGTH
    results = None
    if query and not too_short:
        results = selectors.registration_check(query)
    any_active = any(s.is_active for s in results or [])
    context = {
        "query": query,
        "too_short": too_short,
        "results": results,
        "groups": _group_by_provider(results or []),
        "any_active": any_active,
        "show_explanation": results is not None and not any_active,
        "limit_reached": results is not None and len(results) >= selectors.CHECK_MAX_RESULTS,
        "min_length": selectors.SEARCH_MIN_LENGTH,
        "mpsv_registry_url": MPSV_REGISTRY_URL,
        "latest_import": selectors.latest_successful_import(),
        "crumbs": [(_("Is the service registered?"), None)],
    }
    template = "registry/registration_check.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        template = "registry/_registration_check_results.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
