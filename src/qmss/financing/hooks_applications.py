"""Subsidy applications on the home dashboard (core hook ``dashboard_sections``): a provider's panel counts its
drafts and returned applications; the panel of an organisation that manages networks counts the submitted
applications of its programmes waiting for the review. Two queries for any number of panels."""

from __future__ import annotations

from qmss.core import hooks
from qmss.core.dashboard import Section
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.financing import permissions
from qmss.financing import selectors_applications as selectors
from qmss.financing.registration import part

ORDER = 50


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    providers = [p for p in panels if p.membership.organisation.kind == OrganisationKind.PROVIDER]
    managed = permissions.manager_organisation_ids(scope)
    managers = [p for p in panels if p.membership.organisation_id in managed]
    sections: list[Section] = []
    if providers:
        counts = selectors.provider_counts({p.membership.organisation_id for p in providers})
        for panel in providers:
            states = counts.get(panel.membership.organisation_id, {})
            sections.append(
                Section(
                    key="financing-applications-provider",
                    template="financing/applications/dashboard_provider.html",
                    membership_id=panel.membership.pk,
                    order=ORDER,
                    context={"drafts": states.get("draft", 0), "returned": states.get("returned", 0)},
                )
            )
    if managers:
        waiting = selectors.manager_waiting({p.membership.organisation_id for p in managers})
        for panel in managers:
            sections.append(
                Section(
                    key="financing-applications-manager",
                    template="financing/applications/dashboard_manager.html",
                    membership_id=panel.membership.pk,
                    order=ORDER,
                    context={"waiting": waiting.get(panel.membership.organisation_id, 0)},
                )
            )
    return sections


@part
def register_applications() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
