"""Reachability of the kind cards from the home dashboard (core hook ``dashboard_sections``): for regional staff
the cards in consultation with the comments awaiting settlement, for providers the open consultations they are
asked to comment on. One query for all panels of each kind."""

from __future__ import annotations

from qmss.core import hooks
from qmss.core.dashboard import Section, regional_panels
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.needs.registration import part

ORDER = 45


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    from qmss.needs import selectors_cards as selectors

    sections: list[Section] = []
    regional = regional_panels(panels)
    if regional:
        cards = selectors.region_consultations({p.membership.organisation.region_id for p in regional})
        sections += [
            Section(
                key="needs-region-cards",
                template="needs/cards/dashboard/region.html",
                membership_id=panel.membership.pk,
                order=ORDER,
                context={
                    "region": panel.membership.organisation.region,
                    "cards": cards.get(panel.membership.organisation.region_id, []),
                },
            )
            for panel in regional
        ]
    providers = [p for p in panels if p.membership.organisation.kind == OrganisationKind.PROVIDER]
    if providers:
        asked = selectors.provider_consultations({p.membership.organisation_id for p in providers})
        sections += [
            Section(
                key="needs-provider-cards",
                template="needs/cards/dashboard/provider.html",
                membership_id=panel.membership.pk,
                order=ORDER,
                context={"consultations": asked[panel.membership.organisation_id]},
            )
            for panel in providers
            if asked.get(panel.membership.organisation_id)
        ]
    return sections


@part
def register_cards() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
