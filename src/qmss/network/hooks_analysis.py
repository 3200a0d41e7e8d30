"""The analysis part's section on the home dashboard of regional authority staff: a link to the need-versus-
capacity analysis of their region. One query for any number of panels."""

from __future__ import annotations

from qmss.core import hooks
from qmss.core.dashboard import Section, regional_panels
from qmss.core.scoping import Scope
from qmss.network.registration import part
from qmss.territory.models import Region

ORDER = 35


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    """The core hook ``dashboard_sections``: the analysis link of each regional authority's panel."""
    chosen = [p for p in regional_panels(panels) if p.membership.organisation.region_id]
    if not chosen:
        return []
    region_ids = {p.membership.organisation.region_id for p in chosen}
    regions = {region.pk: region for region in Region.objects.filter(pk__in=region_ids).only("code", "name")}
    return [
        Section(
            key="network-analysis",
            template="network/analysis/dashboard_section.html",
            membership_id=panel.membership.pk,
            order=ORDER,
            context={"region": regions.get(panel.membership.organisation.region_id)},
        )
        for panel in chosen
    ]


@part
def register_dashboard() -> None:
    hooks.register("dashboard_sections", dashboard_sections)
