"""Network API: the public list of networks, one network with tiers and versions, the entries of a version
(paginated, ``?version=``), and the scores – only for the network manager's members (another tenant, a provider
and anonymous visitors get 403). ``qmss stats --json`` counts networks and entries."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.network.models import Network, NetworkEntry, NetworkVersion, Tier
from qmss.registry.testing import make_provider, make_service

pytestmark = pytest.mark.django_db

API = "/api/v1/network"


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _network(tenant, *, services=(), name=None) -> Network:
    """A network of the tenant's regional authority: two tiers (the second frozen), version 1 with the given
    services and version 2 with the first one's capacity raised."""
    network = Network.objects.create(
        organisation=tenant.orgs[OrganisationKind.REGION],
        region=tenant.region,
        name=name or f"Síť {tenant.key}",
        period_start=date(2026, 1, 1),
        period_end=date(2028, 12, 31),
        description="Popis sítě",
    )
    basic = Tier.objects.create(network=network, code="zakladni", name="Základní síť", order=1)
    Tier.objects.create(network=network, code="rozvojova", name="Rozvojová síť", order=2, frozen=True)
    first = NetworkVersion.objects.create(network=network, number=1, note="Výchozí stav")
    second = NetworkVersion.objects.create(network=network, number=2, note="Navýšení kapacity")
    for version, extra in ((first, Decimal("0")), (second, Decimal("5"))):
        for i, service in enumerate(services):
            NetworkEntry.objects.create(
                version=version,
                service=service,
                capacity=Decimal("40") + (extra if i == 0 else 0),
                unit="luzka",
                orp_codes=[1234],
                municipality_codes=["500011"],
                tier=basic,
                financing_category="kraj",
            )
    return network


@pytest.fixture
def world(tenant_a, tenant_b):
    provider = make_provider("Poskytovatel Alfa")
    services = [
        make_service(provider, name=f"Domov {n}", kind="13", facilities=[{"region": tenant_a.region}]) for n in "BA"
    ]
    return {"a": _network(tenant_a, services=services), "b": _network(tenant_b), "services": services}


def test_networks_are_public_with_their_current_version(world):
    rows = _client().get(f"{API}/networks").json()
    by_id = {row["id"]: row for row in rows}
    a = by_id[world["a"].pk]
    assert a["name"] == "Síť Alfa"
    assert a["current_version"] == 2
    assert a["region"] == "CZ991" and a["manager_kind"] == "region"
    assert a["synthetic"] is False
    assert "manager" not in a  # the managing organisation's name only to its members (the scores)
    assert world["b"].pk in by_id


def test_one_network_has_tiers_and_versions(world):
    response = _client().get(f"{API}/networks/{world['a'].pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["current_version"] == 2
    assert [t["code"] for t in data["tiers"]] == ["zakladni", "rozvojova"]
    assert [t["frozen"] for t in data["tiers"]] == [False, True]
    assert [v["number"] for v in data["versions"]] == [2, 1]
    assert _client().get(f"{API}/networks/999999").status_code == 404


def test_entries_of_the_current_and_of_an_older_version(world):
    url = f"{API}/networks/{world['a'].pk}/entries"
    data = _client().get(url).json()
    assert data["count"] == 2
    names = [item["service"] for item in data["items"]]
    assert names == ["Domov A", "Domov B"]  # sorted by name
    first = next(item for item in data["items"] if item["service"] == "Domov B")
    assert Decimal(first["capacity"]) == Decimal("45")
    assert first["unit"] == "luzka" and first["tier"] == "zakladni" and first["kind"] == "13"
    assert first["orp_codes"] == [1234] and first["municipality_codes"] == ["500011"]
    older = _client().get(url, {"version": 1}).json()
    assert Decimal(next(i for i in older["items"] if i["service"] == "Domov B")["capacity"]) == Decimal("40")
    assert _client().get(url, {"version": 7}).status_code == 404
    assert _client().get(url, {"version": 0}).status_code == 422


def test_entries_are_paginated(tenant_a):
    provider = make_provider()
    services = [make_service(provider, name=f"Služba {n:03d}") for n in range(105)]
    network = _network(tenant_a, services=services)
    url = f"{API}/networks/{network.pk}/entries"
    first = _client().get(url).json()
    assert first["count"] == 105 and len(first["items"]) == 100
    second = _client().get(url, {"page": 2}).json()
    assert len(second["items"]) == 5


# --- scores: the manager's working material ------------------------------------------------------------------


@pytest.fixture
def fake_scores(monkeypatch):
    """The scoring itself is tested with real scores below; here only who may see them."""
    from qmss.network import api_scoring

    def scores_of(network, *, kind=None):
        return {
            "network_id": network.pk,
            "manager": network.organisation.name,
            "version": 2,
            "rule_set_version": 1,
            "parameter_set_version": 1,
            "kind": kind,
            "candidates": [],
            "gaps": [],
        }

    monkeypatch.setattr(api_scoring, "scores_of", scores_of)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 403),
        ("a_manager", 200),
        ("a_region_reader", 200),
        ("a_provider", 403),
        ("a_municipality", 403),
        ("b_manager", 403),
        ("b_admin", 403),
        ("superuser", 200),
    ],
)
def test_only_the_managers_members_see_the_scores(world, tenant_a, tenant_b, superuser, fake_scores, who, status):
    users = {
        "anonymous": None,
        "a_manager": tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER),
        "a_region_reader": tenant_a.user(OrganisationKind.REGION, Role.READER),
        "a_provider": tenant_a.user(OrganisationKind.PROVIDER, Role.ADMIN),
        "a_municipality": tenant_a.user(OrganisationKind.MUNICIPALITY, Role.EDITOR),
        "b_manager": tenant_b.user(OrganisationKind.REGION, Role.NETWORK_MANAGER),
        "b_admin": tenant_b.user(OrganisationKind.REGION, Role.ADMIN),
        "superuser": superuser,
    }
    response = _client(users[who]).get(f"{API}/networks/{world['a'].pk}/scores", {"kind": "13"})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["kind"] == "13"
    else:
        assert "candidates" not in response.json()


def test_scores_of_a_missing_network_are_404(tenant_a, fake_scores):
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    assert _client(manager).get(f"{API}/networks/999999/scores").status_code == 404


def test_the_api_is_in_the_openapi_schema(db):
    paths = _client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("networks", "networks/{network_pk}", "networks/{network_pk}/entries", "networks/{network_pk}/scores"):
        assert f"{API}/{path}" in paths


# --- qmss stats ---------------------------------------------------------------------------------------------


def test_stats_count_networks_and_the_entries_of_current_versions(world):
    out = StringIO()
    call_command("stats", "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["networks"] == 2
    assert stats["network_versions"] == 4
    assert stats["network_entries"] == 2  # network A's version 2; B has no entries
    assert stats["network_entries_all_versions"] == 4
    assert stats["network_applications"] == 0


# --- scores: real ones, through the scoring part ---------------------------------------------------------------


def test_scores_rank_the_current_entries_and_open_applications_within_kind(tenant_a):
    from qmss.network import scoring_engine, scoring_inputs, selectors_rules
    from qmss.network.testing_networks import make_network
    from qmss.registry.models import ServiceForm

    provider = make_provider("Poskytovatel Alfa")
    homes = [
        make_service(
            provider, name=name, kind="13", forms=(("pob", (("luzka", beds),)),), municipalities=[tenant_a.municipality]
        )
        for name, beds in (("Domov Jih", 40), ("Domov Sever", 80))
    ]
    care = make_service(provider, name="Pečovatelská služba", kind="4", forms=(("ter", (("klient", 50),)),),
                        municipalities=[tenant_a.municipality])  # fmt: skip
    ServiceForm.objects.filter(service=homes[1]).update(continuous=True)  # better availability: ranks first
    network = make_network(tenant_a, services=[*homes, care])
    manager = tenant_a.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)
    data = _client(manager).get(f"{API}/networks/{network.pk}/scores").json()
    assert data["version"] == 1 and data["rule_set_version"] == 1 and data["parameter_set_version"] == 1
    assert data["manager"] == network.organisation.name
    by_name = {c["service"]: c for c in data["candidates"]}
    assert set(by_name) == {"Domov Jih", "Domov Sever", "Pečovatelská služba"}
    assert {c["candidate"] for c in data["candidates"]} == {"entry"}
    assert (by_name["Domov Sever"]["rank_in_kind"], by_name["Domov Jih"]["rank_in_kind"]) == (1, 2)
    assert by_name["Domov Sever"]["scores"]["availability"] > by_name["Domov Jih"]["scores"]["availability"]
    assert by_name["Pečovatelská služba"]["rank_in_kind"] == 1
    assert "quality" in by_name["Domov Jih"]["no_data"]  # no audit, no inspection, no rounds

    # the same figures as the engine gives
    rule_set, parameters = selectors_rules.current_rule_set(network), selectors_rules.current_parameters(network)
    table = scoring_engine.score(
        scoring_inputs.cached_inputs(network),
        rules=selectors_rules.rule_values(rule_set),
        demand=selectors_rules.demand_values(parameters),
    )
    for candidate in data["candidates"]:
        i = table.keys.index(candidate["key"])
        assert candidate["total"] == pytest.approx(float(table.total[i]), abs=0.01)
        assert candidate["scores"]["need"] == pytest.approx(float(table.sub["need"][i]), abs=0.01)
        assert candidate["passes"] == bool(table.passes[i])

    only_homes = _client(manager).get(f"{API}/networks/{network.pk}/scores", {"kind": "13"}).json()
    assert {c["kind"] for c in only_homes["candidates"]} == {"13"} and len(only_homes["candidates"]) == 2
    assert all(gap["kind"] == "13" for gap in only_homes["gaps"])
    assert _client(manager).get(f"{API}/networks/{network.pk}/scores", {"kind": "99"}).json()["candidates"] == []


# --- query budgets -------------------------------------------------------------------------------------------


def test_the_lists_read_a_constant_number_of_queries(tenant_a):
    from qmss.testing.queries import assert_constant_queries

    provider = make_provider()
    network = _network(tenant_a, services=[make_service(provider)])
    first = network.versions.get(number=2)

    def grow_entries(n):
        tier = network.tiers.first()
        while first.entries.count() < n:
            NetworkEntry.objects.create(
                version=first, service=make_service(provider, kind="14"), capacity=Decimal(5), unit="luzka", tier=tier
            )

    client = _client()
    assert_constant_queries(
        lambda: client.get(f"{API}/networks/{network.pk}/entries"),
        grow_entries,
        count=lambda: first.entries.count(),
        large=30,
        max_queries=8,
    )

    def grow_networks(n):
        while Network.objects.count() < n:
            _network(tenant_a, name=f"Síť {Network.objects.count()}")

    assert_constant_queries(
        lambda: client.get(f"{API}/networks"), grow_networks, count=Network.objects.count, large=20, max_queries=4
    )
