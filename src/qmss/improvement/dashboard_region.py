"""The improvement section of the home dashboard for regional authorities: development-plan progress in the
region, summarised from the region view's rule (``selectors_region``): active and closed plans of provider
organisations – on a service with a facility in the region (attributed to its verified provider), or on the
whole organisation when it has a service delivered in the region. Draft plans are not counted.

Three queries for any number of regional panels (the region view itself asks once per region).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from qmss.core.dashboard import Section, regional_panels
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.improvement.models import Action, DevelopmentPlan
from qmss.improvement.selectors import today
from qmss.registry.models import Facility, Service
from qmss.registry.selectors_links import attributed, organisations_with_services_in

ORDER = 30


@dataclass
class PlanProgress:
    providers: int = 0
    plans: int = 0
    actions: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def percent_done(self) -> int | None:
        return round(100 * self.done / self.actions) if self.actions else None


def plan_progress_by_region(region_ids) -> dict[int, PlanProgress]:
    """Plans, their actions (total / done / overdue) and provider organisations per region – three queries.

    The same plans as ``selectors_region.plan_progress`` for each region; a plan that concerns several of the
    regions counts in each."""
    region_ids = list(region_ids)
    if not region_ids:
        return {}
    day = today()
    plans = (
        DevelopmentPlan.objects.filter(
            organisation__kind=OrganisationKind.PROVIDER,
            state__in=(DevelopmentPlan.State.ACTIVE, DevelopmentPlan.State.CLOSED),
        )
        .filter(
            Q(
                attributed(),
                service__isnull=False,
                service_id__in=Service.objects.filter(
                    Exists(Facility.objects.filter(service_id=OuterRef("pk"), region_id__in=region_ids))
                ),
            )
            | Q(service__isnull=True, organisation_id__in=organisations_with_services_in(region_ids))
        )
        .values("pk", "organisation_id", "service_id")
        .annotate(
            total=Count("actions"),
            done=Count("actions", filter=Q(actions__status=Action.Status.DONE)),
            overdue=Count("actions", filter=Q(actions__status__in=Action.OPEN_STATUSES, actions__deadline__lt=day)),
        )
        .order_by()
    )
    plans = list(plans)
    wanted = set(region_ids)
    # a service plan lies in the regions of the service's facilities (the region view's rule: the facility's region)
    service_regions: dict[int, set[int]] = defaultdict(set)
    service_ids = {p["service_id"] for p in plans if p["service_id"]}
    if service_ids:
        rows = Facility.objects.filter(service_id__in=service_ids, region_id__in=wanted).values_list(
            "service_id", "region_id"
        )
        for service_id, region_id in rows.order_by().distinct():
            service_regions[service_id].add(region_id)
    # an organisation-wide plan lies in every region where the organisation's verified provider delivers a service
    org_regions: dict[int, set[int]] = defaultdict(set)
    org_ids = {p["organisation_id"] for p in plans if not p["service_id"]}
    if org_ids:
        rows = (
            Facility.objects.filter(service__provider__link__organisation_id__in=org_ids)
            .filter(Q(region_id__in=wanted) | Q(municipality__region_id__in=wanted))
            .values_list("service__provider__link__organisation_id", "region_id", "municipality__region_id")
            .order_by()
            .distinct()
        )
        for org_id, region_id, municipality_region_id in rows:
            org_regions[org_id].update({region_id, municipality_region_id} & wanted)
    progress: dict[int, PlanProgress] = defaultdict(PlanProgress)
    providers: dict[int, set[int]] = defaultdict(set)
    for plan in plans:
        regions = service_regions[plan["service_id"]] if plan["service_id"] else org_regions[plan["organisation_id"]]
        for region_id in regions:
            line = progress[region_id]
            line.plans += 1
            line.actions += plan["total"]
            line.done += plan["done"]
            line.overdue += plan["overdue"]
            providers[region_id].add(plan["organisation_id"])
    for region_id, orgs in providers.items():
        progress[region_id].providers = len(orgs)
    return dict(progress)


def dashboard_sections(request, scope: Scope, panels) -> list[Section]:
    """The core hook ``dashboard_sections``: plan progress in each regional authority's panel."""
    regional = regional_panels(panels)
    if not regional:
        return []
    progress = plan_progress_by_region({p.membership.organisation.region_id for p in regional})
    return [
        Section(
            key="improvement-region-plans",
            template="improvement/dashboard/region_plans.html",
            membership_id=panel.membership.pk,
            order=ORDER,
            context={
                "region": panel.membership.organisation.region,
                "progress": progress.get(panel.membership.organisation.region_id, PlanProgress()),
            },
        )
        for panel in regional
    ]
