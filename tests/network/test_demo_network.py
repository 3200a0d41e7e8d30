"""The network demo of ``make run``: a network of the demo region from the registry services there, a brief, and
the demo providers' applications in four states (one approved into version 2, one rejected with reasons);
labelled synthetic; idempotent."""

from __future__ import annotations

from datetime import date

import pytest

from qmss.network import demo
from qmss.network.models import Application, BriefItem, MunicipalityStatement, Network, NetworkEntry, NetworkVersion
from qmss.registry.models import Service
from qmss.registry.testing import make_provider, make_service
from qmss.testing.factories import make_municipality, make_region

pytestmark = pytest.mark.django_db

KINDS = (
    ("13", (("pob", (("luzka", 60),)),)),
    ("14", (("pob", (("luzka", 45),)),)),
    ("4", (("ter", (("klient", 90),)),)),
)


@pytest.fixture
def demo_world(db):
    """A demo region with 30 services of 5 providers (the two demo providers are linked to the largest two) and the
    demo organisations and users, linked to the registry as the bootstrap links them."""
    from qmss.registry.reference import load_reference
    from qmss.setup.demo import link_demo_providers, load_demo

    load_reference()
    region = make_region("CZ072", "Zlínský kraj")
    municipalities = [make_municipality(region) for _ in range(4)]
    for count in (8, 7, 6, 5, 4):
        provider = make_provider()
        for i in range(count):
            kind, forms = KINDS[i % len(KINDS)]
            make_service(provider, kind=kind, forms=forms, municipalities=[municipalities[i % len(municipalities)]])
    load_demo()
    link_demo_providers()
    return region


def _snapshot():
    return (
        Network.objects.count(),
        NetworkVersion.objects.count(),
        NetworkEntry.objects.count(),
        BriefItem.objects.count(),
        sorted(Application.objects.values_list("kind", "state", "service_id")),
        MunicipalityStatement.objects.count(),
    )


def test_the_demo_network_with_a_brief_and_applications_in_four_states(demo_world):
    created = demo.load_network_demo(today=date(2026, 6, 1))
    network = Network.objects.get()
    assert network.is_demo and network.region == demo_world
    assert "(ukázka)" in network.name and "syntetick" in network.description
    assert created == {"networks": 1, "brief_items": 3, "applications": 4, "statements": 2}

    # version 1: the registry services of the region, but the two applicants for a new service
    first = network.versions.get(number=1)
    region_services = Service.objects.filter(facilities__municipality__region=demo_world).distinct().count()
    assert first.entries.count() == region_services - 2

    applications = {a.state: a for a in Application.objects.filter(network=network)}
    assert set(applications) == {"submitted", "evaluation", "approved", "rejected"}
    for application in applications.values():
        assert "syntetická data" in application.justification
        assert application.organisation.is_demo
    assert applications["submitted"].kind == "A"
    assert not applications["submitted"].statements.exists()
    evaluation = applications["evaluation"]
    assert evaluation.statements.get().organisation.is_demo
    assert list(evaluation.steps.values_list("state", flat=True)) == ["submitted", "formal_check", "evaluation"]

    # approved A: version 2 holds its service, version 1 does not
    approved = applications["approved"]
    assert approved.kind == "A" and approved.resolution_number and approved.decision_date == date(2026, 6, 1)
    second = network.versions.get(number=2)
    assert approved.resulting_version == second and second.application == approved
    assert second.entries.filter(service=approved.service).exists()
    assert not first.entries.filter(service=approved.service).exists()
    assert second.entries.count() == first.entries.count() + 1
    assert network.versions.count() == 2

    rejected = applications["rejected"]
    assert rejected.kind == "B" and "syntetická data" in rejected.reasons and rejected.resulting_version is None

    brief = BriefItem.objects.filter(network=network)
    assert all("syntetická data" in item.justification for item in brief)

    before = _snapshot()
    assert set(demo.load_network_demo(today=date(2026, 6, 1)).values()) == {0}
    assert _snapshot() == before


def test_the_demo_does_nothing_without_the_demo_organisations(db):
    assert set(demo.load_network_demo().values()) == {0}
    assert not Network.objects.exists()


def test_the_bootstrap_loads_the_network_demo(demo_world, monkeypatch):
    """The setup bootstrap calls the loader after the needs demo (as the needs demo is wired)."""
    from io import StringIO

    from django.core.management import call_command

    calls = []
    monkeypatch.setattr(demo, "load_network_demo", lambda **kw: calls.append(kw) or {"networks": 0})
    out = StringIO()
    call_command("bootstrap", "--no-registry", stdout=out)
    assert calls == [{}]
    assert "sítě" in out.getvalue().lower()
