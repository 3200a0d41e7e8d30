"""The networks part's section on the home dashboard of regional authority and municipality staff: the
organisation's networks and the way to create one. One query for any number of panels."""

from __future__ import annotations

from django.db.models import Max

from qmss.core import hooks
from qmss.core.dashboard import Section
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.network.models import Network
from qmss.network.permissions import manage_perm
from qmss.network.registration import part

ORDER = 30
KINDS = (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY)


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    """The core hook ``dashboard_sections``: the networks of each regional authority's or municipality's panel."""
    chosen = [p for p in panels if p.membership.organisation.kind in KINDS]
    if not chosen:
        return []
    networks: dict[int, list[Network]] = {}
    rows = (
        Network.objects.filter(organisation_id__in={p.membership.organisation_id for p in chosen})
        .annotate(current_number=Max("versions__number"))
        .order_by("-period_start", "name")
    )
    for network in rows:
        networks.setdefault(network.organisation_id, []).append(network)
    return [
        Section(
            key="network-networks",
            template="network/networks/dashboard_section.html",
            membership_id=panel.membership.pk,
            order=ORDER,
            context={
                "networks": networks.get(panel.membership.organisation_id, []),
                "can_create": manage_perm(panel.membership.organisation.kind) in panel.perms,
            },
        )
        for panel in chosen
    ]


@part
def register_dashboard() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
