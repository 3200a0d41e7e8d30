"""Builders of the leaflets' test world and the URL-matrix plug-in of the leaflets part.

The leaflets' routes take ``article_slug`` only, which the content part fills (``testing_content``); the PDF of a
place shows public registry data and the published text, never a tenant organisation's name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

FILTER_VALUES: dict[str, str] = {}

HOSTILE_NAME = '<b>Domov</b> "Zlá" </style><style>body{display:none}</style> & spol.'


def matrix_kwargs(tenant) -> dict:
    return {}


@dataclass
class LeafletWorld:
    """``home`` and ``neighbour`` share one ORP, ``far`` lies in another; services named after where they are."""

    municipalities: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)


def make_leaflet_world() -> LeafletWorld:
    from qmss.registry.testing import make_facility, make_service
    from qmss.territory.models import Municipality
    from qmss.testing.factories import make_municipality, make_region

    region = make_region("CZ971", "Kraj letáků")
    home = make_municipality(region, name="Letákov")
    neighbour = Municipality.objects.create(
        code="971002", name="Sousedov", district=home.district, orp=home.orp, region=region
    )
    far = make_municipality(region, name="Dálkov")
    world = LeafletWorld(municipalities={"home": home, "neighbour": neighbour, "far": far})
    s = world.services
    s["home_senior"] = make_service(name="Domov U Lípy", kind="13", municipalities=[home], phones=["777 123 456"])
    s["hostile"] = make_service(name=HOSTILE_NAME, kind="4", municipalities=[home])
    s["secret"] = make_service(name="Tísňová péče Skrytá", kind="5")
    make_facility(s["secret"], home, secret_address=True)
    s["neighbour_senior"] = make_service(name="Pečovatelská služba Sousedé", kind="4", municipalities=[neighbour])
    s["home_shelter"] = make_service(name="Azylový dům Letákov", kind="20", municipalities=[home])
    s["far_senior"] = make_service(name="Domov Dálkov", kind="13", municipalities=[far])
    s["ended"] = make_service(name="Domov Skončený", kind="13", municipalities=[home], date_to=date(2020, 12, 31))
    return world
