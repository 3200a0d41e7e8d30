""" "Moje služby": the services of a provider organisation and the workspace of one service (its assessments,
the three lenses, readiness, development plans and "start a self-assessment").

Apps add blocks to the workspace through the hook ``service_workspace_sections``
``(request, scope, service, organisation) -> list[qmss.core.dashboard.Section]`` (improvement: the service's plans).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from qmss.assessments import dashboard_provider, selectors
from qmss.core import hooks
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import get_scope
from qmss.core.selectors import get_organisation
from qmss.registry.selectors import service_header


@login_required
def organisation_services(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = get_organisation(scope, organisation_pk)  # members only (all for a superuser)
    if organisation.kind != OrganisationKind.PROVIDER:
        raise Http404
    overview = dashboard_provider.provider_overviews(scope, [organisation.pk], readiness=False)[organisation.pk]
    context = {
        "organisation": organisation,
        "overview": overview,
        "can_edit": scope.has_perm(Perm.EDIT, organisation.pk),
    }
    return render(request, "assessments/services/list.html", context)


@login_required
def service_workspace(request, service_portal_id: int):
    scope = get_scope(request)
    service = service_header(service_portal_id)
    if service is None:
        raise Http404
    organisation = selectors.provider_organisation_for(service)
    if not dashboard_provider.can_open_service_workspace(scope, service, organisation):
        raise Http404
    assessments = selectors.assessments_of_service(scope, service)
    member = organisation is not None and scope.has_perm(Perm.VIEW, organisation.pk)
    sections = [
        s
        for found in hooks.call_all("service_workspace_sections", request, scope, service, organisation)
        for s in found or []
    ]
    sections.sort(key=lambda section: (section.order, section.key))
    context = {
        "service": service,
        "organisation": organisation,
        "assessments": assessments,
        "latest": dashboard_provider.latest_per_lens(assessments),
        "member": member,
        "can_start": organisation is not None and scope.has_perm(Perm.EDIT, organisation.pk),
        "sections": sections,
    }
    return render(request, "assessments/services/workspace.html", context)


def organisation_panel(request, organisation) -> list[str]:
    """Core hook ``organisation_panels``: the way from a provider organisation's page to "My services"."""
    if organisation.kind != OrganisationKind.PROVIDER:
        return []
    from django.template.loader import render_to_string

    return [
        render_to_string(
            "assessments/services/_organisation_panel.html", {"organisation": organisation}, request=request
        )
    ]
