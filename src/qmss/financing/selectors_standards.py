"""Reads of the standards part: the services whose staff positions and buildings a user may see, and the records
themselves – every read scoped through :class:`qmss.core.scoping.Scope` and :mod:`qmss.financing.permissions`
(another provider's records are simply not found)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope, get_object_or_404_scoped
from qmss.financing import permissions
from qmss.financing.models import Building, Household, Room, StaffPosition
from qmss.registry.models import Service


def _visible(scope: Scope, qs: QuerySet, prefix: str = "") -> QuerySet:
    condition = permissions.standards_services_condition(scope)
    if condition is None:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    services = Service.objects.filter(condition).values("pk")
    return qs.filter(**{f"{prefix}__in" if prefix else "pk__in": services})


def has_records() -> Q:
    """Services with a staff position or a building recorded."""
    return Q(Exists(StaffPosition.objects.filter(service=OuterRef("pk")))) | Q(
        Exists(Building.objects.filter(service=OuterRef("pk")))
    )


def list_services(scope: Scope) -> QuerySet[Service]:
    """The list page: the linked services of the user's provider organisations (recorded or not) and, for network
    managers, the services in their regions that have records; sorted by name (Czech sort key)."""
    if not scope.is_authenticated:
        return Service.objects.none()
    qs = Service.objects.select_related("kind", "provider")
    if scope.is_superuser:
        qs = qs.filter(has_records())
    else:
        own = Q(
            provider__link__organisation_id__in=scope.organisation_ids(),
            provider__link__organisation__kind=OrganisationKind.PROVIDER,
        )
        visible = Service.objects.filter(permissions.standards_services_condition(scope)).values("pk")
        qs = qs.filter(pk__in=visible).filter(own | has_records())
    return qs.order_by("name_sort", "portal_id")


def get_service(scope: Scope, service_portal_id: int) -> Service:
    qs = _visible(scope, Service.objects.select_related("kind", "provider"))
    return get_object_or_404_scoped(qs, portal_id=service_portal_id)


def get_position(scope: Scope, position_pk: int) -> StaffPosition:
    qs = _visible(scope, StaffPosition.objects.select_related("service", "service__kind"), "service")
    return get_object_or_404_scoped(qs, pk=position_pk)


def get_building(scope: Scope, building_pk: int) -> Building:
    qs = _visible(scope, Building.objects.select_related("service", "service__kind"), "service")
    return get_object_or_404_scoped(qs, pk=building_pk)


def get_household(scope: Scope, household_pk: int) -> Household:
    qs = _visible(
        scope, Household.objects.select_related("building", "building__service", "building__service__kind"),
        "building__service",
    )  # fmt: skip
    return get_object_or_404_scoped(qs, pk=household_pk)


def get_room(scope: Scope, room_pk: int) -> Room:
    qs = _visible(
        scope,
        Room.objects.select_related("household", "household__building", "household__building__service"),
        "household__building__service",
    )
    return get_object_or_404_scoped(qs, pk=room_pk)


def positions_of(service: Service) -> list[StaffPosition]:
    return list(StaffPosition.objects.filter(service=service).order_by("-direct_care", "position", "pk"))


def buildings_of(service: Service) -> list[Building]:
    """Buildings with their households and rooms (3 queries), each household with ``persons``, each building with
    ``persons`` (beds summed)."""
    buildings = list(
        Building.objects.filter(service=service).prefetch_related("households__rooms").order_by("name", "pk")
    )
    for building in buildings:
        building.persons = 0
        for household in building.households.all():
            household.persons = sum(room.beds for room in household.rooms.all())
            building.persons += household.persons
    return buildings


def households_of(building: Building) -> list[Household]:
    households = list(building.households.prefetch_related("rooms").order_by("name", "pk"))
    for household in households:
        household.persons = sum(room.beds for room in household.rooms.all())
    return households


def require_service_visible(scope: Scope, service: Service) -> None:
    if not permissions.can_see_service_standards(scope, service):
        raise Http404
