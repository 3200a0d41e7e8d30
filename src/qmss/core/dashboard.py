"""The home dashboard: one panel per membership, shaped by the organisation kind and role.

Figures from other apps come through core hooks, each answering for all panels at once (no query per panel):
``dashboard_region_figures(region_ids) -> {region_id: figures}`` (under ``panel.figures["region"]``),
``dashboard_provider_figures(scope, user, organisation_ids) -> {organisation_id: actions}`` (``["actions"]``)
and ``dashboard_system_figures() -> dict`` for the superuser's overview.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from qmss.core import hooks
from qmss.core.models import Membership, Organisation
from qmss.core.roles import ROLE_PERMS, OrganisationKind, Perm
from qmss.core.scoping import Scope


@dataclass
class Panel:
    membership: Membership
    perms: frozenset[str]
    figures: dict[str, object] = field(default_factory=dict)


def _providers_per_region(region_ids: set[int | None]) -> dict[int, int]:
    """Provider organisations seated in each region, in one query (not one per regional membership)."""
    region_ids = {pk for pk in region_ids if pk is not None}
    if not region_ids:
        return {}
    rows = (
        Organisation.objects.filter(kind=OrganisationKind.PROVIDER, region_id__in=region_ids)
        .values("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    return dict(rows)


def build_panels(scope: Scope, user) -> list[Panel]:
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation", "organisation__region", "organisation__municipality")
        .annotate(member_count=Count("organisation__memberships__user", distinct=True))
        .order_by("organisation__name", "role")
    )
    region_ids = {m.organisation.region_id for m in memberships if m.organisation.region_id}
    figures = hooks.merged("dashboard_region_figures", region_ids) if region_ids else {}
    provider_ids = {m.organisation_id for m in memberships if m.organisation.kind == OrganisationKind.PROVIDER}
    improvement = hooks.merged("dashboard_provider_figures", scope, user, provider_ids) if provider_ids else {}
    providers_in_region = _providers_per_region(
        {m.organisation.region_id for m in memberships if m.organisation.kind == OrganisationKind.REGION}
    )
    panels = []
    for membership in memberships:
        panel = Panel(membership=membership, perms=ROLE_PERMS[membership.role])
        org = membership.organisation
        if org.region_id:
            panel.figures["region"] = figures.get(org.region_id)
        if org.kind == OrganisationKind.PROVIDER:
            panel.figures["actions"] = improvement.get(org.pk)
        if org.kind == OrganisationKind.REGION:
            panel.figures["providers_in_region"] = providers_in_region.get(org.region_id, 0)
        panels.append(panel)
    return panels


def system_figures() -> dict[str, object]:
    """The superuser's overview: organisations and users, plus what apps add via ``dashboard_system_figures``."""
    return {
        "organisations": Organisation.objects.aggregate(
            total=Count("pk"), providers=Count("pk", filter=Q(kind=OrganisationKind.PROVIDER))
        ),
        "users": get_user_model().objects.filter(is_active=True).count(),
        **hooks.merged("dashboard_system_figures"),
    }


def can(panel: Panel, perm: str) -> bool:
    return perm in panel.perms


__all__ = ["Panel", "Perm", "build_panels", "system_figures"]
