"""Who may do what in financing – the one place every part of the financing app asks.

- The **manager** of a programme, of reference values and of entrustments is an organisation that manages
  networks (a regional authority's network managers, a municipality's editors – the network app's rule,
  :func:`qmss.network.permissions.manage_perm`), and superusers.
- Members of the manager organisation (any role) see its programmes, compensation tables, allocations,
  entrustments and every settlement of its programmes (``can_see_programme``).
- A **provider** organisation reaches a service only through its verified registry link: its editors file
  subsidy applications, settlements and the standards' records of their linked services; its members see them.
  A provider never sees another provider's application, settlement or compensation line.
- Reference values are published data: everyone may read them.
"""

from __future__ import annotations

from qmss.core.roles import Perm
from qmss.core.scoping import Scope
from qmss.network.permissions import manage_perm, managed_organisation_ids


def can_manage_organisation(scope: Scope, organisation) -> bool:
    """Manage the financing of ``organisation`` (programmes, reference values, entrustments)."""
    if scope.is_superuser:
        return True
    return scope.has_perm(manage_perm(organisation.kind), organisation.pk)


def manager_organisation_ids(scope: Scope) -> frozenset[int]:
    """Organisations whose financing this user manages."""
    return managed_organisation_ids(scope)


def can_manage_programme(scope: Scope, programme) -> bool:
    return can_manage_organisation(scope, programme.organisation)


def can_see_programme(scope: Scope, programme) -> bool:
    """See the manager's working material of a programme (all applications, tables, allocation, settlements)."""
    return scope.is_superuser or programme.organisation_id in scope.organisation_ids(Perm.VIEW)


def can_see_filed(scope: Scope, obj) -> bool:
    """See an application or a settlement: its provider organisation's members and the programme's manager side.

    ``obj`` has ``organisation_id`` (the provider organisation) and a programme (``obj.programme`` or
    ``obj.application.programme``)."""
    if scope.is_superuser or obj.organisation_id in scope.organisation_ids(Perm.VIEW):
        return True
    programme = obj.programme if hasattr(obj, "programme") else obj.application.programme
    return can_see_programme(scope, programme)


def can_edit_filed(scope: Scope, obj) -> bool:
    """Change an application or a settlement while the provider may (the action checks the state)."""
    return scope.is_superuser or scope.has_perm(Perm.EDIT, obj.organisation_id)


def can_file_application(scope: Scope, organisation) -> bool:
    """File subsidy applications (and settlements) for ``organisation``: the editors of a provider organisation
    (the services themselves are reached only through its verified registry link)."""
    from qmss.core.roles import OrganisationKind

    if organisation.kind != OrganisationKind.PROVIDER:
        return False
    return scope.is_superuser or scope.has_perm(Perm.EDIT, organisation.pk)


def can_manage_reference_values(scope: Scope, organisation) -> bool:
    """Import reference values for ``organisation``: a region or municipality whose networks the user manages."""
    from qmss.core.roles import OrganisationKind

    if organisation.kind not in (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY):
        return False
    return can_manage_organisation(scope, organisation)


def can_see_entrustment(scope: Scope, entrustment) -> bool:
    """See an entrustment: the manager side (members of the manager organisation) always; the entrusted
    provider's organisation (verified registry link to the service's provider) once it is issued – never a
    proposal, never another provider's."""
    if scope.is_superuser or entrustment.organisation_id in scope.organisation_ids(Perm.VIEW):
        return True
    if entrustment.state == entrustment.State.PROPOSED:
        return False
    from qmss.registry.selectors_links import services_of_organisations

    organisations = scope.organisation_ids(Perm.VIEW)
    return bool(organisations) and services_of_organisations(organisations).filter(pk=entrustment.service_id).exists()


# --- standards (personnel standard, MTS) of a service: H7 -------------------------------------------------------


def standards_services_condition(scope: Scope, *, edit: bool = False):
    """The registry services whose standards' records the user may see (``edit``: change) – a ``Q`` for
    ``Service`` querysets, None for a superuser. See: members of the service's verified provider organisation and
    the network managers of a region the service has a facility in. Change: the provider's editors."""
    from django.db.models import Q

    from qmss.core.roles import OrganisationKind
    from qmss.registry.selectors import in_regions_condition

    if scope.is_superuser:
        return None
    condition = Q(
        provider__link__organisation_id__in=scope.organisation_ids(Perm.EDIT if edit else Perm.VIEW),
        provider__link__organisation__kind=OrganisationKind.PROVIDER,
    )
    regions = scope.region_ids(Perm.MANAGE_NETWORK)
    if regions and not edit:
        condition |= Q(in_regions_condition(regions))
    return condition


def _service_matches(scope: Scope, service, *, edit: bool) -> bool:
    from qmss.registry.models import Service

    if not scope.is_authenticated:
        return False
    condition = standards_services_condition(scope, edit=edit)
    if condition is None:
        return True
    return Service.objects.filter(condition, pk=service.pk).exists()


def can_see_service_standards(scope: Scope, service) -> bool:
    """See a service's staff positions, buildings, households, rooms and the checks (read-only for managers)."""
    return _service_matches(scope, service, edit=False)


def can_edit_service_standards(scope: Scope, service) -> bool:
    """Record the service's staff positions and buildings: editors of its verified provider (and superusers)."""
    return _service_matches(scope, service, edit=True)
