"""Network applications on the home dashboard (core hook ``dashboard_sections``): a provider's panel counts its
open applications; the panel of a network manager (a regional authority or a municipality) counts the open
applications of its networks by state; a municipality's panel lists the applications A and C serving its
territory that still wait for its statement of need. A constant number of queries for any number of panels."""

from __future__ import annotations

from qmss.core import hooks
from qmss.core.dashboard import Section
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.network import selectors_applications as selectors
from qmss.network.models import Application
from qmss.network.registration import part

ORDER = 45
SHOWN = 5
MANAGER_KINDS = (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY)


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    providers = [p for p in panels if p.membership.organisation.kind == OrganisationKind.PROVIDER]
    managers = [p for p in panels if p.membership.organisation.kind in MANAGER_KINDS]
    municipalities = [p for p in panels if p.membership.organisation.kind == OrganisationKind.MUNICIPALITY]
    sections: list[Section] = []
    if providers:
        counts = selectors.open_counts_by_organisation({p.membership.organisation_id for p in providers})
        sections += [
            Section(
                key="network-applications-provider",
                template="network/applications/dashboard_provider.html",
                membership_id=panel.membership.pk,
                order=ORDER,
                context={"open": counts.get(panel.membership.organisation_id, 0)},
            )
            for panel in providers
        ]
    if not managers:
        return sections
    by_manager = selectors.open_counts_by_manager({p.membership.organisation_id for p in managers})
    waiting = selectors.awaiting_statement([p.membership.organisation for p in municipalities])
    labels = dict(Application.State.choices)
    for panel in managers:
        states = by_manager.get(panel.membership.organisation_id, {})
        items = waiting.get(panel.membership.organisation_id, [])
        sections.append(
            Section(
                key="network-applications-manager",
                template="network/applications/dashboard_manager.html",
                membership_id=panel.membership.pk,
                order=ORDER,
                context={
                    "states": [
                        (state, labels[state], states[state]) for state in selectors.OPEN_STATES if state in states
                    ],
                    "waiting": items[:SHOWN],
                    "waiting_count": len(items),
                    "is_municipality": panel.membership.organisation.kind == OrganisationKind.MUNICIPALITY,
                },
            )
        )
    return sections


@part
def register_applications() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
