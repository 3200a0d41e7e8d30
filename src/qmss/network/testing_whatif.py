"""Builders of the what-if part for tests and benches, and its URL-matrix plug-in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qmss.core.roles import OrganisationKind
from qmss.network.models import Application, Network, NetworkEntry, Scenario

# the scenarios' pk for the comparison's query string
FILTER_VALUES = {"a": "scenario_pk", "b": "scenario_pk"}


def make_scenario(network: Network, *, name: str = "Scénář", user=None, **fields) -> Scenario:
    fields.setdefault("weights", {"quality": "10"})
    return Scenario.objects.create(network=network, name=name, created_by=user, **fields)


def make_application(network: Network, service, *, organisation=None, kind: str = "A", capacity=20, **extra):
    """An open (submitted) application of ``service`` to ``network``."""
    extra.setdefault("state", Application.State.SUBMITTED)
    extra.setdefault("unit", "luzka")
    extra.setdefault("justification", "Zdůvodnění potřebnosti")
    extra.setdefault("orp_codes", [])
    if organisation is None:
        organisation = network.organisation
    return Application.objects.create(
        network=network, organisation=organisation, kind=kind, service=service, capacity=Decimal(capacity), **extra
    )


@dataclass
class WhatIfWorld:
    """A network with one entry (``entry``) and two open applications of kind 13 (``strong`` has the better
    quality, ``cheap`` the lower unit cost), and the ORP they serve."""

    network: Network
    entry: NetworkEntry
    strong: Application
    cheap: Application
    orp: object

    def inputs(self, *, capacity_entry: float = 40.0):
        """Hand-made scoring inputs of the world: under the library weights ``cheap`` ranks first; with the cost
        weight 0, ``strong`` does. Demand of kind 13 in the ORP is 100 beds; the entry and ``strong`` serve it."""
        from qmss.network.testing_scoring import demand_params, hand_inputs

        def app(application, **values):
            return {
                "key": f"a{application.pk}",
                "service": application.service_id,
                "kind": "13",
                "capacity": float(application.capacity),
                "entry": False,
                "round_capacity": 20,
                "days": 365,
                **values,
            }

        return hand_inputs(
            candidates=[
                {
                    "key": f"e{self.entry.pk}",
                    "service": self.entry.service_id,
                    "kind": "13",
                    "capacity": capacity_entry,
                    "orps": [0],
                    "audit": 10,
                    "inspection": 10,
                },
                app(self.strong, audit=90, inspection=90, costs=20 * 900_000, orps=[0]),
                app(self.cheap, audit=60, inspection=60, costs=20 * 500_000),
            ],
            orp_ids=[self.orp.pk],
            municipalities=[(50.0, 15.0, 0, 10_000, 5_000)],
            demand={
                "13": {
                    "params": demand_params(target="65+", prevalence="0.017", unit="luzka"),
                    "population": [5_000],
                    "total": [100],
                }
            },
        )


def make_world(tenant, *, secret: str = "") -> WhatIfWorld:
    from qmss.network.selectors_networks import current_version
    from qmss.network.testing_networks import make_network
    from qmss.registry.testing import make_provider, make_service

    provider = make_provider(f"Poskytovatel pro co-kdyby {secret}".strip())
    municipality = tenant.municipality
    in_network = make_service(provider, name="Domov Lipa", municipalities=[municipality])
    strong = make_service(provider, name="Domov Javor", municipalities=[municipality])
    cheap = make_service(provider, name="Domov Buk", municipalities=[municipality])
    network = make_network(tenant, services=[in_network], name=f"Síť co-kdyby {secret}".strip())
    entry = current_version(network).entries.get()
    organisation = tenant.orgs[OrganisationKind.PROVIDER]
    return WhatIfWorld(
        network=network,
        entry=entry,
        strong=make_application(network, strong, organisation=organisation),
        cheap=make_application(network, cheap, organisation=organisation),
        orp=municipality.orp,
    )


def matrix_kwargs(tenant) -> dict:
    """Two scenarios (named after A's provider organisation, a secret) of tenant A's network – the one the
    networks part built when there is one, so every part's routes meet the same ``network_pk``."""
    from qmss.network.testing_networks import make_network

    secret = tenant.orgs[OrganisationKind.PROVIDER].name
    region_org = tenant.orgs[OrganisationKind.REGION]
    network = Network.objects.filter(organisation=region_org).order_by("pk").first()
    if network is None:
        network = make_network(region_org, name=f"Síť {secret}")
    first = make_scenario(network, name=f"Scénář {secret}", note=f"Poznámka {secret}")
    make_scenario(network, name=f"Druhý scénář {secret}", weights={"cost": "0"})
    return {"scenario_pk": first.pk}
