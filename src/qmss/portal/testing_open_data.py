"""Builders of the open-data part for tests and the URL × role matrix.

The open-data routes need no object of their own: ``service_portal_id`` is filled by the matrix world with tenant
A's registry service. :func:`make_catalogue` builds a small representative registry for the HSDS / CSV tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from qmss.registry.models import Service
from qmss.registry.testing import make_provider, make_service


def matrix_kwargs(tenant) -> dict:
    return {}


@dataclass
class Catalogue:
    home: Service  # residential + field forms, two facilities (exact coordinates / no coordinates at all)
    shelter: Service  # a facility whose address the registry withholds
    sole: Service  # a provider who is a natural person (contacts withheld)
    formula: Service  # a name that starts like a spreadsheet formula
    ended: Service  # registration ended yesterday: never published


def make_catalogue(municipality, other_municipality) -> Catalogue:
    """Five services covering what the export must handle (four published, one ended)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    home = make_service(
        name="Domov pro seniory Lipová",
        kind="13",
        forms=(("pob", (("luzka", 40),)), ("ter", (("klient", 15), ("interv", 300)))),
        emails=["not an e-mail", "domov@lipova.test"],
        phones=["+420 777 111 222"],
        websites=["www.domov-lipova.test"],
        facilities=[
            {"municipality": municipality, "latitude": 50.087451, "longitude": 14.420671,
             "coordinates_approximate": False, "orientation_number": "3a"},
            {"municipality": other_municipality, "street": "", "house_number": "12", "name": "Pobočka"},
        ],
    )  # fmt: skip
    home.facilities.filter(position=1).update(latitude=None, longitude=None)
    shelter = make_service(
        name="Azylový dům Útočiště",
        kind="4",
        forms=(("pob", (("luzka", 12),)),),
        facilities=[{"municipality": municipality, "secret_address": True, "latitude": 49.1, "longitude": 16.6}],
    )
    sole_provider = make_provider(
        "Jana Nováková", legal_form="Fyzická osoba podnikající dle živnostenského zákona",
        emails=["jana.novakova@osobni.test"], phones=["605 000 111"], websites=["www.novakova.test"],
    )  # fmt: skip
    sole = make_service(
        sole_provider,
        name="Osobní asistence Nováková",
        kind="3",
        forms=(("ter", (("klient", 5),)),),
        emails=["jana.novakova@osobni.test"],
        phones=["605 000 111"],
        municipalities=[municipality],
    )
    formula = make_service(
        name='=HYPERLINK("http://zlo.test";"klikni")',
        kind="1",
        forms=(("amb", (("kontakt", 300),)),),
        municipalities=[municipality],
    )
    ended = make_service(name="Ukončená služba", kind="4", date_to=yesterday, municipalities=[municipality])
    return Catalogue(home=home, shelter=shelter, sole=sole, formula=formula, ended=ended)
