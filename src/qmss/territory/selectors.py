"""Reads of territory data. Territory is public reference data: no tenant scoping applies."""

from __future__ import annotations

from qmss.territory.models import TerritoryImport


def territory_is_synthetic() -> bool:
    latest = TerritoryImport.objects.order_by("-started_at").values_list("is_synthetic", flat=True).first()
    return bool(latest)
