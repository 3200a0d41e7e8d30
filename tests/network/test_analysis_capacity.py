"""Capacity per ORP and demand per ORP (``qmss.network.capacity`` / ``qmss.network.demand``): the split rule,
units never added, region filtering, network versions and a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from qmss.network.capacity import capacity_by_orp, split_rule_text
from qmss.network.demand import demand_by_orp, target_population
from qmss.registry.testing import make_facility, make_service
from qmss.territory.models import Population
from qmss.testing.factories import make_municipality, make_region
from qmss.testing.queries import count_queries

pytestmark = pytest.mark.django_db

BEDS = (("pob", (("luzka", 40), ("klient", 55))),)


@dataclass(frozen=True)
class Demand:
    target: str = "65+"
    prevalence: Decimal = Decimal("0.01")
    exclusion_weight: Decimal = Decimal(0)
    unit: str = "luzka"
    name: str = "domovy pro seniory"


@pytest.fixture
def places():
    region = make_region("CZ981", "Kraj A")
    other = make_region("CZ982", "Kraj B")
    a = make_municipality(region, population=10000)  # 2100 aged 65+
    b = make_municipality(region, population=5000)  # 1050
    c = make_municipality(other, population=1000)
    return region, other, a, b, c


def test_a_service_in_one_orp_counts_there_in_full(places):
    region, _other, a, _b, _c = places
    service = make_service(kind="13", forms=BEDS, municipalities=[a])
    table = capacity_by_orp(region_ids=[region.pk], kind_codes=["13", "14"], unit="luzka")
    assert table.values == {(a.orp_id, "13"): Decimal(40)}
    assert table.services == {a.orp_id: [service.pk]}
    assert table.split_note == split_rule_text()


def test_a_service_across_two_orps_is_split_per_facility(places):
    region, _other, a, b, _c = places
    service = make_service(kind="13", forms=(("pob", (("luzka", 30),)),), municipalities=[a, a, b])
    table = capacity_by_orp(region_ids=[region.pk], kind_codes=["13"], unit="luzka")
    assert table.values[(a.orp_id, "13")] == Decimal(20)  # two of three facilities
    assert table.values[(b.orp_id, "13")] == Decimal(10)
    assert sum(table.values.values()) == Decimal(30)  # nothing lost, nothing counted twice
    assert table.split_services == [service.pk]


def test_the_share_outside_the_region_is_left_out(places):
    region, other, a, _b, c = places
    make_service(kind="14", forms=(("pob", (("luzka", 10),)),), municipalities=[a, c])
    table = capacity_by_orp(region_ids=[region.pk], kind_codes=["14"], unit="luzka")
    assert table.values == {(a.orp_id, "14"): Decimal(5)}
    national = capacity_by_orp(kind_codes=["14"], unit="luzka")
    assert national.values == {(a.orp_id, "14"): Decimal(5), (c.orp_id, "14"): Decimal(5)}
    assert capacity_by_orp(region_ids=[other.pk], kind_codes=["14"], unit="luzka").values == {
        (c.orp_id, "14"): Decimal(5)
    }


def test_beds_and_clients_are_never_added(places):
    region, _other, a, _b, _c = places
    make_service(kind="13", forms=BEDS, municipalities=[a])
    make_service(kind="13", forms=(("ter", (("klient", 7),)),), municipalities=[a])
    beds = capacity_by_orp(region_ids=[region.pk], kind_codes=["13"], unit="luzka")
    clients = capacity_by_orp(region_ids=[region.pk], kind_codes=["13"], unit="klienti")
    assert beds.values == {(a.orp_id, "13"): Decimal(40)}
    assert clients.values == {(a.orp_id, "13"): Decimal(62)}
    assert capacity_by_orp(region_ids=[region.pk], kind_codes=["13"], unit="uvazky").values == {}


def test_unlocated_ended_and_other_kinds_are_not_counted(places):
    region, _other, a, _b, _c = places
    nowhere = make_service(kind="13", forms=BEDS, facilities=[{"region": region}])
    make_service(kind="13", forms=BEDS, municipalities=[a], date_to=date(2020, 1, 1))
    make_service(kind="4", forms=BEDS, municipalities=[a])
    closed = make_service(kind="13", forms=BEDS)
    make_facility(closed, a, date_to=date(2020, 1, 1))
    national = capacity_by_orp(kind_codes=["13"], unit="luzka")
    assert national.values == {}
    assert set(national.not_located) == {nowhere.pk, closed.pk}


def test_constant_queries(places):
    region, _other, a, b, _c = places
    make_service(kind="13", forms=BEDS, municipalities=[a])
    small, _sql = count_queries(lambda: capacity_by_orp(region_ids=[region.pk], kind_codes=["13"], unit="luzka"))
    for _ in range(5):
        make_service(kind="13", forms=BEDS, municipalities=[a, b])
    large, _sql = count_queries(lambda: capacity_by_orp(region_ids=[region.pk], kind_codes=["13"], unit="luzka"))
    assert small == large <= 3


def test_target_population_uses_the_latest_figure_per_municipality(places):
    region, _other, a, b, _c = places
    Population.objects.create(municipality=a, reference_date=date(2025, 1, 1), total=9000)  # no age bands
    assert target_population(region_ids=[region.pk], target="65+") == {a.orp_id: 2100, b.orp_id: 1050}
    assert target_population(region_ids=[region.pk], target="all") == {a.orp_id: 9000, b.orp_id: 5000}
    assert target_population(orp_ids=[b.orp_id], target="all", on=date(2024, 6, 1)) == {b.orp_id: 5000}


def test_demand_is_population_times_prevalence_plus_round_figures(places):
    region, _other, a, b, _c = places
    rows = demand_by_orp(region_ids=[region.pk], kind_code="13", demand=Demand())
    assert rows[a.orp_id].population == 2100
    assert rows[a.orp_id].total == Decimal("21.00")
    assert rows[b.orp_id].total == Decimal("10.50")
    assert rows[a.orp_id].refused == rows[a.orp_id].waiting == 0
    from qmss.territory import selectors

    assert rows[a.orp_id].exclusion_missing is not hasattr(selectors, "exclusion_share_by_orp")


def test_demand_queries_do_not_grow_with_orps(places):
    region, *_rest = places
    small, _sql = count_queries(lambda: demand_by_orp(region_ids=[region.pk], kind_code="13", demand=Demand()))
    for _ in range(4):
        make_municipality(region)
    large, _sql = count_queries(lambda: demand_by_orp(region_ids=[region.pk], kind_code="13", demand=Demand()))
    assert small == large


def test_refused_and_waiting_of_the_latest_approved_round_reach_the_orps_by_the_split_rule(places):
    from qmss.core.roles import OrganisationKind
    from qmss.needs.models import Submission
    from qmss.needs.testing_dashboard import add_submissions, make_closed_round
    from qmss.testing.factories import make_org

    region, _other, a, b, _c = places
    org = make_org(OrganisationKind.REGION, region=region)
    split = make_service(kind="13", forms=BEDS, municipalities=[a, b])
    alone = make_service(kind="13", forms=BEDS, municipalities=[b])
    old = make_closed_round(org, year=2023)
    add_submissions(old, {split: {("refused", "capacity"): 100, ("waiting_list", ""): 100}})
    latest = make_closed_round(org, year=2024)
    figures = {("refused", "capacity"): 4, ("refused", "health"): 50, ("waiting_list", ""): 6}
    add_submissions(latest, {split: figures, alone: {("refused", "capacity"): 1, ("waiting_list", ""): 2}})
    draft = make_closed_round(org, year=2025)
    add_submissions(draft, {split: figures}, state=Submission.State.SUBMITTED)  # not approved: ignored
    rows = demand_by_orp(region_ids=[region.pk], kind_code="13", demand=Demand())
    assert rows[a.orp_id].round_id == latest.pk
    assert (rows[a.orp_id].refused, rows[a.orp_id].waiting) == (Decimal(2), Decimal(3))  # half of the split one
    assert (rows[b.orp_id].refused, rows[b.orp_id].waiting) == (Decimal(3), Decimal(5))
    assert rows[a.orp_id].total == Decimal("21.00") + 5
    assert demand_by_orp(region_ids=[region.pk], kind_code="13", demand=Demand(), round=old)[a.orp_id].refused == 50


def test_a_network_version_counts_its_entries_by_their_orps_or_facilities(places):
    from qmss.core.roles import OrganisationKind
    from qmss.network.models import Network, NetworkEntry, NetworkVersion, Tier
    from qmss.testing.factories import make_org

    region, _other, a, b, c = places
    network = Network.objects.create(
        organisation=make_org(OrganisationKind.REGION, region=region),
        region=region,
        name="Síť",
        period_start=date(2026, 1, 1),
        period_end=date(2028, 12, 31),
    )
    tier = Tier.objects.create(network=network, code="zakladni", name="Základní", order=1)
    version = NetworkVersion.objects.create(network=network, number=1)
    named = make_service(kind="13", forms=BEDS, municipalities=[a])
    located = make_service(kind="14", forms=BEDS, municipalities=[a, b, b, c])
    clients = make_service(kind="13", forms=BEDS, municipalities=[a])

    def entry(service, capacity, unit="luzka", orp_codes=()):
        NetworkEntry.objects.create(
            version=version, service=service, capacity=Decimal(capacity), unit=unit, orp_codes=list(orp_codes),
            tier=tier,
        )  # fmt: skip

    entry(named, 9, orp_codes=[a.orp.ruian_code, b.orp.ruian_code, b.orp.ruian_code])  # named ORPs: equal parts
    entry(located, 8)  # no ORPs named: its facilities decide
    entry(clients, 30, unit="klienti")
    table = capacity_by_orp(region_ids=[region.pk], kind_codes=["13", "14"], unit="luzka", network_version=version)
    assert table.values == {
        (a.orp_id, "13"): Decimal("4.5"),
        (b.orp_id, "13"): Decimal("4.5"),
        (a.orp_id, "14"): Decimal(2),
        (b.orp_id, "14"): Decimal(4),  # c's quarter lies outside the region
    }
    assert sorted(table.split_services) == sorted([named.pk, located.pk])
