"""The home dashboard: one panel per membership, shaped by the organisation kind and role."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from qmss.core.models import Membership, Organisation
from qmss.core.roles import ROLE_PERMS, OrganisationKind, Perm
from qmss.core.scoping import Scope


@dataclass
class Panel:
    membership: Membership
    perms: frozenset[str]
    figures: dict[str, object] = field(default_factory=dict)


def _territory_figures(region_ids: set[int]) -> dict[int, dict]:
    """Population, ORPs and municipalities per region in two queries."""
    from qmss.territory.models import Population, Region

    latest = Population.objects.order_by("-reference_date").values_list("reference_date", flat=True).first()
    rows = (
        Region.objects.filter(pk__in=region_ids)
        .annotate(orp_count=Count("orps", distinct=True), municipality_count=Count("municipalities", distinct=True))
        .values("pk", "name", "code", "orp_count", "municipality_count")
    )
    figures = {row["pk"]: dict(row) for row in rows}
    if latest:
        pops = (
            Population.objects.filter(reference_date=latest, municipality__region_id__in=region_ids)
            .values("municipality__region_id")
            .annotate(total=Sum("total"), senior=Sum("age_65_plus"))
        )
        for row in pops:
            figures[row["municipality__region_id"]].update(
                population=row["total"], population_65=row["senior"], reference_date=latest
            )
    return figures


def _improvement_actions(scope: Scope, user, memberships) -> dict:
    """Overdue and upcoming development-plan actions per provider organisation, in one query (if installed)."""
    if not any(m.organisation.kind == OrganisationKind.PROVIDER for m in memberships):
        return {}
    try:
        from qmss.improvement.selectors import dashboard_actions
    except ImportError:
        return {}
    return dashboard_actions(scope, user)


def build_panels(scope: Scope, user) -> list[Panel]:
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation", "organisation__region", "organisation__municipality")
        .annotate(member_count=Count("organisation__memberships__user", distinct=True))
        .order_by("organisation__name", "role")
    )
    region_ids = {m.organisation.region_id for m in memberships if m.organisation.region_id}
    figures = _territory_figures(region_ids) if region_ids else {}
    improvement = _improvement_actions(scope, user, memberships)
    panels = []
    for membership in memberships:
        panel = Panel(membership=membership, perms=ROLE_PERMS[membership.role])
        org = membership.organisation
        if org.region_id:
            panel.figures["region"] = figures.get(org.region_id)
        if org.kind == OrganisationKind.PROVIDER:
            panel.figures["actions"] = improvement.get(org.pk)
        if org.kind == OrganisationKind.REGION:
            panel.figures["providers_in_region"] = Organisation.objects.filter(
                kind=OrganisationKind.PROVIDER, region_id=org.region_id
            ).count()
        panels.append(panel)
    return panels


def system_figures() -> dict[str, object]:
    from qmss.territory.models import Municipality, Orp, Region, TerritoryImport

    return {
        "organisations": Organisation.objects.aggregate(
            total=Count("pk"), providers=Count("pk", filter=Q(kind=OrganisationKind.PROVIDER))
        ),
        "users": get_user_model().objects.filter(is_active=True).count(),
        "regions": Region.objects.count(),
        "orps": Orp.objects.count(),
        "municipalities": Municipality.objects.count(),
        "last_import": TerritoryImport.objects.order_by("-started_at").first(),
    }


def can(panel: Panel, perm: str) -> bool:
    return perm in panel.perms


__all__ = ["Panel", "Perm", "build_panels", "system_figures"]
