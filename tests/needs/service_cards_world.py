"""The world of the service-card tests: tenant A's provider verified as the provider of five services of kind 13
(domovy pro seniory) in A's region, one of kind 3 in A's region and one of kind 13 in B's region; A's region
has a published card of kind 13 listing five needs; tenant B and another provider of A's region."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.needs.testing_service_cards import make_activity, make_kind_card, make_taxonomy
from qmss.registry.testing import link_verified, make_kind, make_provider, make_service
from qmss.testing.factories import make_org, make_user

CARD_NEEDS = ["hygiene", "eating", "mobility", "health_care", "household"]


@dataclass
class CardsWorld:
    tenant: object
    tenant_b: object
    taxonomy: object = None
    kind: object = None
    kind_card: object = None
    pvo: object = None  # a basic activity of kind 13 (registry)
    hyg: object = None  # a basic activity of the region's card of kind 13
    foreign: object = None  # an activity of no test kind
    services: list = field(default_factory=list)  # S1..S5: kind 13, region A
    other_kind_service: object = None  # S6: kind 3, region A
    other_region_service: object = None  # S7: kind 13, region B only
    other_provider: object = None  # an organisation of A's region verified as another provider
    other_provider_user: object = None

    @property
    def provider(self):
        return self.tenant.orgs[OrganisationKind.PROVIDER]

    @property
    def region_org(self):
        return self.tenant.orgs[OrganisationKind.REGION]

    def user(self, kind=OrganisationKind.PROVIDER, role=Role.ADMIN):
        return self.tenant.user(kind, role)

    @property
    def editor(self):
        return self.user(OrganisationKind.PROVIDER, Role.EDITOR)

    @property
    def reader(self):
        return self.user(OrganisationKind.PROVIDER, Role.READER)

    @property
    def manager(self):
        return self.user(OrganisationKind.REGION, Role.NETWORK_MANAGER)

    @staticmethod
    def client(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def build_world(tenant_a, tenant_b) -> CardsWorld:
    world = CardsWorld(tenant=tenant_a, tenant_b=tenant_b)
    world.taxonomy = make_taxonomy()
    world.kind = make_kind("13")
    make_kind("3")
    world.pvo = make_activity("pvo", kinds=[world.kind])
    world.hyg = make_activity("hyg")
    world.foreign = make_activity("xyz")
    world.kind_card = make_kind_card(
        kind=world.kind,
        taxonomy=world.taxonomy,
        needs=CARD_NEEDS,
        region=tenant_a.region,
        organisation=world.region_org,
        activities=[world.hyg],
    )
    registry_provider = make_provider(f"Registrovaný {world.provider.name}")
    link_verified(world.provider, registry_provider)
    for n in range(1, 6):
        world.services.append(
            make_service(
                registry_provider,
                name=f"Domov {n} {world.provider.name}",
                facilities=[{"region": tenant_a.region, "name": f"Domov {n}"}],
            )
        )
    world.other_kind_service = make_service(
        registry_provider, name="Osobní asistence S6", kind="3", facilities=[{"region": tenant_a.region}]
    )
    world.other_region_service = make_service(
        registry_provider, name="Domov S7 v kraji B", facilities=[{"region": tenant_b.region}]
    )
    world.other_provider = make_org(OrganisationKind.PROVIDER, "Jiný poskytovatel kraje A", region=tenant_a.region)
    link_verified(world.other_provider, make_provider("Jiný registrovaný poskytovatel"))
    world.other_provider_user = make_user("jiny-poskytovatel", org=world.other_provider, role=Role.ADMIN)
    return world
