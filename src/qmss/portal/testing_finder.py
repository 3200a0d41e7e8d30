"""Builders of the finder's test world and the URL-matrix plug-in of the finder part.

The finder's routes take no URL parameters (``matrix_kwargs`` returns {}); its pages show public registry data
only, never a tenant organisation's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FILTER_VALUES: dict[str, str] = {}


def matrix_kwargs(tenant) -> dict:
    return {}


def _place(municipality, lat: float, lon: float):
    municipality.latitude, municipality.longitude = Decimal(str(lat)), Decimal(str(lon))
    municipality.save(update_fields=["latitude", "longitude"])
    return municipality


@dataclass
class FinderWorld:
    """Municipalities ``home`` (searched), ``same_orp`` (in home's ORP, 8 km away), ``near`` (12 km, own ORP),
    ``far`` (60 km) and services named after how they relate to ``home``."""

    municipalities: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)


def make_finder_world() -> FinderWorld:
    from qmss.registry.testing import make_facility, make_service
    from qmss.territory.models import Municipality
    from qmss.testing.factories import make_municipality, make_region

    region = make_region("CZ981", "Kraj hledání")
    home = _place(make_municipality(region, code="981001", name="Lhota"), 49.80, 15.50)
    twin = _place(make_municipality(region, code="981002", name="Lhota"), 49.30, 14.90)  # same name elsewhere
    same_orp = _place(make_municipality(region, code="981003", name="Ždírec"), 49.80, 15.611)
    Municipality.objects.filter(pk=same_orp.pk).update(orp=home.orp)
    same_orp.refresh_from_db()
    near = _place(make_municipality(region, code="981004", name="Žďár"), 49.908, 15.50)
    far = _place(make_municipality(region, code="981005", name="Daleká"), 50.34, 15.50)
    world = FinderWorld(municipalities={"home": home, "twin": twin, "same_orp": same_orp, "near": near, "far": far})
    s = world.services
    s["home_senior"] = make_service(name="Domov Lhota", kind="13", municipalities=[home], target_groups=["24"])
    s["home_field"] = make_service(
        name="Asistence Lhota", kind="3", forms=(("ter", (("klient", 10),)),), target_groups=["26"]
    )
    make_facility(s["home_field"], home, latitude=49.801, longitude=15.501)  # its own address, 100 m off
    s["orp_facility"] = make_service(name="Pečovatelská Ždírec", kind="4", municipalities=[same_orp])
    s["network_orp"] = make_service(name="Poradna Žďár", kind="1", municipalities=[near])
    s["network_municipality"] = make_service(name="Aktivizace Daleká", kind="29", municipalities=[far])
    s["near_only"] = make_service(name="Domov Žďár", kind="13", municipalities=[near])
    s["ended"] = make_service(name="Skončená Lhota", kind="13", municipalities=[home], date_to=date(2020, 1, 1))
    s["far_only"] = make_service(name="Domov Daleká", kind="13", municipalities=[far])
    s["secret"] = make_service(name="Azylový dům", kind="13")
    make_facility(s["secret"], home, latitude=49.83, longitude=15.53, secret_address=True)
    return world


def add_network(world: FinderWorld, tenant) -> None:
    """Tenant A's region network with the two network services: one serving home's ORP, one home itself."""
    from qmss.network.selectors_networks import current_version
    from qmss.network.testing_networks import make_network

    s, m = world.services, world.municipalities
    network = make_network(tenant, services=[s["network_orp"], s["network_municipality"]], name="Síť pro hledání")
    version = current_version(network)
    for entry in version.entries.all():
        if entry.service_id == s["network_orp"].pk:
            entry.orp_codes, entry.municipality_codes = [m["home"].orp.ruian_code], []
        else:
            entry.orp_codes, entry.municipality_codes = [], [m["home"].code]
        entry.save(update_fields=["orp_codes", "municipality_codes"])
