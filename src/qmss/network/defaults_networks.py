"""What the networks part takes from the rules library (``qmss.network.library``, ``qmss.network.units``, owned by
the rules part): tiers, units, financing categories, the unit of a kind and the registry capacity in a unit."""

from __future__ import annotations

from decimal import Decimal

from qmss.network import units as unit_library
from qmss.network.library import default_rules


def tiers() -> list:
    """The library's tiers in their order (a new network copies them): items with code, name, description."""
    return list(default_rules().tiers)


def financing_categories() -> list:
    """Financing categories (code, name) in the library's order."""
    return list(default_rules().financing_categories)


def financing_names() -> dict[str, str]:
    return {category.code: category.name for category in financing_categories()}


def units() -> dict:
    """Units by code (lůžka, klienti, úvazky…): items with code, name, capacity_type."""
    return unit_library.units()


def unit_names() -> dict[str, str]:
    return {code: unit.name for code, unit in units().items()}


def unit_for_kind(kind_code: str | None) -> str:
    """The unit a kind's capacity is counted in: the unit of its demand parameters, else ``klienti``."""
    return unit_library.unit_for_kind(kind_code or "")


def registry_capacity(service, unit: str) -> Decimal | None:
    """The service's registered capacity of the unit's capacity type (None when the unit has none)."""
    return unit_library.registry_capacity(service, unit)


def create_initial_rules(*, user, network) -> None:
    from qmss.network.actions_rules import create_initial_rules as create

    create(user=user, network=network)
