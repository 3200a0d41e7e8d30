"""Units of a network's capacity (``units`` of the rules library): beds, clients, FTEs, hours, places; which
registry capacity type fills each, and the unit of a kind's demand."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum

from qmss.network.library import Unit, default_rules
from qmss.registry.models import Capacity

DEFAULT_UNIT = "klienti"


def units() -> dict[str, Unit]:
    """The units of the rules library by code (in the library's order)."""
    return dict(default_rules().units)


def unit_for_kind(kind_code: str) -> str:
    """The unit of the kind's demand in the library; ``klienti`` for a kind without demand parameters."""
    demand = default_rules().demand.get(str(kind_code))
    return demand.unit if demand else DEFAULT_UNIT


def registry_capacity(service, unit: str) -> Decimal | None:
    """The sum of the service's registered capacities of the unit's capacity type (0 when it has none of them);
    None when the unit is not filled from the registry (or is unknown)."""
    found = default_rules().units.get(unit)
    if found is None or not found.capacity_type:
        return None

    code = found.capacity_type
    condition = (
        Q(capacity_type__code=code)
        | Q(capacity_type__isnull=True, type_code__in=[code])
        | Q(capacity_type__isnull=True, type_code__endswith=f"/{code}")
    )
    service_id = getattr(service, "pk", service)
    total = Capacity.objects.filter(condition, service_form__service_id=service_id).aggregate(total=Sum("count"))
    return Decimal(total["total"] or 0)
