"""What the networks part needs from the default rules library: tiers, units and financing categories.

The rules part owns the library (``qmss.network.library``) and the units (``qmss.network.units``); this module asks
them and, while they are not in the tree yet, reads ``libraries/network/network-rules.yaml`` itself (plain YAML,
no validation – the rules part validates it).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db.models import Sum

DEFAULT_UNIT = "klienti"


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    description: str = ""
    capacity_type: str | None = None


def _module(name: str):
    try:
        return importlib.import_module(f"qmss.network.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"qmss.network.{name}":
            raise
        return None


@lru_cache(maxsize=1)
def _raw_library() -> dict[str, Any]:
    path = Path(settings.BASE_DIR) / "libraries" / "network" / "network-rules.yaml"
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _attr(item: Any, name: str, default: Any = "") -> Any:
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def _library_items(name: str) -> list[Item]:
    library = _module("library")
    items = getattr(library.default_rules(), name) if library is not None else _raw_library().get(name, [])
    if isinstance(items, dict):
        items = list(items.values())
    return [
        Item(
            code=str(_attr(item, "code")),
            name=str(_attr(item, "name")),
            description=str(_attr(item, "description") or ""),
            capacity_type=_attr(item, "capacity_type", None),
        )
        for item in items
    ]


def tiers() -> list[Item]:
    """The library's tiers in their order (a new network copies them)."""
    return _library_items("tiers")


def financing_categories() -> list[Item]:
    return _library_items("financing_categories")


def units() -> dict[str, Item]:
    """Units by code (lůžka, klienti, úvazky…)."""
    module = _module("units")
    if module is not None:
        return {
            code: Item(code=code, name=str(unit.name), capacity_type=unit.capacity_type)
            for code, unit in module.units().items()
        }
    return {item.code: item for item in _library_items("units")}


def unit_for_kind(kind_code: str | None) -> str:
    """The unit a kind's capacity is counted in: the unit of its demand parameters, else ``klienti``."""
    module = _module("units")
    if module is not None:
        return module.unit_for_kind(kind_code)
    demand = _raw_library().get("demand", {}) or {}
    entry = demand.get(str(kind_code)) if kind_code else None
    return str(entry.get("unit")) if entry else DEFAULT_UNIT


def registry_capacity(service, unit: str) -> Decimal | None:
    """The service's registered capacity of the unit's capacity type (None when the unit has none)."""
    module = _module("units")
    if module is not None:
        return module.registry_capacity(service, unit)
    item = units().get(unit)
    if item is None or not item.capacity_type:
        return None
    from qmss.registry.models import Capacity

    total = Capacity.objects.filter(service_form__service=service, capacity_type__code=item.capacity_type).aggregate(
        total=Sum("count")
    )["total"]
    return Decimal(total or 0)
