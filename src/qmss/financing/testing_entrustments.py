"""Builders of entrustments for tests and demos, and the URL-matrix plug-in of the entrustments part."""

from __future__ import annotations

from decimal import Decimal

from qmss.core.roles import OrganisationKind
from qmss.financing import actions_entrustments as actions
from qmss.financing.entrustment_sync import key_of
from qmss.financing.models import Entrustment
from qmss.network.models import Network, NetworkEntry

FILTER_VALUES: dict[str, str] = {}


def add_entry(network: Network, service, *, capacity: Decimal = Decimal(30), orp_codes=(), municipality_codes=()):
    """An entry of ``service`` in the network's current version, written directly (no new version): for builders
    that must not move the network's version. Returns the entry (an existing one of the service is kept)."""
    from qmss.network.defaults_networks import unit_for_kind
    from qmss.network.selectors_networks import current_version

    version = current_version(network)
    unit = unit_for_kind(service.kind.code if service.kind_id else None)
    entry = NetworkEntry.objects.filter(version=version, service=service).first()
    if entry is not None:
        return entry
    tier = network.tiers.order_by("order", "code").first()
    return NetworkEntry.objects.create(
        version=version,
        service=service,
        unit=unit,
        capacity=capacity,
        tier=tier,
        orp_codes=[int(code) for code in orp_codes],
        municipality_codes=[str(code) for code in municipality_codes],
    )


def make_entrustment(
    network: Network, entry: NetworkEntry, *, user=None, issue: bool = False, act_reference: str = ""
) -> Entrustment:
    """A proposed (or, with ``issue``, issued) entrustment of ``entry`` through the actions."""
    from qmss.network.testing_networks import manager_of

    user = user or manager_of(network.organisation)
    (record,) = actions.propose_entrustments(user=user, network=network, keys=[key_of(entry.service_id, entry.unit)])
    if act_reference:
        record = actions.update_entrustment(
            user=user,
            entrustment=record,
            obligation=record.obligation,
            period_start=record.period_start,
            period_end=record.period_end,
            act_reference=act_reference,
        )
    if issue:
        (record,) = actions.issue_entrustments(user=user, network=network, entrustment_ids=[record.pk])
    return record


def matrix_kwargs(tenant) -> dict:
    """A proposed entrustment of tenant A's provider service on A's network (the one the networks part built),
    its act reference and obligation carrying A's secrets (the manager's and the provider's names). The other
    entries of the network stay without entrustments, so the manager's page offers proposals to make and one
    to issue."""
    from qmss.assessments.testing import link_provider_to_registry
    from qmss.network.testing_networks import make_network, manager_of
    from qmss.registry.selectors_links import linked_services

    region_org = tenant.orgs[OrganisationKind.REGION]
    provider_org = tenant.orgs[OrganisationKind.PROVIDER]
    network = Network.objects.filter(organisation=region_org).order_by("pk").first() or make_network(region_org)
    service = linked_services(provider_org).select_related("kind").order_by("pk").first()
    if service is None:
        service = link_provider_to_registry(
            provider_org, service_name=f"Služba {provider_org.ico}", region=tenant.region
        )
    entry = add_entry(
        network,
        service,
        orp_codes=[tenant.municipality.orp.ruian_code],
        municipality_codes=[tenant.municipality.code],
    )
    user = manager_of(region_org)
    record = make_entrustment(network, entry, user=user, act_reference=f"Usnesení rady {region_org.name} č. 1/2026")
    actions.update_entrustment(
        user=user,
        entrustment=record,
        obligation=f"{record.obligation}\n\nPoskytovatel: {provider_org.name}",
        period_start=record.period_start,
        period_end=record.period_end,
        act_reference=record.act_reference,
    )
    return {"entrustment_pk": record.pk}
