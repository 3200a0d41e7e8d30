"""The "Financování" entry on the home dashboard (core hook ``dashboard_sections``): in the panel of every provider
organisation and of every organisation that manages networks (a regional authority, a municipality), the way to the
financing hub and its main pages. No query at all: the parts' own sections (applications, settlements) carry the
counts."""

from __future__ import annotations

from qmss.core import hooks
from qmss.core.dashboard import Section
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.financing.registration import part

ORDER = 45  # before the parts' sections (applications 50, settlements 55)
KINDS = {
    OrganisationKind.PROVIDER: "provider",
    OrganisationKind.REGION: "manager",
    OrganisationKind.MUNICIPALITY: "manager",
}


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    return [
        Section(
            key="financing-hub",
            template="financing/dashboard_section.html",
            membership_id=panel.membership.pk,
            order=ORDER,
            context={"side": KINDS[panel.membership.organisation.kind]},
        )
        for panel in panels
        if panel.membership.organisation.kind in KINDS
    ]


@part
def register_dashboard() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
