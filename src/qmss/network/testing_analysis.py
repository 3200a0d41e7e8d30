"""The URL-matrix plug-in of the analysis part: its pages are public (registry, territory, rules library and public
networks) and take only the region code, which the matrix world already knows, so no objects are needed here."""

from __future__ import annotations

FILTER_VALUES: dict[str, str] = {}


def matrix_kwargs(tenant) -> dict:
    """Tenant A's objects of the analysis part: none (the routes take ``region_code`` from the matrix world)."""
    return {}
