"""Reads of the financing hub (``/financovani/``), the API and the dashboard section, each scoped by the rules of
:mod:`qmss.financing.permissions`:

- the manager side (members of a programme's organisation, superusers) sees its programmes, their applications,
  compensation lines and settlements (``can_see_programme``);
- a provider organisation's members see its own applications, lines and settlements (``can_see_filed``);
- reference values are public.
"""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from qmss.core.roles import OrganisationKind, Perm
from qmss.core.scoping import Scope
from qmss.financing import permissions
from qmss.financing.models import (
    CompensationLine,
    Programme,
    ReferenceValueSet,
    Settlement,
    SubsidyApplication,
)

HUB_ROWS = 20
MANAGER_KINDS = (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY)


def provider_organisation_ids(scope: Scope) -> frozenset[int]:
    """The user's provider organisations (where they may see the organisation's own filings)."""
    return frozenset(
        g.organisation_id
        for g in scope.grants
        if g.organisation_kind == OrganisationKind.PROVIDER and Perm.VIEW in scope.perms_in(g.organisation_id)
    )


def manager_side_organisation_ids(scope: Scope) -> frozenset[int]:
    """Regional authorities and municipalities the user is a member of (they see their programmes' material)."""
    return frozenset(
        g.organisation_id
        for g in scope.grants
        if g.organisation_kind in MANAGER_KINDS and Perm.VIEW in scope.perms_in(g.organisation_id)
    )


# --- programmes ------------------------------------------------------------------------------------------------


def managed_programmes(scope: Scope) -> QuerySet[Programme]:
    """Programmes whose working material the user sees (``can_see_programme``), with application counts."""
    qs = Programme.objects.select_related("organisation", "network", "organisation__region")
    if not scope.is_superuser:
        qs = qs.filter(organisation_id__in=scope.organisation_ids(Perm.VIEW))
    return qs.annotate(
        application_count=Count("applications", distinct=True),
        submitted_count=Count("applications", filter=Q(applications__state="submitted"), distinct=True),
    ).order_by("-year", "name", "pk")


def open_programmes_for(organisation_ids) -> QuerySet[Programme]:
    """Open programmes of the networks whose current version holds a service of these provider organisations."""
    from qmss.network.models import NetworkEntry, NetworkVersion
    from qmss.registry.selectors_links import services_of_organisations

    newest = (
        NetworkVersion.objects.filter(network=OuterRef("version__network"))
        .values("network")
        .annotate(top=Max("number"))
        .values("top")
    )
    networks = NetworkEntry.objects.filter(
        version__number=Subquery(newest), service__in=services_of_organisations(organisation_ids)
    ).values("version__network")
    return (
        Programme.objects.filter(state=Programme.State.OPEN, network__in=networks)
        .select_related("network")
        .order_by("deadline", "name", "pk")
    )


def managed_networks(scope: Scope):
    """Networks of the organisations whose manager side the user is on (entrustments are per network)."""
    from qmss.network.models import Network

    qs = Network.objects.select_related("organisation")
    if not scope.is_superuser:
        qs = qs.filter(organisation_id__in=manager_side_organisation_ids(scope))
    return qs.order_by("-period_start", "name", "pk")


# --- filings ---------------------------------------------------------------------------------------------------


def visible_applications(scope: Scope) -> QuerySet[SubsidyApplication]:
    """The applications part's scope (the provider's own and the manager side's), in a stable order."""
    from qmss.financing.selectors_applications import visible_applications as scoped

    return (
        scoped(scope)
        .select_related("programme", "programme__network", "service", "organisation")
        .order_by("-programme__year", "programme__name", "service__name", "pk")
    )


def own_applications(scope: Scope) -> QuerySet[SubsidyApplication]:
    """Applications of the user's provider organisations (the provider's view of the hub)."""
    return visible_applications(scope).filter(organisation_id__in=provider_organisation_ids(scope))


def visible_settlements(scope: Scope) -> QuerySet[Settlement]:
    """The settlement part's scope (the provider's own and the manager side's), in a stable order."""
    from qmss.financing.selectors_settlement import visible_settlements as scoped

    return (
        scoped(scope)
        .select_related("application", "application__programme", "application__service", "organisation")
        .order_by("-application__programme__year", "application__service__name", "pk")
    )


def visible_lines(scope: Scope) -> QuerySet[CompensationLine]:
    """Compensation lines: the manager side sees all of its programmes' lines, a provider its own."""
    qs = CompensationLine.objects.select_related(
        "run", "run__programme", "service", "application", "application__organisation"
    ).order_by("-run__programme__year", "run__programme__name", "-run__number", "service__name", "pk")
    if scope.is_superuser:
        return qs
    own = scope.organisation_ids(Perm.VIEW)
    return qs.filter(Q(application__organisation_id__in=own) | Q(run__programme__organisation_id__in=own))


def linked_services(scope: Scope):
    """Registry services of the user's verified provider organisations (their standards' records)."""
    from qmss.registry.selectors_links import services_of_organisations

    return services_of_organisations(provider_organisation_ids(scope)).order_by("name", "pk")


# --- reference values (public) -----------------------------------------------------------------------------------


def reference_sets() -> QuerySet[ReferenceValueSet]:
    return ReferenceValueSet.objects.select_related(
        "organisation", "organisation__region", "organisation__municipality"
    ).order_by("-year", "organisation__region__name", "-version", "pk")


def managed_reference_sets(scope: Scope) -> QuerySet[ReferenceValueSet]:
    qs = reference_sets()
    if scope.is_superuser:
        return qs
    return qs.filter(organisation_id__in=permissions.manager_organisation_ids(scope))
