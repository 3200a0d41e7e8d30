"""Development-plan work on the provider's dashboard panel and on a service's workspace ("Moje služby").

Core hook ``dashboard_sections``: overdue and upcoming actions of every provider panel (one query for all
panels, :func:`qmss.improvement.selectors.dashboard_actions`). Hook ``service_workspace_sections`` (asked by
:mod:`qmss.assessments.views_services`): the development plans of one service with their action counts.
"""

from __future__ import annotations

from qmss.core.dashboard import Section
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.improvement import selectors


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    provider_panels = [p for p in panels if p.membership.organisation.kind == OrganisationKind.PROVIDER]
    if not provider_panels:
        return []
    actions = selectors.dashboard_actions(scope, request.user)
    return [
        Section(
            key="improvement.provider_actions",
            template="improvement/dashboard/provider_actions.html",
            context={"actions": actions.get(panel.membership.organisation_id)},
            membership_id=panel.membership.pk,
            order=40,
        )
        for panel in provider_panels
    ]


def service_workspace_sections(request, scope: Scope, service, organisation) -> list[Section]:
    """The development plans of the service (members of the provider organisation only)."""
    if organisation is None or not scope.has_perm(Perm.VIEW, organisation.pk):
        return []
    plans = list(selectors.plan_list(organisation).filter(service=service))
    return [
        Section(
            key="improvement.service_plans",
            template="improvement/dashboard/provider_service_plans.html",
            context={
                "plans": plans,
                "organisation": organisation,
                "can_edit": scope.has_perm(Perm.EDIT, organisation.pk),
            },
            order=40,
        )
    ]
