"""Builders of the service part's tests and its URL-matrix plug-in.

``service_portal_id`` is filled by the matrix world (tenant A's registry service); the kind pages need a registry
kind code. The pages are public: nothing here carries a tenant secret.
"""

from __future__ import annotations

from datetime import date

from qmss.registry.testing import make_facility, make_kind, make_provider, make_service

FILTER_VALUES: dict[str, str] = {}


def matrix_kwargs(tenant) -> dict:
    """URL values of the service part: a registry kind code (a kind page)."""
    return {"kind_code": make_kind("13").code}


def make_public_service(
    municipality,
    *,
    name: str = "Domov Pod Lipami",
    kind: str = "13",
    forms=(("pob", (("luzka", 1),)), ("amb", (("klient", 3),))),
    date_to: date | None = None,
    secret_street: str = "",
):
    """A service with a public facility in ``municipality`` and, when ``secret_street`` is given, a second place
    whose address the registry does not publish (the street is stored but must never be shown)."""
    provider = make_provider("Poskytovatel Pod Lipami")
    service = make_service(
        provider,
        name=name,
        kind=kind,
        forms=forms,
        municipalities=[municipality],
        date_to=date_to,
        phones=["777 123 456"],
    )
    if secret_street:
        facility = make_facility(service, municipality, name="Utajené místo", secret_address=True)
        type(facility).objects.filter(pk=facility.pk).update(street=secret_street, house_number="13")
    return service
