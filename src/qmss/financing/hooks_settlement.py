"""Settlements on the home dashboard (core hook ``dashboard_sections``): a provider's panel lists its drafts and
returned settlements; a manager's panel (an organisation that manages networks) counts the submitted settlements
of its programmes waiting for the check. A constant number of queries for any number of panels."""

from __future__ import annotations

from qmss.core import hooks
from qmss.core.dashboard import Section
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.financing import selectors_settlement as selectors
from qmss.financing.registration import part

ORDER = 55
SHOWN = 5
MANAGER_KINDS = (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY)


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    providers = [p for p in panels if p.membership.organisation.kind == OrganisationKind.PROVIDER]
    managers = [p for p in panels if p.membership.organisation.kind in MANAGER_KINDS]
    sections: list[Section] = []
    if providers:
        open_ = selectors.provider_open({p.membership.organisation_id for p in providers})
        for panel in providers:
            items = open_.get(panel.membership.organisation_id, [])
            if not items:
                continue
            sections.append(
                Section(
                    key="financing-settlements-provider",
                    template="financing/settlement/dashboard_provider.html",
                    membership_id=panel.membership.pk,
                    order=ORDER,
                    context={"settlements": items[:SHOWN], "count": len(items)},
                )
            )
    if managers:
        waiting = selectors.manager_waiting({p.membership.organisation_id for p in managers})
        for panel in managers:
            count = waiting.get(panel.membership.organisation_id, 0)
            if not count:
                continue
            sections.append(
                Section(
                    key="financing-settlements-manager",
                    template="financing/settlement/dashboard_manager.html",
                    membership_id=panel.membership.pk,
                    order=ORDER,
                    context={"count": count},
                )
            )
    return sections


@part
def register_settlement() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
