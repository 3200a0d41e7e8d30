"""The territory's sections of the home dashboard: where a regional authority or a municipality works.

* a regional authority: its region – residents, residents aged 65+, ORPs and municipalities, with the link to
  the region's page (the former ``figures["region"]`` block);
* a municipality: the municipality, its ORP and region, with the municipality's own residents (not the
  region's figures) and links to the municipality's and the ORP's pages.

Territory is public reference data (no scoping). A constant number of queries for any number of panels.
"""

from __future__ import annotations

from django.db.models import Count

from qmss.core.dashboard import Section, regional_panels
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.territory.models import Municipality, Population
from qmss.territory.selectors import dashboard_region_figures, latest_reference_date

REGION_ORDER = 60
MUNICIPALITY_ORDER = 5


def municipality_figures(municipality_ids) -> dict[int, dict]:
    """Each municipality with its ORP, region, residents at the latest date and the ORP's municipality count –
    three queries for any number of municipalities."""
    municipality_ids = list(municipality_ids)
    if not municipality_ids:
        return {}
    rows = (
        Municipality.objects.filter(pk__in=municipality_ids)
        .select_related("orp", "region")
        .defer("orp__boundary", "region__boundary")
    )
    figures = {m.pk: {"municipality": m, "orp": m.orp, "region": m.region} for m in rows}
    latest = latest_reference_date()
    if latest:
        populations = Population.objects.filter(municipality_id__in=municipality_ids, reference_date=latest)
        for municipality_id, total, senior in populations.values_list("municipality_id", "total", "age_65_plus"):
            figures[municipality_id].update(population=total, population_65=senior, reference_date=latest)
    orp_ids = {f["orp"].pk for f in figures.values()}
    sizes = dict(
        Municipality.objects.filter(orp_id__in=orp_ids)
        .values("orp_id")
        .annotate(n=Count("pk"))
        .values_list("orp_id", "n")
        .order_by()
    )
    for item in figures.values():
        item["orp_municipalities"] = sizes.get(item["orp"].pk, 0)
    return figures


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    """The core hook ``dashboard_sections``: the territory of region and municipality panels."""
    regional = regional_panels(panels)
    municipal = [
        p
        for p in panels
        if p.membership.organisation.kind == OrganisationKind.MUNICIPALITY and p.membership.organisation.municipality_id
    ]
    sections = []
    if regional:
        figures = dashboard_region_figures({p.membership.organisation.region_id for p in regional})
        sections += [
            Section(
                key="territory-region",
                template="territory/dashboard/region_territory.html",
                membership_id=panel.membership.pk,
                order=REGION_ORDER,
                context={"region": figures.get(panel.membership.organisation.region_id)},
            )
            for panel in regional
        ]
    if municipal:
        figures = municipality_figures({p.membership.organisation.municipality_id for p in municipal})
        sections += [
            Section(
                key="territory-municipality",
                template="territory/dashboard/region_municipality.html",
                membership_id=panel.membership.pk,
                order=MUNICIPALITY_ORDER,
                context={"place": figures.get(panel.membership.organisation.municipality_id)},
            )
            for panel in municipal
        ]
    return sections
