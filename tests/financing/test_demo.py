"""The financing demo of ``make run``: on top of the network demo, reference values, a decided year with an approved
compensation run and settlements (some with overcompensation), an open next year, entrustments and standards'
records – all labelled synthetic, made through the parts' actions; a second run creates nothing."""

from __future__ import annotations

from datetime import date

import pytest

from qmss.financing import demo
from qmss.financing.models import (
    Building,
    CompensationRun,
    Entrustment,
    Programme,
    ReferenceValueSet,
    Settlement,
    StaffPosition,
    SubsidyApplication,
)
from qmss.registry.testing import make_provider, make_service
from qmss.testing.factories import make_municipality, make_region

pytestmark = pytest.mark.django_db

KINDS = (
    ("13", (("pob", (("luzka", 60),)),)),
    ("14", (("pob", (("luzka", 45),)),)),
    ("4", (("ter", (("klienti", 90),)),)),
)


@pytest.fixture
def demo_world(db):
    """The demo region with 15 services of 3 providers (the demo providers linked to the largest two), the demo
    organisations and users, and the network demo (the demo network with its applications)."""
    from qmss.network.demo import load_network_demo
    from qmss.registry.reference import load_reference
    from qmss.setup.demo import link_demo_providers, load_demo

    load_reference()
    region = make_region("CZ072", "Zlínský kraj")
    municipalities = [make_municipality(region) for _ in range(3)]
    for count in (6, 5, 4):
        provider = make_provider()
        for i in range(count):
            kind, forms = KINDS[i % len(KINDS)]
            make_service(provider, kind=kind, forms=forms, municipalities=[municipalities[i % len(municipalities)]])
    load_demo()
    link_demo_providers()
    load_network_demo(today=date(2026, 6, 1))
    return region


def _snapshot() -> tuple:
    return tuple(
        model.objects.count()
        for model in (
            ReferenceValueSet,
            Programme,
            SubsidyApplication,
            CompensationRun,
            Settlement,
            Entrustment,
            StaffPosition,
            Building,
        )
    )


def test_demo_gives_a_computed_year_and_loads_once(demo_world):
    created = demo.load_financing_demo(today=date(2026, 6, 1))
    assert set(created) == set(demo.LABELS.values())
    decided = Programme.objects.get(year=2026)
    assert decided.is_demo and decided.state == "decided" and "(ukázka)" in decided.name
    accepted = decided.applications.filter(state="accepted")
    assert accepted.count() >= 3 and all(a.is_demo for a in accepted)
    runs = list(decided.runs.order_by("number"))
    assert [r.state for r in runs] == ["draft", "approved"]
    assert runs[1].coefficient < 1 and 0 < runs[1].total_real <= decided.budget
    assert runs[1].lines.filter(real__gt=0).count() == accepted.count()
    settlements = Settlement.objects.filter(application__programme=decided)
    assert settlements.count() == accepted.count() and all(s.is_demo for s in settlements)
    assert settlements.filter(overcompensation__gt=0).exists() and settlements.filter(state="accepted").exists()
    upcoming = Programme.objects.get(year=2027)
    assert upcoming.state == "open" and set(upcoming.applications.values_list("state", flat=True)) == {
        "draft",
        "submitted",
    }
    assert ReferenceValueSet.objects.filter(is_demo=True, year__in=(2026, 2027)).count() == 2
    assert Entrustment.objects.filter(state="issued", is_demo=True).exists()
    assert StaffPosition.objects.exists() and Building.objects.filter(name__contains="syntetická").exists()
    assert created[demo.LABELS["runs"]] == 2 and created[demo.LABELS["programmes"]] == 2

    before = _snapshot()
    again = demo.load_financing_demo(today=date(2026, 6, 1))
    assert set(again.values()) == {0} and _snapshot() == before


def test_without_the_demo_network_nothing_is_made(db):
    assert set(demo.load_financing_demo().values()) == {0}
    assert not Programme.objects.exists()
