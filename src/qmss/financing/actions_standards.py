"""Writes of the standards part: staff positions, buildings, households and rooms of a service. Keyword-only
typed arguments, one transaction each (``@audit.action``), the permission checked inside
(:func:`qmss.financing.permissions.can_edit_service_standards`: the editors of the service's verified provider);
refusals are ``ValidationError`` with a :class:`FinancingErrorCode`. Every value is bounded."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from qmss.core import audit
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import Scope
from qmss.financing import permissions
from qmss.financing.error_codes import FinancingErrorCode as Code
from qmss.financing.library import default_rules
from qmss.financing.models import Building, Household, Room, StaffPosition
from qmss.financing.standards_checks import mts_rule
from qmss.registry.models import Service

MAX_FTE = Decimal("200")
MAX_BEDS = 20
MAX_POSITIONS = 300
MAX_BUILDINGS = 50
MAX_HOUSEHOLDS = 100
MAX_ROOMS = 60


def _require_edit(user, service: Service) -> Organisation:
    """The service's verified provider organisation, when ``user`` may record its standards."""
    if not permissions.can_edit_service_standards(Scope.for_user(user), service):
        raise PermissionDenied
    organisation = Organisation.objects.filter(
        provider_link__provider_id=service.provider_id, kind=OrganisationKind.PROVIDER
    ).first()
    if organisation is None:
        raise ValidationError(_("The service has no verified provider organisation."), code=Code.NOT_VERIFIED.value)
    return organisation


def _text(value: str, limit: int, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")}, code=Code.INVALID_VALUE.value)
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}}, code=Code.INVALID_VALUE.value)
    return value


def _position_values(*, position: str, fte: Decimal, qualification: str, note: str) -> dict:
    fte = Decimal(fte)
    if not (Decimal(0) < fte <= MAX_FTE) or fte != fte.quantize(Decimal("0.01")):
        raise ValidationError(
            {"fte": _("FTE must be greater than 0 and at most %(max)s, with at most 2 decimal places.")
             % {"max": MAX_FTE}},
            code=Code.INVALID_VALUE.value,
        )  # fmt: skip
    codes = {q.code for q in default_rules().qualifications}
    if qualification not in codes:
        raise ValidationError(
            {"qualification": _("Choose a qualification from the list.")}, code=Code.UNKNOWN_QUALIFICATION.value
        )
    return {
        "position": _text(position, 200, "position"),
        "fte": fte,
        "qualification": qualification,
        "note": _text(note, 300, "note", required=False),
    }


@audit.action
def create_position(
    *,
    user,
    service: Service,
    position: str,
    fte: Decimal,
    direct_care: bool,
    qualification: str,
    note: str = "",
) -> StaffPosition:
    organisation = _require_edit(user, service)
    if StaffPosition.objects.filter(service=service).count() >= MAX_POSITIONS:
        raise ValidationError(
            _("A service may have at most %(n)s positions.") % {"n": MAX_POSITIONS}, code=Code.TOO_MANY.value
        )
    values = _position_values(position=position, fte=fte, qualification=qualification, note=note)
    return StaffPosition.objects.create(
        service=service, organisation=organisation, direct_care=bool(direct_care), **values
    )


@audit.action
def update_position(
    *,
    user,
    staff_position: StaffPosition,
    position: str,
    fte: Decimal,
    direct_care: bool,
    qualification: str,
    note: str = "",
) -> StaffPosition:
    _require_edit(user, staff_position.service)
    values = _position_values(position=position, fte=fte, qualification=qualification, note=note)
    for name, value in values.items():
        setattr(staff_position, name, value)
    staff_position.direct_care = bool(direct_care)
    staff_position.save()
    return staff_position


@audit.action
def delete_position(*, user, staff_position: StaffPosition) -> None:
    _require_edit(user, staff_position.service)
    staff_position.delete()


# --- buildings, households, rooms --------------------------------------------------------------------------------


@audit.action
def create_building(*, user, service: Service, name: str, address: str = "") -> Building:
    organisation = _require_edit(user, service)
    if mts_rule(service.kind.code if service.kind_id else None) is None:
        raise ValidationError(
            _("The material-technical standard sets no limits for this kind of service."),
            code=Code.NO_MTS_RULE.value,
        )
    if Building.objects.filter(service=service).count() >= MAX_BUILDINGS:
        raise ValidationError(
            _("A service may have at most %(n)s buildings.") % {"n": MAX_BUILDINGS}, code=Code.TOO_MANY.value
        )
    return Building.objects.create(
        service=service,
        organisation=organisation,
        name=_text(name, 200, "name"),
        address=_text(address, 300, "address", required=False),
    )


@audit.action
def update_building(*, user, building: Building, name: str, address: str = "") -> Building:
    _require_edit(user, building.service)
    building.name = _text(name, 200, "name")
    building.address = _text(address, 300, "address", required=False)
    building.save()
    return building


@audit.action
def delete_building(*, user, building: Building) -> None:
    _require_edit(user, building.service)
    building.delete()


@audit.action
def create_household(*, user, building: Building, name: str) -> Household:
    _require_edit(user, building.service)
    if building.households.count() >= MAX_HOUSEHOLDS:
        raise ValidationError(
            _("A building may have at most %(n)s households.") % {"n": MAX_HOUSEHOLDS}, code=Code.TOO_MANY.value
        )
    return Household.objects.create(building=building, name=_text(name, 200, "name"))


@audit.action
def update_household(*, user, household: Household, name: str) -> Household:
    _require_edit(user, household.building.service)
    household.name = _text(name, 200, "name")
    household.save()
    return household


@audit.action
def delete_household(*, user, household: Household) -> None:
    _require_edit(user, household.building.service)
    household.delete()


def _beds(beds: int) -> int:
    if isinstance(beds, bool) or not isinstance(beds, int) or not (1 <= beds <= MAX_BEDS):
        raise ValidationError(
            {"beds": _("A room has 1 to %(max)s beds.") % {"max": MAX_BEDS}}, code=Code.INVALID_VALUE.value
        )
    return beds


@audit.action
def create_room(*, user, household: Household, name: str, beds: int) -> Room:
    _require_edit(user, household.building.service)
    if household.rooms.count() >= MAX_ROOMS:
        raise ValidationError(
            _("A household may have at most %(n)s rooms.") % {"n": MAX_ROOMS}, code=Code.TOO_MANY.value
        )
    return Room.objects.create(household=household, name=_text(name, 100, "name"), beds=_beds(beds))


@audit.action
def update_room(*, user, room: Room, name: str, beds: int) -> Room:
    _require_edit(user, room.household.building.service)
    room.name = _text(name, 100, "name")
    room.beds = _beds(beds)
    room.save()
    return room


@audit.action
def delete_room(*, user, room: Room) -> None:
    _require_edit(user, room.household.building.service)
    room.delete()
