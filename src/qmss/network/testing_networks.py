"""Builders of networks for tests and demos, and the URL-matrix plug-in of the networks part."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from qmss.core.models import Membership, Organisation
from qmss.core.roles import OrganisationKind, Role
from qmss.network.models import BriefItem, Network

_seq = itertools.count(1)

FILTER_VALUES: dict[str, str] = {}


def _organisation(tenant_or_org) -> Organisation:
    if isinstance(tenant_or_org, Organisation):
        return tenant_or_org
    return tenant_or_org.orgs[OrganisationKind.REGION]


def manager_of(organisation: Organisation):
    """A user who manages ``organisation``'s networks (its network manager, a municipality's editor or admin);
    one is made when the organisation has none."""
    from qmss.core.roles import ROLE_PERMS
    from qmss.network.permissions import manage_perm

    perm = manage_perm(organisation.kind)
    for membership in Membership.objects.filter(organisation=organisation).select_related("user").order_by("pk"):
        if perm in ROLE_PERMS.get(membership.role, ()):
            return membership.user
    from qmss.testing.factories import make_user

    role = Role.NETWORK_MANAGER if organisation.kind == OrganisationKind.REGION else Role.EDITOR
    return make_user(f"spravce-site-{next(_seq)}", org=organisation, role=role)


def make_network(tenant_or_org, *, services=(), user=None, name: str | None = None) -> Network:
    """A network of the region organisation (of a tenant, or the given organisation) with tiers from the library,
    the initial rule and parameter sets (when the rules part is there) and version 1 holding an entry for each of
    ``services`` (capacity from the registry in the kind's unit, first tier, ORPs of the facilities).

    A network is public (its name, entries and brief are shown to everybody): never put a tenant's secret into its
    name, its services' names or its brief when building the URL matrix."""
    from qmss.network.actions_networks import build_network

    organisation = _organisation(tenant_or_org)
    user = user or manager_of(organisation)
    return build_network(
        user=user,
        organisation=organisation,
        name=name or f"Síť sociálních služeb {next(_seq)}",
        period_start=date(2026, 1, 1),
        period_end=date(2028, 12, 31),
        description="Síť pro testy",
        services=list(services),
    )


def matrix_kwargs(tenant) -> dict:
    """Tenant A's network with an entry, a brief item and a registry service of its territory not in it yet.

    The network, its entries and brief are public (and the registry is public open data), so no name here
    carries a secret; the manager's pages show the managing organisation's name (a secret) to its members."""
    from qmss.network.selectors_networks import current_version
    from qmss.registry.testing import make_provider, make_service

    region_org = tenant.orgs[OrganisationKind.REGION]
    provider = make_provider("Poskytovatel sociálních služeb v síti")
    service = make_service(provider, name="Domov pro seniory v síti", municipalities=[tenant.municipality])
    make_service(provider, name="Domov pro seniory mimo síť", municipalities=[tenant.municipality])
    network = make_network(region_org, services=[service], name="Krajská síť sociálních služeb")
    entry = current_version(network).entries.get()
    entry.note = "Poznámka k položce sítě"
    entry.municipality_codes = [tenant.municipality.code]
    entry.financing_category = "kraj"
    entry.save(update_fields=["note", "municipality_codes", "financing_category"])
    item = BriefItem.objects.create(
        network=network,
        kind=service.kind,
        orp=tenant.municipality.orp,
        unit=entry.unit,
        target_capacity=Decimal(50),
        justification="Zdůvodnění cíle zadání",
    )
    return {"network_pk": network.pk, "entry_pk": entry.pk, "brief_item_pk": item.pk}
