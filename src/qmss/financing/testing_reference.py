"""Builders of the reference part for tests, and its URL-matrix plug-in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qmss.core.roles import OrganisationKind

DEMO_FILE = "libraries/financing/reference-values-demo.yaml"
# the query parameter of the list's manager filter takes the id of A's region organisation
FILTER_VALUES: dict[str, str] = {"spravce": "reference_manager_pk"}


def sample_rows() -> list[dict[str, Any]]:
    """Three rows: homes for the elderly (residential), care service in the field and for every form."""
    return [
        {"kind": "13", "form": "pob", "unit": "luzka", "usual_cost": Decimal("620000"),
         "usual_revenue": Decimal("380000"), "max_public_share": Decimal("0.45"),
         "direct_fte_per_unit": Decimal("0.5"), "direct_share_min": Decimal("0.6")},
        {"kind": "4", "form": "ter", "unit": "klienti", "usual_cost": Decimal("38000.50"),
         "usual_revenue": Decimal("11000"), "max_public_share": Decimal("0.75")},
        {"kind": "4", "form": None, "unit": "klienti", "usual_cost": Decimal("34000"),
         "usual_revenue": Decimal("10000"), "max_public_share": Decimal("0.7")},
    ]  # fmt: skip


def ensure_codes() -> None:
    """The registry kinds and forms the sample rows and the demo file use (test databases start empty)."""
    from qmss.registry.testing import make_delivery_form, make_kind

    for code in ("3", "4", "8", "12", "13", "14", "15", "20", "26", "32"):
        make_kind(code)
    for code in ("pob", "amb", "ter"):
        make_delivery_form(code)


def make_reference_set(organisation, *, year: int = 2027, rows=None, name: str = "Referenční hodnoty", **extra):
    """A new version of ``organisation``'s reference values (system call, through the import action)."""
    from qmss.financing.actions_reference import import_reference_values

    ensure_codes()
    return import_reference_values(
        user=extra.pop("user", None),
        organisation=organisation,
        year=year,
        name=name,
        source=extra.pop("source", "Usnesení rady kraje (test)"),
        verified=extra.pop("verified", True),
        rows=sample_rows() if rows is None else rows,
        **extra,
    )


def matrix_kwargs(tenant) -> dict:
    """A set of reference values of tenant A's region (two versions: the newer in force). Sets are public data:
    their name and source carry no secret, and public pages name the region, not the manager organisation."""
    region_org = tenant.orgs[OrganisationKind.REGION]
    make_reference_set(region_org, name=f"Referenční hodnoty {tenant.region.name}", year=2027)
    newer = make_reference_set(region_org, name=f"Referenční hodnoty {tenant.region.name} – oprava", year=2027)
    return {"reference_set_pk": newer.pk, "reference_manager_pk": region_org.pk}
