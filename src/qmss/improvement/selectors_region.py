"""The region's view of improvement: plan progress per provider and service, and the most frequent
nonconformities by standard – aggregates only, over services with a facility in the region.

Draft plans are not counted (they are the provider's work in progress); findings count only from PUBLISHED
assessments. No process map or plan text is shown to the region.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from qmss.assessments.models import Finding
from qmss.assessments.permissions import PUBLISHED_STATES
from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.improvement.models import Action, DevelopmentPlan
from qmss.improvement.selectors import NONCONFORMITY_KINDS, today
from qmss.registry.models import Facility, Service
from qmss.registry.selectors_links import attributed, organisations_with_services_in
from qmss.territory.models import Region

TOP_STANDARDS = 15


def region_choices(scope: Scope) -> QuerySet[Region]:
    """Regions whose aggregates the user may see: where they are staff of the regional authority."""
    qs = Region.objects.order_by("name")
    return qs if scope.is_superuser else qs.filter(pk__in=scope.region_ids(Perm.VIEW))


def _in_region(region_ids, service_ref: str):
    return Exists(Facility.objects.filter(service_id=OuterRef(service_ref), region_id__in=region_ids))


def plan_progress(region_ids) -> list[dict]:
    """Per provider organisation and service (or the whole organisation): plans, actions total / done / overdue
    – one query. Only active and closed plans count."""
    day = today()
    plans = DevelopmentPlan.objects.filter(
        organisation__kind=OrganisationKind.PROVIDER,
        state__in=(DevelopmentPlan.State.ACTIVE, DevelopmentPlan.State.CLOSED),
    ).filter(
        Q(
            attributed(),  # a plan on a service only counts from the service's verified provider
            service__isnull=False,
            service_id__in=Service.objects.filter(_in_region(region_ids, "pk")),
        )
        | Q(service__isnull=True, organisation_id__in=organisations_with_services_in(region_ids))
    )
    open_q = Q(actions__status__in=Action.OPEN_STATUSES)
    rows = (
        plans.values(
            organisation_name=F("organisation__name"),
            org_id=F("organisation_id"),
            service_name=F("service__name"),
            service_ref=F("service_id"),
        )
        .annotate(
            plans=Count("pk", distinct=True),
            total=Count("actions"),
            done=Count("actions", filter=Q(actions__status=Action.Status.DONE)),
            overdue=Count("actions", filter=open_q & Q(actions__deadline__lt=day)),
        )
        # organisation-wide plans (no service) first on every database: NULLs sort differently otherwise
        .order_by("organisation_name", "org_id", F("service_name").asc(nulls_first=True), "service_ref")
    )
    result = []
    for row in rows:
        row["percent_done"] = round(100 * row["done"] / row["total"]) if row["total"] else None
        result.append(row)
    return result


def frequent_nonconformities(region_ids, limit: int = TOP_STANDARDS) -> list[dict]:
    """Major and minor nonconformities of published assessments of the region's services, grouped by the
    standard above the criterion (the criterion itself when it has no parent) – one query."""
    standard_ref = Coalesce("result__requirement__parent__ref_id", "result__requirement__ref_id")
    standard_title = Coalesce("result__requirement__parent__title", "result__requirement__title")
    rows = (
        Finding.objects.filter(
            kind__in=NONCONFORMITY_KINDS,
            result__assessment__state__in=PUBLISHED_STATES,
        )
        .filter(_in_region(region_ids, "result__assessment__service_id"))
        .filter(attributed("result__assessment__organisation_id", "result__assessment__service__provider_id"))
        .values(framework=F("result__requirement__framework__short_name"), standard_ref=standard_ref)
        .annotate(
            standard_title=Max(standard_title),
            major=Count("pk", filter=Q(kind=Finding.Kind.MAJOR)),
            minor=Count("pk", filter=Q(kind=Finding.Kind.MINOR)),
            total=Count("pk"),
            services=Count("result__assessment__service", distinct=True),
        )
        .order_by("-total", "framework", "standard_ref")[:limit]
    )
    return list(rows)


@dataclass
class RegionOverview:
    regions: list[Region]
    progress: list[dict]
    nonconformities: list[dict]

    @property
    def totals(self) -> dict:
        return {key: sum(row[key] for row in self.progress) for key in ("plans", "total", "done", "overdue")}


def region_overview(region_ids, regions: list[Region]) -> RegionOverview:
    return RegionOverview(
        regions=regions, progress=plan_progress(region_ids), nonconformities=frequent_nonconformities(region_ids)
    )
