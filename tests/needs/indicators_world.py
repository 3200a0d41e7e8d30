"""The world of the indicator tests, with every figure written out so that the expected values can be computed
by hand (see the test modules for the arithmetic).

Tenant A's region, round "Sběr 2025" (closed) of A's regional authority:

- S1 "Domov Lípa" – A's provider (verified link), kind 13, residential, 40 beds
- S2 "Domov Javor" – A's provider, kind 13, residential, 60 beds
- S3 "Domov Buk" – another provider, kind 13, residential, 30 beds; nobody new and nobody refused (0 / 0)
- S4 "Asistence Dub" – another provider, kind 3, field, 25 clients (no bed-days: occupancy does not apply)
- S5 "Domov Habr" – another provider, kind 13, residential; its report is only SUBMITTED (never counted)

and round "Sběr 2024" with S1 only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.test import Client

from qmss.core.roles import OrganisationKind, Role
from qmss.needs.models import Submission
from qmss.needs.testing_indicators import approve, make_round
from qmss.registry.testing import link_verified, make_provider, make_service

S1_VALUES = {
    "capacity": 40,
    "period_days": 365,
    "users": 50,
    "new_users": 10,
    ("refused", "capacity"): 3,
    ("refused", "not_provided"): 2,
    "waiting_list": 20,
    "bed_days": 12000,
    ("fte", "social_worker"): 2,
    ("fte", "care_worker"): 8,
    ("fte", "management"): 1,
    ("needs_response", "basic_activity"): 6,
    ("needs_response", "brokering"): 2,
    ("needs_response", "referral"): 2,
    "costs": 5000000,
}
S2_VALUES = {
    "capacity": 60,
    "period_days": 365,
    "users": 70,
    "new_users": 6,
    ("refused", "capacity"): 4,
    "bed_days": 20000,
    ("fte", "care_worker"): 10,
    ("fte", "health_staff"): 4,
}
S3_VALUES = {"capacity": 30, "period_days": 365, "new_users": 0, ("refused", "capacity"): 0, "bed_days": 10500}
S4_VALUES = {"capacity": 25, "period_days": 365, "new_users": 8, ("refused", "capacity"): 2, "contacts": 4000}
S5_VALUES = {"capacity": 50, "new_users": 1, ("refused", "capacity"): 9, "bed_days": 1}
S1_2024 = {"capacity": 40, "period_days": 366, "new_users": 5, ("refused", "capacity"): 5}


@dataclass
class IndicatorWorld:
    tenant: object
    tenant_b: object
    s1: object
    s2: object
    s3: object
    s4: object
    s5: object
    round: object
    round_2024: object

    @property
    def region_org(self):
        return self.tenant.orgs[OrganisationKind.REGION]

    @property
    def provider_org(self):
        return self.tenant.orgs[OrganisationKind.PROVIDER]

    @property
    def region_user(self):
        return self.tenant.user(OrganisationKind.REGION, Role.READER)

    @property
    def provider_user(self):
        return self.tenant.user(OrganisationKind.PROVIDER, Role.READER)

    def indicator(self, code: str, round_=None):
        return (round_ or self.round).template.indicators.get(code=code)

    @staticmethod
    def client(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def build(tenant_a, tenant_b) -> IndicatorWorld:
    region = tenant_a.region
    own = make_provider("Registrovaný poskytovatel Alfa")
    link_verified(tenant_a.orgs[OrganisationKind.PROVIDER], own)
    here = [{"region": region}]

    def service(provider, name, kind, form, unit, count):
        return make_service(provider, name=name, kind=kind, forms=((form, ((unit, count),)),), facilities=here)

    s1 = service(own, "Domov Lípa", "13", "pob", "luzka", 40)
    s2 = service(own, "Domov Javor", "13", "pob", "luzka", 60)
    s3 = service(make_provider(), "Domov Buk", "13", "pob", "luzka", 30)
    s4 = service(make_provider(), "Asistence Dub", "3", "ter", "klient", 25)
    s5 = service(make_provider(), "Domov Habr", "13", "pob", "luzka", 50)
    region_org = tenant_a.orgs[OrganisationKind.REGION]
    round_ = make_round(region_org, name="Sběr 2025")
    for s, values in ((s1, S1_VALUES), (s2, S2_VALUES), (s3, S3_VALUES), (s4, S4_VALUES)):
        approve(round_, s, values)
    approve(round_, s5, S5_VALUES, state=Submission.State.SUBMITTED)
    round_2024 = make_round(region_org, name="Sběr 2024", period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    approve(round_2024, s1, S1_2024)
    return IndicatorWorld(tenant_a, tenant_b, s1, s2, s3, s4, s5, round_, round_2024)


def make_peer_group(region_org, region, *, own_provider=None, values=(10, 20, 30, 40, 50), name="Sběr skupiny"):
    """A round with one service per value (kind 13, residential, 30 beds – one peer group): ``refused
    ["capacity"]`` = value / 10 of 10 interested, so the refusal rate is the value in %. The second service
    belongs to ``own_provider`` when given. Returns (round, services)."""
    round_ = make_round(region_org, name=name)
    services = []
    for n, value in enumerate(values):
        provider = own_provider if (own_provider is not None and n == 1) else make_provider()
        forms = (("pob", (("luzka", 30),)),)
        service = make_service(
            provider, name=f"Skupina {n + 1}", kind="13", forms=forms, facilities=[{"region": region}]
        )
        refused = value // 10
        approve(round_, service, {"capacity": 30, "new_users": 10 - refused, ("refused", "capacity"): refused})
        services.append(service)
    return round_, services
