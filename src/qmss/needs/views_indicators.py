"""Indicator pages: the list of definitions (public) and one indicator with its values per round – for the staff
of the round's region everything, for a provider its own services and their position in the peer group, for
everybody else the definition only."""

from __future__ import annotations

from django.shortcuts import render

from qmss.core.pagination import filter_query_string, paginate
from qmss.core.scoping import get_scope
from qmss.needs import indicators as engine
from qmss.needs import selectors_indicators as selectors


def indicator_list(request):
    indicators = selectors.definitions()
    context = {
        "indicators": indicators,
        "template": indicators[0].template if indicators else None,
        "bands": engine.size_bands(),
        "min_group_size": engine.MIN_GROUP_SIZE,
    }
    return render(request, "needs/indicators/list.html", context)


def indicator_detail(request, indicator_pk: int):
    scope = get_scope(request)
    indicator = selectors.get_indicator(indicator_pk)
    indicator.formula = selectors.formula_words(indicator)
    wanted = request.GET.get("round")
    context = {
        "indicator": indicator,
        "bands": engine.size_bands(),
        "min_group_size": engine.MIN_GROUP_SIZE,
        "region": None,
        "provider": None,
    }
    region_rounds = selectors.region_rounds(scope, indicator) if scope.is_authenticated else []
    chosen = selectors.pick_round(region_rounds, wanted)
    if chosen is not None:
        definition = selectors.round_indicator(chosen, indicator)
        view = selectors.region_view(scope, chosen, definition) if definition else None
        context["region"] = {"rounds": region_rounds, "round": chosen, "view": view}
        if view is not None:  # the services' table in pages; the figures above it are over all of them
            context["page_obj"] = paginate(request, view.rows)
            context["query_string"] = filter_query_string(request)
    service_ids = selectors.provider_service_ids(scope)
    provider_rounds = selectors.provider_rounds(service_ids, indicator)
    chosen = selectors.pick_round(provider_rounds, wanted)
    if chosen is not None:
        definition = selectors.round_indicator(chosen, indicator)
        context["provider"] = {
            "rounds": provider_rounds,
            "round": chosen,
            "view": selectors.provider_view(scope, chosen, definition, service_ids) if definition else None,
        }
    context["has_services"] = bool(service_ids)
    return render(request, "needs/indicators/detail.html", context)
