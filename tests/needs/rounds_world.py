"""The world of the rounds tests: tenant A's region with ≥ 20 services, A's provider verified as the provider of
three of them (residential, outpatient, field), another provider's service, and tenant B's region."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.needs.models import CollectionRound, Submission
from qmss.needs.testing_rounds import make_round
from qmss.registry.testing import link_verified, make_provider, make_service


@dataclass
class RoundsWorld:
    tenant: object
    tenant_b: object
    own_services: list = field(default_factory=list)
    other_services: list = field(default_factory=list)
    b_service: object = None
    round: CollectionRound | None = None

    @property
    def region_org(self):
        return self.tenant.orgs[OrganisationKind.REGION]

    @property
    def provider_org(self):
        return self.tenant.orgs[OrganisationKind.PROVIDER]

    @property
    def manager(self):
        return self.tenant.user(OrganisationKind.REGION, Role.ADMIN)

    @property
    def editor(self):
        return self.tenant.user(OrganisationKind.PROVIDER, Role.EDITOR)

    @property
    def reader(self):
        return self.tenant.user(OrganisationKind.PROVIDER, Role.READER)

    def submission(self, service=None) -> Submission:
        service = service or self.own_services[0]
        return Submission.objects.select_related("round", "service").get(round=self.round, service=service)

    @staticmethod
    def client(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def build_world(tenant_a, tenant_b, *, others: int = 20) -> RoundsWorld:
    world = RoundsWorld(tenant=tenant_a, tenant_b=tenant_b)
    region = tenant_a.region
    provider = make_provider(f"Registrovaný {tenant_a.orgs[OrganisationKind.PROVIDER].name}")
    link_verified(tenant_a.orgs[OrganisationKind.PROVIDER], provider)
    facility = [{"region": region}]
    own = [("Domov Jasmín", "13", "pob", "luzka", 40), ("Poradna Bříza", "1", "amb", "klient", 5)]
    own.append(("Asistence Čáp", "3", "ter", "klient", 12))
    world.own_services = [
        make_service(provider, name=name, kind=kind, forms=((form, ((unit, count),)),), facilities=facility)
        for name, kind, form, unit, count in own
    ]
    other = make_provider("Jiný poskytovatel")
    world.other_services = [
        make_service(other, name=f"Domov číslo {i:02d}", forms=(("pob", (("luzka", 20 + i),)),), facilities=facility)
        for i in range(others)
    ]
    b_provider = make_provider("Poskytovatel B")
    link_verified(tenant_b.orgs[OrganisationKind.PROVIDER], b_provider)
    world.b_service = make_service(b_provider, name="Domov B", facilities=[{"region": tenant_b.region}])
    world.round = make_round(world.region_org, name="Sběr 2025")
    return world
