"""The data-quality panel (hand-counted completeness, age and validity) and the history timeline, with their
query budgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from qmss.core.roles import OrganisationKind, Role
from qmss.network.actions_learning import propose_parameters
from qmss.network.models import Application, NetworkEntry, ParameterSet, RuleSet
from qmss.network.quality_learning import data_quality
from qmss.network.selectors_networks import current_version
from qmss.network.testing_learning import make_learning_round
from qmss.network.testing_networks import make_network
from qmss.registry.models import Facility
from qmss.registry.testing import make_service
from qmss.territory.models import ExclusionIndex
from qmss.testing.factories import make_municipality
from qmss.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

CARE = (("ter", (("klient", 30),)),)
USERS = {("users", "65_79"): 5, ("users", "80p"): 5, ("waiting_list", ""): 0}


@pytest.fixture
def panel(tenant_a):
    """Four services in the network: all registered; all in municipalities with population by age; one
    municipality with the exclusion index; two with an approved report in the latest round; one facility with
    exact coordinates."""
    region = tenant_a.region
    places = [make_municipality(region, name=f"Obec {n}", population=1000 * n) for n in range(1, 5)]
    services = [make_service(kind="4", forms=CARE, municipalities=[place]) for place in places]
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    network = make_network(region_org, services=services)
    make_learning_round(region_org, [(services[0], USERS)], year=2024)  # older: not the one counted
    make_learning_round(region_org, [(services[0], USERS), (services[1], USERS)], year=2025)
    ExclusionIndex.objects.create(municipality=places[0], year=2023, points=9, category="8 až 11")
    Facility.objects.filter(service=services[0]).update(
        latitude=Decimal("50.1"), longitude=Decimal("14.4"), coordinates_approximate=False
    )
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    return {"network": network, "services": services, "manager": manager, "region_org": region_org}


def test_panel_numbers(panel):
    sources = {source.code: source for source in data_quality(panel["network"], today=date(2026, 6, 1))}
    assert list(sources) == ["registry", "territory", "exclusion", "assessments", "rounds", "cards", "coordinates"]
    assert all(source.total == 4 for source in sources.values())
    assert (sources["registry"].with_data, sources["registry"].flags) == (4, [])
    assert sources["registry"].day is None and sources["registry"].note  # no import recorded: said so
    territory = sources["territory"]
    assert (territory.with_data, territory.day) == (4, date(2024, 1, 1))
    assert territory.flags == ["stale"]  # 1 Jan 2024 is more than a year before 1 Jun 2026
    exclusion = sources["exclusion"]
    assert (exclusion.with_data, exclusion.share, exclusion.day) == (1, Decimal("25.0"), date(2023, 12, 31))
    assert exclusion.flags == ["partial", "stale"]
    assert (sources["assessments"].with_data, sources["assessments"].flags) == (0, ["missing"])
    rounds = sources["rounds"]
    assert (rounds.with_data, rounds.share, rounds.day, rounds.flags) == (2, Decimal("50.0"), date(2025, 12, 31),
                                                                          ["partial"])  # fmt: skip
    assert (sources["cards"].with_data, sources["cards"].flags) == (0, ["missing"])
    coordinates = sources["coordinates"]
    assert coordinates.with_data == 1 and "1" in coordinates.note


def test_synthetic_round_and_demo_network_are_flagged(panel):
    network = panel["network"]
    network.is_demo = True
    network.save(update_fields=["is_demo"])
    make_learning_round(panel["region_org"], [(panel["services"][0], USERS)], year=2026, synthetic=True)
    sources = {source.code: source for source in data_quality(network, today=date(2026, 6, 1))}
    assert "synthetic" in sources["registry"].flags
    assert "synthetic" in sources["rounds"].flags and sources["rounds"].with_data == 1


def test_panel_page(panel, client, tenant_a):
    client.force_login(tenant_a.user(OrganisationKind.REGION, Role.READER))  # the manager's team reads it
    response = client.get(reverse("network:data_quality", kwargs={"network_pk": panel["network"].pk}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "2 / 4" in content and "50,0 %" in content and "25,0 %" in content
    assert "31. 12. 2025" in content and "1. 1. 2024" in content


def test_panel_query_budget(panel, client):
    network = panel["network"]
    version = current_version(network)
    client.force_login(panel["manager"])
    entry = NetworkEntry.objects.filter(version=version).first()

    def grow(n):
        while NetworkEntry.objects.filter(version=version).count() < n:
            service = make_service(kind="4", forms=CARE, municipalities=[make_municipality(network.region)])
            NetworkEntry.objects.create(version=version, service=service, capacity=10, unit="klienti", tier=entry.tier)

    assert_constant_queries(
        lambda: client.get(reverse("network:data_quality", kwargs={"network_pk": network.pk})),
        grow,
        count=lambda: NetworkEntry.objects.filter(version=version).count(),
        small=5,
        large=12,
        rows=None,  # one row per data source, whatever the number of services
    )


def _decided(network, service, n: int) -> Application:
    return Application.objects.create(
        network=network, organisation=network.organisation, kind=Application.Kind.NEW, service=service,
        capacity=5, unit="klienti", justification="Potřeba", state=Application.State.APPROVED,
        decision_body="Rada kraje", resolution_number=f"R/{n}", decision_date=date(2026, 3, n),
        rule_set=RuleSet.objects.filter(network=network).first(),
        parameter_set=ParameterSet.objects.filter(network=network).first(),
    )  # fmt: skip


def test_history_timeline(panel, client):
    network, manager = panel["network"], panel["manager"]
    round_obj = make_learning_round(panel["region_org"], [(panel["services"][2], USERS)], year=2026)
    propose_parameters(user=manager, network=network, round=round_obj)
    _decided(network, panel["services"][3], 1)
    client.force_login(manager)
    response = client.get(reverse("network:history", kwargs={"network_pk": network.pk}))
    assert response.status_code == 200
    kinds = sorted(event.kind for event in response.context["events"])
    assert kinds == ["decision", "parameters", "parameters", "rules"]
    content = response.content.decode()
    assert "R/1" in content and "Rada kraje" in content


def test_history_query_budget(panel, client):
    network, manager = panel["network"], panel["manager"]
    client.force_login(manager)
    made = []

    def grow(n):
        while len(made) < n:
            made.append(_decided(network, panel["services"][len(made) % 4], len(made) + 1))

    assert_constant_queries(
        lambda: client.get(reverse("network:history", kwargs={"network_pk": network.pk})),
        grow,
        count=lambda: len(made),
        small=1,
        large=6,
    )
