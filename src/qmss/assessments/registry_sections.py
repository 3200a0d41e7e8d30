"""The assessments' section of the registry's service page (core hook ``registry_service_sections``): the way from
a registered service to its quality – the service overview and the three lenses (each only for those who may open
it) and the service's published assessments the user may see."""

from __future__ import annotations

from django.template.loader import render_to_string

from qmss.assessments import dashboard_provider, lenses, selectors
from qmss.assessments.partial import partial_notes
from qmss.assessments.permissions import PUBLISHED_STATES
from qmss.core.scoping import Scope
from qmss.registry.models import Service


def published_of_service(scope: Scope, service: Service) -> list:
    """The service's published assessments the user may open, made by its verified provider, newest first."""
    items = list(
        selectors.visible_assessments(scope)
        .filter(selectors.attributed(), service=service, state__in=PUBLISHED_STATES)
        .only("pk", "title", "kind", "state", "partial", "published_at")
        .order_by("-published_at", "-pk")
    )
    notes = partial_notes(items)
    for assessment in items:
        assessment.partial_note = notes.get(assessment.pk, "")
    return items


def registry_service_sections(request, scope: Scope, service: Service) -> list[str]:
    """Rendered HTML sections for the registry's page of ``service``; none for anonymous users."""
    if not scope.is_authenticated:
        return []
    organisation = selectors.provider_organisation_for(service)
    context = {
        "service": service,
        "can_open_workspace": dashboard_provider.can_open_service_workspace(scope, service, organisation),
        "can_view_lenses": lenses.can_view_service(scope, service),
        "assessments": published_of_service(scope, service),
    }
    if not (context["can_open_workspace"] or context["can_view_lenses"] or context["assessments"]):
        return []
    return [render_to_string("assessments/services/_registry_section.html", context, request=request)]
