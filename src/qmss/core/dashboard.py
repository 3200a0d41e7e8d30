"""The home dashboard: one panel per membership, shaped by the organisation kind and role.

Figures from other apps come through core hooks, each answering for all panels at once (no query per panel):
``dashboard_region_figures(region_ids) -> {region_id: figures}`` (under ``panel.figures["region"]``),
``dashboard_provider_figures(scope, user, organisation_ids) -> {organisation_id: actions}`` (``["actions"]``)
and ``dashboard_system_figures() -> dict`` for the superuser's overview.

Apps contribute whole sections of the dashboard through the ``dashboard_sections`` hook:
``fn(request, scope, panels) -> list[Section]``. One call answers for every panel at once (a constant number of
queries, never one per membership). A section with ``membership_id`` is shown inside that membership's panel; one
with ``membership_id=None`` above all panels. Sections are ordered by ``order`` (lower first), then by ``key``.
Later apps (needs, network, financing, training) add theirs the same way, from their ``AppConfig.ready``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from qmss.core import hooks
from qmss.core.models import Membership, Organisation
from qmss.core.roles import ROLE_PERMS, OrganisationKind, Perm
from qmss.core.scoping import Scope

# Kinds whose panels show their territory through the apps' sections (``dashboard_region.py`` modules), not
# through ``figures["region"]``.
SECTION_TERRITORY_KINDS = frozenset({OrganisationKind.REGION, OrganisationKind.MUNICIPALITY, OrganisationKind.MINISTRY})


@dataclass
class Panel:
    membership: Membership
    perms: frozenset[str]
    figures: dict[str, object] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)


@dataclass
class Section:
    """One block of the dashboard, rendered by ``template`` with ``context`` (plus ``panel`` and ``section``)."""

    key: str
    template: str
    context: dict[str, object] = field(default_factory=dict)
    membership_id: int | None = None
    order: int = 100


def collect_sections(request, scope: Scope, panels: list[Panel]) -> list[Section]:
    """Every app's sections for these panels; each panel gets its own in ``panel.sections``; the rest returned."""
    sections: list[Section] = []
    for contributed in hooks.call_all("dashboard_sections", request, scope, panels):
        sections.extend(contributed or [])
    sections.sort(key=lambda section: (section.order, section.key))
    by_membership: dict[int, list[Section]] = {}
    top: list[Section] = []
    for section in sections:
        if section.membership_id is None:
            top.append(section)
        else:
            by_membership.setdefault(section.membership_id, []).append(section)
    for panel in panels:
        panel.sections = by_membership.get(panel.membership.pk, [])
    return top


def build_panels(scope: Scope, user) -> list[Panel]:
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation", "organisation__region", "organisation__municipality")
        .annotate(member_count=Count("organisation__memberships__user", distinct=True))
        .order_by("organisation__name", "role")
    )
    # regional authorities, municipalities and the ministry get their territory from their apps' sections
    region_ids = {
        m.organisation.region_id
        for m in memberships
        if m.organisation.region_id and m.organisation.kind not in SECTION_TERRITORY_KINDS
    }
    figures = hooks.merged("dashboard_region_figures", region_ids) if region_ids else {}
    provider_ids = {m.organisation_id for m in memberships if m.organisation.kind == OrganisationKind.PROVIDER}
    improvement = hooks.merged("dashboard_provider_figures", scope, user, provider_ids) if provider_ids else {}
    panels = []
    for membership in memberships:
        panel = Panel(membership=membership, perms=ROLE_PERMS[membership.role])
        org = membership.organisation
        if org.region_id and org.kind not in SECTION_TERRITORY_KINDS:
            panel.figures["region"] = figures.get(org.region_id)
        if org.kind == OrganisationKind.PROVIDER:
            panel.figures["actions"] = improvement.get(org.pk)
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


def regional_panels(panels: list[Panel]) -> list[Panel]:
    """The panels of the user's regional-authority memberships whose organisation acts for a region."""
    return [
        p
        for p in panels
        if p.membership.organisation.kind == OrganisationKind.REGION and p.membership.organisation.region_id
    ]


__all__ = ["Panel", "Perm", "Section", "build_panels", "collect_sections", "regional_panels", "system_figures"]
