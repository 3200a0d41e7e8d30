"""The financing hub (``/financovani/``): by role, the ways to every part of the app.

- Managers (members of a regional authority or a municipality): their programmes with states and the links to each
  programme's compensation table, allocation and settlements; entrustments per network; reference values and import.
- Providers: their subsidy applications, open programmes, settlements and the standards of their services.
- Everybody, anonymous visitors included: the published reference values.

Other parts' pages are linked by their URL names (``link`` answers None while a part is not in the tree)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from qmss.core.models import Organisation
from qmss.core.scoping import get_scope
from qmss.financing import permissions
from qmss.financing import selectors_index as selectors

ROWS = selectors.HUB_ROWS


def link(name: str, query: str = "", **kwargs) -> str | None:
    """The URL of a financing page, or None while the part that serves it is not in the tree."""
    try:
        url = reverse(f"financing:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _rows(qs) -> tuple[list, int]:
    """The first rows of a list and how many there are in all (one query when the list is short)."""
    rows = list(qs[: ROWS + 1])
    total = len(rows) if len(rows) <= ROWS else qs.count()
    return rows[:ROWS], total


def _manager_context(scope) -> dict:
    programmes, programme_total = _rows(selectors.managed_programmes(scope))
    for programme in programmes:
        pk = programme.pk
        programme.links = {
            "detail": link("programme", programme_pk=pk),
            "applications": link("applications", query=f"program={pk}"),
            "compensation": link("compensation", programme_pk=pk),
            "allocation": link("allocation", programme_pk=pk),
            "settlements": link("settlements", query=f"program={pk}"),
        }
    networks, network_total = _rows(selectors.managed_networks(scope))
    for network in networks:
        network.entrustments_url = link("entrustments", network_pk=network.pk)
    return {
        "programmes": programmes,
        "programme_total": programme_total,
        "networks": networks,
        "network_total": network_total,
    }


def _provider_context(scope) -> dict:
    applications, application_total = _rows(selectors.own_applications(scope))
    for application in applications:
        application.url = link("application", subsidy_pk=application.pk)
    provider_ids = selectors.provider_organisation_ids(scope)
    open_programmes, open_total = _rows(selectors.open_programmes_for(provider_ids))
    for programme in open_programmes:
        programme.url = link("programme", programme_pk=programme.pk)
        programme.new_application_url = link("application_new", programme_pk=programme.pk)
    settlements, settlement_total = _rows(selectors.visible_settlements(scope).filter(organisation_id__in=provider_ids))
    for settlement in settlements:
        settlement.url = link("settlement", settlement_pk=settlement.pk)
        settlement.pdf_url = link("settlement_pdf", settlement_pk=settlement.pk)
    services, service_total = _rows(selectors.linked_services(scope))
    for service in services:
        service.standards_url = link("service_standards", service_portal_id=service.portal_id)
    return {
        "provider_organisations": sorted(
            Organisation.objects.filter(pk__in=provider_ids).values_list("name", flat=True)
        ),
        "applications": applications,
        "application_total": application_total,
        "open_programmes": open_programmes,
        "open_total": open_total,
        "settlements": settlements,
        "settlement_total": settlement_total,
        "services": services,
        "service_total": service_total,
    }


def index(request):
    scope = get_scope(request)
    is_manager = scope.is_superuser or bool(selectors.manager_side_organisation_ids(scope))
    is_provider = bool(selectors.provider_organisation_ids(scope))
    can_manage = scope.is_superuser or bool(permissions.manager_organisation_ids(scope))
    reference_sets, reference_total = _rows(selectors.reference_sets())
    for reference_set in reference_sets:
        reference_set.url = link("reference_set", reference_set_pk=reference_set.pk)
    context = {
        "crumbs": [(_("Financing"), None)],
        "is_manager": is_manager,
        "is_provider": is_provider,
        "can_manage": can_manage,
        "reference_sets": reference_sets,
        "reference_total": reference_total,
        "links": {
            "reference_sets": link("reference_sets"),
            "reference_import": link("reference_import") if can_manage else None,
            "reference_template": link("reference_template"),
            "programmes": link("programmes") if scope.is_authenticated else None,
            "programme_new": link("programme_new") if can_manage else None,
            "applications": link("applications") if scope.is_authenticated else None,
            "settlements": link("settlements") if scope.is_authenticated else None,
            "standards": link("standards") if scope.is_authenticated else None,
        },
    }
    if is_manager:
        context.update(_manager_context(scope))
    if is_provider:
        context.update(_provider_context(scope))
    return render(request, "financing/index.html", context)
