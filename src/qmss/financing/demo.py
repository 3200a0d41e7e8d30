"""Synthetic demo data of the financing app for the demo region (reference values, a programme with applications,
a computed and approved compensation, settlements, standards' records). Built by the api_demo part."""

from __future__ import annotations


def load_financing_demo() -> dict[str, int]:
    """Create the demo financing data once (idempotent); returns the counts of new objects by Czech label."""
    return {}
