"""Builders of the standards part for tests and the URL × role matrix."""

from __future__ import annotations

from decimal import Decimal

from qmss.core.roles import OrganisationKind
from qmss.financing.models import Building, Household, Room, StaffPosition


def provider_service(tenant, *, kind: str = "15", beds: int = 12, name: str | None = None):
    """A registry service of the tenant's provider (verified link) with a facility in the tenant's region and
    ``beds`` registered beds."""
    from qmss.network.testing_applications import provider_service as network_provider_service

    return network_provider_service(
        tenant, name=name or f"Služba druhu {kind} {tenant.key}", kind=kind, forms=(("pob", (("luzka", beds),)),)
    )


def _organisation(service):
    from qmss.core.models import Organisation

    return Organisation.objects.get(provider_link__provider_id=service.provider_id, kind=OrganisationKind.PROVIDER)


def make_position(service, *, position: str = "Pracovník v sociálních službách", fte="1", direct_care=True,
                  qualification: str = "worker_direct") -> StaffPosition:  # fmt: skip
    return StaffPosition.objects.create(
        service=service,
        organisation=_organisation(service),
        position=position,
        fte=Decimal(str(fte)),
        direct_care=direct_care,
        qualification=qualification,
    )


def make_building(service, households=((2, 2),), *, name: str = "Budova A") -> Building:
    """A building with households given as tuples of room bed counts: ``((2, 2), (1,))`` = two households."""
    building = Building.objects.create(service=service, organisation=_organisation(service), name=name)
    for number, rooms in enumerate(households, start=1):
        household = Household.objects.create(building=building, name=f"Domácnost {number}")
        for index, beds in enumerate(rooms, start=1):
            Room.objects.create(household=household, name=f"Pokoj {index}", beds=beds)
    return building


def matrix_kwargs(tenant) -> dict:
    """Tenant A's first registry service (the URL's ``service_portal_id``: the assessments' home for the elderly,
    kind 13) with a staff position, a building, a household and a room, all named with the provider
    organisation's name (a tenant secret)."""
    from qmss.registry.models import Service

    provider = tenant.orgs[OrganisationKind.PROVIDER]
    service = Service.objects.filter(provider__ico=provider.ico).order_by("pk").first()
    if service is None:  # the assessments' builder did not run: a service of our own
        service = provider_service(tenant, kind="13")
    position = make_position(service, position=f"Pracovnice přímé péče {provider.name}")
    building = Building.objects.create(service=service, organisation=provider, name=f"Budova {provider.name}")
    household = Household.objects.create(building=building, name=f"Domácnost {provider.name}")
    room = Room.objects.create(household=household, name=f"Pokoj {provider.name}", beds=2)
    return {"position_pk": position.pk, "building_pk": building.pk, "household_pk": household.pk, "room_pk": room.pk}
