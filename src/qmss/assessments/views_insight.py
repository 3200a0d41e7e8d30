"""Overviews across assessments: the three lenses on a service and the inspection readiness of a provider."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from qmss.assessments import charts, lenses, readiness
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import get_scope
from qmss.core.selectors import get_organisation
from qmss.registry.selectors import service_header


@login_required
def service_lenses(request, service_portal_id: int):
    scope = get_scope(request)
    service = service_header(service_portal_id)
    if service is None or not lenses.can_view_service(scope, service):
        raise Http404
    data = lenses.three_lenses(scope, service)
    chart = None
    if data.history:
        chart = charts.line_chart(
            data.history,
            title=_("Overall score over time: %(service)s") % {"service": service.name or service.portal_id},
            description=_(
                "Share of the attainable points in each assessment, one line per kind of assessment; "
                "the same figures are in the table below the chart."
            ),
        )
    return render(request, "assessments/lenses.html", {"service": service, "lenses": data, "chart": chart})


@login_required
def organisation_readiness(request, organisation_pk: int):
    scope = get_scope(request)
    organisation = get_organisation(scope, organisation_pk)
    if organisation.kind != OrganisationKind.PROVIDER:
        raise Http404
    data = readiness.inspection_readiness(scope, organisation)
    return render(request, "assessments/readiness.html", {"organisation": organisation, "readiness": data})
